//go:build moto

package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// TestSnapshotOnMoto applies modules/rest-api through gateway.SnapshotProxy
// and shows that the local gateway serves what the stage's deployment holds,
// as API Gateway does, not what moto holds now:
//
//  1. routes GET /a and GET /b, one apply: both answer; the HTTP backend
//     receives the authorizer's userId, issuerName and scope as X-User-Id,
//     X-Issuer and X-Scope, never the client's own X-User-Id; the authorizer's
//     identity validation expression, which moto drops on create, is served
//     after one apply;
//  2. GET /b removed, one apply: the API's OpenAPI body is put (overwrite)
//     before the new deployment is created, so the deployment no longer holds
//     /b: it answers 403 Missing Authentication Token, and the next plan is
//     clean. The first deployment's snapshot still holds /b: a deployment
//     made before the definition changed (the per-method resources' order,
//     which needed an apply -replace of the deployment) would still serve it.
func TestSnapshotOnMoto(t *testing.T) {
	ctx := context.Background()
	m, cfg, proxy, _ := startSnapshotProxy(t)

	type hit struct{ path, userID, issuer, scope string }
	var (
		mu   sync.Mutex
		hits []hit
	)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, hit{r.URL.Path, r.Header.Get("X-User-Id"), r.Header.Get("X-Issuer"), r.Header.Get("X-Scope")})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path})
	}))
	t.Cleanup(backend.Close)
	lastHit := func(t *testing.T) hit {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if len(hits) == 0 {
			t.Fatal("backend not called")
		}
		return hits[len(hits)-1]
	}

	opts := tfmoto.OptionsVia(t, m, "testdata/snapshot", map[string]any{
		"name":           fmt.Sprintf("snap-%d", time.Now().UnixNano()),
		"authorizer_zip": filepath.Join(pkgDir, "authorizer.zip"),
		"architecture":   rie.HostArchitecture(),
		"backend_url":    backend.URL,
		"routes":         map[string]string{"GET /a": "/a", "GET /b": "/b"},
	}, tfmoto.Endpoints{"apigateway": proxy.URL})
	defer terraform.Destroy(t, opts)
	terraform.InitAndApply(t, opts) // once: the proxy restores what moto drops on create
	apiID, stage := terraform.Output(t, opts, "rest_api_id"), terraform.Output(t, opts, "stage_name")

	// serve starts a gateway on the stage: from the recorded deployments
	// (snaps = proxy.Snapshots) or from moto's current resources (nil).
	serve := func(t *testing.T, snaps *gateway.Snapshots) (*gateway.Local, string) {
		t.Helper()
		gw, err := gateway.New(ctx, gateway.Options{
			AWS: cfg, Endpoint: m.Endpoint, RestAPIID: apiID, Stage: stage,
			Packages: pkgDir, Emulator: emulator, Snapshots: snaps,
		})
		must(t, err)
		srv := httptest.NewServer(gw)
		t.Cleanup(func() { srv.Close(); gw.Close() })
		if snaps != nil && (!gw.API().FromSnapshot || gw.API().DeploymentID != terraform.Output(t, opts, "deployment_id")) {
			t.Fatalf("gateway serves deployment %s from snapshot=%v, want deployment %s from its snapshot (recorded: %v)",
				gw.API().DeploymentID, gw.API().FromSnapshot, terraform.Output(t, opts, "deployment_id"), snaps.Deployments(apiID))
		}
		return gw, srv.URL + "/" + stage
	}
	const missing = `{"message":"Missing Authentication Token"}`

	dep1 := terraform.Output(t, opts, "deployment_id")
	t.Run("routes a and b", func(t *testing.T) {
		gw, base := serve(t, proxy.Snapshots)
		for _, p := range []string{"/a", "/b"} {
			r := call(t, "GET", base+p, "any-alice", map[string]string{"X-User-Id": "mallory", "X-Scope": "admin"})
			wantHeaders(t, r, 200, nil)
			wantBody(t, r, `{"path":"`+p+`"}`)
			if h := lastHit(t); h != (hit{p, "alice", "test", "s1 s2"}) {
				t.Errorf("backend got %+v, want the authorizer's identity (alice, test, s1 s2) in place of the client's", h)
			}
		}
		var expr string
		for _, a := range gw.API().Authorizers {
			expr = a.ValidationExpression
		}
		if expr != "^any-[a-z]+$" {
			t.Errorf("authorizer's identity validation expression %q after one apply, want ^any-[a-z]+$", expr)
		}
		before := gw.AuthorizerInvocations()
		wantBody(t, call(t, "GET", base+"/a", "Bearer x", nil), `{"message":"Unauthorized"}`)
		if gw.AuthorizerInvocations() != before {
			t.Error("authorizer invoked for a token that fails the validation expression")
		}
	})

	opts.Vars["routes"] = map[string]string{"GET /a": "/a"}
	terraform.Apply(t, opts)
	dep2 := terraform.Output(t, opts, "deployment_id")
	t.Run("b removed: gone in one apply", func(t *testing.T) {
		if dep2 == dep1 {
			t.Fatalf("deployment %s kept after a route was removed", dep1)
		}
		_, base := serve(t, proxy.Snapshots)
		r := call(t, "GET", base+"/b", "any-alice", nil)
		wantHeaders(t, r, 403, nil)
		wantBody(t, r, missing)
		wantBody(t, call(t, "GET", base+"/a", "any-alice", nil), `{"path":"/a"}`)

		old, found, err := proxy.Snapshots.Lookup(apiID, dep1)
		if !found || err != nil {
			t.Fatalf("no snapshot of the first deployment %s: found %v, %v", dep1, found, err)
		}
		held := false
		for _, r := range old.Resources {
			held = held || r.Path == "/b"
		}
		if !held {
			t.Error("the first deployment's snapshot lacks /b: the test cannot tell a stale deployment from a new one")
		}
	})
	cleanPlan(t, opts)
}

// startSnapshotProxy starts a SnapshotProxy to the shared moto server; its
// log is shown when the test ends.
func startSnapshotProxy(t *testing.T) (*moto.Server, aws.Config, *gateway.SnapshotProxy, *syncBuf) {
	t.Helper()
	m := moto.Start(t)
	cfg, err := m.Config(context.Background())
	must(t, err)
	log := &syncBuf{}
	proxy, err := gateway.StartSnapshotProxy(cfg, m.Endpoint, log)
	must(t, err)
	t.Cleanup(proxy.Close)
	t.Cleanup(func() { t.Logf("snapshot proxy log:\n%s", log) })
	return m, cfg, proxy, log
}
