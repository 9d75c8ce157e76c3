//go:build moto

package gateway_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

const webOrigin = "http://127.0.0.1:8081"

// TestCORSModuleOnMoto applies modules/rest-api on moto with cors on, then
// off: each apply is followed by a clean plan, and the local gateway serves
// what it reads back (OPTIONS/MOCK preflights, gateway responses).
func TestCORSModuleOnMoto(t *testing.T) {
	m := moto.Start(t)
	cfg, err := m.Config(context.Background())
	must(t, err)
	// The HTTP_PROXY backend sends the CORS headers itself, as the README
	// asks of every backend: API Gateway adds none to a proxy's answer.
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", webOrigin)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
	}))
	t.Cleanup(backend.Close)

	opts := tfmoto.OptionsFor(t, m, "testdata/cors", map[string]any{
		"name":           fmt.Sprintf("cors-%d", time.Now().UnixNano()),
		"authorizer_zip": filepath.Join(pkgDir, "authorizer.zip"),
		"architecture":   rie.HostArchitecture(),
		"backend_url":    backend.URL,
		"cors":           map[string]any{"allow_origin": webOrigin},
	})
	defer terraform.Destroy(t, opts)
	terraform.InitAndApply(t, opts)
	cleanPlan(t, opts)
	serve := func(t *testing.T) (string, func()) {
		gw, err := gateway.New(context.Background(), gateway.Options{
			AWS: cfg, Endpoint: m.Endpoint, RestAPIID: terraform.Output(t, opts, "rest_api_id"),
			Stage: terraform.Output(t, opts, "stage_name"), Packages: pkgDir, Emulator: emulator,
		})
		must(t, err)
		srv := httptest.NewServer(gw)
		return srv.URL + "/v1", func() { srv.Close(); gw.Close() }
	}

	t.Run("on", func(t *testing.T) {
		base, stop := serve(t)
		defer stop()
		pre := call(t, "OPTIONS", base+"/hello/alice", "", map[string]string{"Origin": webOrigin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"})
		wantHeaders(t, pre, 204, map[string]string{
			"Access-Control-Allow-Origin": webOrigin, "Access-Control-Allow-Methods": "GET,OPTIONS",
			"Access-Control-Allow-Headers": "Authorization,Content-Type", "Access-Control-Max-Age": "600", "Vary": "Origin",
		})
		cors := map[string]string{"Access-Control-Allow-Origin": webOrigin, "Access-Control-Expose-Headers": "WWW-Authenticate", "Vary": "Origin"}
		r := call(t, "GET", base+"/hello/alice", "", nil)
		wantHeaders(t, r, 401, merge(cors, map[string]string{"WWW-Authenticate": `Bearer realm="` + opts.Vars["name"].(string) + `"`}))
		wantBody(t, r, `{"message":"Unauthorized"}`)
		r = call(t, "GET", base+"/hello/bob", "allow-alice", nil)
		wantHeaders(t, r, 403, cors)
		wantBody(t, r, `{"message":"The token is valid but does not grant access to this resource"}`)
		r = call(t, "GET", base+"/nope", "allow-alice", nil)
		wantHeaders(t, r, 403, cors)
		wantBody(t, r, `{"message":"Missing Authentication Token"}`)
		r = call(t, "GET", base+"/hello/alice", "allow-alice", nil)
		wantHeaders(t, r, 200, map[string]string{"Access-Control-Allow-Origin": webOrigin})
		wantBody(t, r, `{"path":"/hello/alice"}`)
	})

	opts.Vars["cors"] = nil
	terraform.Apply(t, opts)
	cleanPlan(t, opts)

	t.Run("off", func(t *testing.T) {
		base, stop := serve(t)
		defer stop()
		r := call(t, "OPTIONS", base+"/hello/alice", "", map[string]string{"Origin": webOrigin, "Access-Control-Request-Method": "GET"})
		wantHeaders(t, r, 403, map[string]string{"Access-Control-Allow-Origin": ""})
		wantBody(t, r, `{"message":"Missing Authentication Token"}`)
		r = call(t, "GET", base+"/hello/alice", "", nil)
		wantHeaders(t, r, 401, map[string]string{"WWW-Authenticate": `Bearer realm="` + opts.Vars["name"].(string) + `"`, "Access-Control-Allow-Origin": ""})
		r = call(t, "GET", base+"/hello/bob", "allow-alice", nil)
		wantHeaders(t, r, 403, map[string]string{"Access-Control-Allow-Origin": ""})
		wantBody(t, r, `{"message":"The token is valid but does not grant access to this resource"}`)
	})
}

func cleanPlan(t *testing.T, opts *terraform.Options) {
	t.Helper()
	if code := terraform.PlanExitCode(t, opts); code != 0 {
		t.Fatalf("second plan is not clean (exit code %d): %s", code, terraform.Plan(t, opts))
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func call(t *testing.T, method, url, token string, headers map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	must(t, err)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// wantHeaders checks the status and each header ("" for absent).
func wantHeaders(t *testing.T, a answer, status int, headers map[string]string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s %v", a.status, status, a.body, a.header)
	}
	for k, v := range headers {
		if got := a.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func wantBody(t *testing.T, a answer, body string) {
	t.Helper()
	if strings.TrimSpace(a.body) != body {
		t.Errorf("body %s, want %s", a.body, body)
	}
}

func merge(a, b map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}
