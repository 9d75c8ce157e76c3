//go:build e2e

package e2e

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// localRun is what a local run deploys with: moto, the checkout, the
// host's packages and the Lambda Runtime Interface Emulator. Terraform
// reaches moto's API Gateway through snaps, which records each deployment as
// it is created, so the gateway serves a stage as API Gateway would: its
// deployment, not moto's current resources.
type localRun struct {
	srv      *moto.Server
	snaps    *gateway.SnapshotProxy
	snapLog  *logBuf
	cfg      aws.Config
	root     string
	arch     string
	dist     string
	emulator string
}

func newLocalRun(t *testing.T) *localRun {
	t.Helper()
	// Its own server (not moto.Start's shared one, which nothing stops
	// without a TestMain): reused from MOTO_ENDPOINT or stopped at the end.
	srv, err := moto.Ensure()
	must(t, err)
	t.Cleanup(srv.Stop)
	cfg, err := srv.Config(context.Background())
	must(t, err)
	root, err := tfmoto.RepoRoot(".")
	must(t, err)
	arch := rie.HostArchitecture()
	dist := packages(t, root, arch)
	emulator, err := rie.FindOrBuild(filepath.Join(root, "bin"))
	must(t, err)
	snapLog := &logBuf{t: t}
	snaps, err := gateway.StartSnapshotProxy(cfg, srv.Endpoint, snapLog)
	must(t, err)
	t.Cleanup(snaps.Close)
	return &localRun{srv: srv, snaps: snaps, snapLog: snapLog, cfg: cfg, root: root, arch: arch, dist: dist, emulator: emulator}
}

// skipUnlessLocal skips a test that needs a local run (E2E_TARGET unset or
// local), saying why.
func skipUnlessLocal(t *testing.T, why string) {
	t.Helper()
	if target := os.Getenv("E2E_TARGET"); target != "" && target != "local" {
		t.Skipf("E2E_TARGET=%s: %s", target, why)
	}
}

// newOktaIssuer serves a loopback Okta-shaped issuer (its default
// authorization server, http://127.0.0.1:PORT/oauth2/default) with one RSA
// key, until the test ends; jwttest.Issuer serves its key set on every path
// but discovery.
func newOktaIssuer(t *testing.T) (key *jwttest.Key, okta *jwttest.Issuer, issuer string) {
	t.Helper()
	key = jwttest.NewRSA("okta-key-1", 2048)
	okta = jwttest.NewIssuer(key)
	t.Cleanup(okta.Close)
	return key, okta, okta.URL() + "/oauth2/default"
}

// localStack is an example applied to moto, its outputs read.
type localStack struct {
	run       *localRun
	dir       string // the example's copy
	name      string
	opts      *terraform.Options
	out       map[string]any
	destroyed bool
}

// apply applies a copy of examples/<example> as a run named
// prefix-<random>, with the region, the architecture and both packages set
// and vars added. A test that ends before destroy still removes the stack.
func (r *localRun) apply(t *testing.T, example, prefix string, vars map[string]any) *localStack {
	t.Helper()
	s := &localStack{run: r, dir: exampleCopyOf(t, r.root, example), name: prefix + "-" + randomHex(4)}
	all := map[string]any{
		"name":               s.name,
		"region":             moto.Region,
		"architecture":       r.arch,
		"authorizer_package": filepath.Join(r.dist, r.arch, "authorizer.zip"),
		"hello_package":      filepath.Join(r.dist, r.arch, "hello.zip"),
	}
	for k, v := range vars {
		all[k] = v
	}
	s.opts = tfmoto.OptionsVia(t, r.srv, s.dir, all, tfmoto.Endpoints{"apigateway": r.snaps.URL})
	s.opts.EnvVars["TF_PLUGIN_CACHE_DIR"] = pluginCache(t, r.root)
	// Registered after OptionsFor's: runs before the override is removed.
	t.Cleanup(func() {
		if !s.destroyed {
			terraform.Destroy(t, s.opts)
		}
	})
	start := time.Now()
	terraform.InitAndApply(t, s.opts)
	// moto 5.2.1 drops identity_validation_expression on CreateAuthorizer
	// and keeps it on UpdateAuthorizer: a second apply converges.
	terraform.Apply(t, s.opts)
	t.Logf("timing: apply %s", time.Since(start).Round(time.Millisecond))
	s.out = terraform.OutputAll(t, s.opts)
	return s
}

// str returns the string output k, which must be set.
func (s *localStack) str(t *testing.T, k string) string {
	t.Helper()
	v, _ := s.out[k].(string)
	if v == "" {
		t.Fatalf("output %s missing: %#v", k, s.out[k])
	}
	return v
}

// serve starts the local gateway on the stack's API and stage, as the
// stage's deployment was created (its snapshot, checked to be the one
// served), with both functions checked to be served, behind an HTTP server.
// It returns the gateway, the stage's base URL and a stop that closes both
// (also done when the test ends); the logs are dumped if the test fails.
func (s *localStack) serve(ctx context.Context, t *testing.T) (*gateway.Local, string, func()) {
	t.Helper()
	r := s.run
	access, functions := &logBuf{t: t}, &logBuf{t: t}
	gw, err := gateway.New(ctx, gateway.Options{
		AWS: r.cfg, Endpoint: r.srv.Endpoint, RestAPIID: s.str(t, "rest_api_id"), Stage: s.str(t, "stage_name"),
		Packages: r.dist, Emulator: r.emulator, AccessLog: access, FunctionLog: functions, Snapshots: r.snaps.Snapshots,
	})
	must(t, err)
	hs := httptest.NewServer(gw)
	stop := func() {
		hs.Close()
		gw.Close()
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("gateway access log:\n%s\nfunction log:\n%s\nsnapshot proxy log:\n%s", access, functions, r.snapLog)
		}
	})
	if api := gw.API(); !api.FromSnapshot {
		t.Fatalf("gateway serves moto's current resources: no snapshot of deployment %s was recorded (recorded: %v)", api.DeploymentID, r.snaps.Snapshots.Deployments(api.ID))
	}
	if authz, hello := s.str(t, "authorizer_function_name"), s.str(t, "hello_function_name"); gw.Function(authz) == nil || gw.Function(hello) == nil {
		t.Fatalf("gateway serves %v, want %s and %s", gw.Functions(), authz, hello)
	}
	return gw, hs.URL + "/" + s.str(t, "stage_name"), stop
}

// planCleanThenDestroy checks that a plan is clean, then destroys the stack.
func (s *localStack) planCleanThenDestroy(t *testing.T) {
	t.Helper()
	t.Run("plan is clean", func(t *testing.T) {
		if code := terraform.PlanExitCode(t, s.opts); code != 0 {
			t.Errorf("terraform plan exit code %d, want 0 (no changes)", code)
		}
	})
	start := time.Now()
	terraform.Destroy(t, s.opts)
	s.destroyed = true
	t.Logf("timing: destroy %s", time.Since(start).Round(time.Millisecond))
}

// finish checks that a plan is clean, destroys the stack and checks that
// nothing of it is left.
func (s *localStack) finish(ctx context.Context, t *testing.T) {
	t.Helper()
	s.planCleanThenDestroy(t)
	assertNothingLeft(ctx, t, s.run.cfg, s.str(t, "user_pool_id"), s.str(t, "rest_api_id"), s.str(t, "key_table_name"),
		s.str(t, "authorizer_function_name"), s.str(t, "hello_function_name"))
}
