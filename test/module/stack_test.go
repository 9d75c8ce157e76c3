//go:build moto

package module

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// testArch is the architecture the module test deploys: the host's, whose
// packages `go run ./cmd/package -arch x86_64 -out dist` writes.
const testArch = "x86_64"

// fixture is what every test of the package deploys with: moto, an AWS
// configuration for reading it back, the checkout and a snapshot of the
// packages.
type fixture struct {
	srv  *moto.Server
	cfg  aws.Config
	root string
	dist string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := motoServer(t)
	root, err := tfmoto.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := srv.Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, cfg: cfg, root: root, dist: packages(t, root)}
}

// zip is the path of the package fn ("authorizer", "hello").
func (f *fixture) zip(fn string) string {
	return filepath.Join(f.dist, testArch, fn+".zip")
}

// exampleStack applies examples/<example> as a run named prefix-<random>,
// with the region, the architecture and the authorizer's package set and
// vars added.
func (f *fixture) exampleStack(t *testing.T, example, prefix string, vars map[string]any) *stack {
	t.Helper()
	name := prefix + "-" + strings.ToLower(random.UniqueId())
	all := map[string]any{
		"name":               name,
		"region":             moto.Region,
		"architecture":       testArch,
		"authorizer_package": f.zip("authorizer"),
	}
	for k, v := range vars {
		all[k] = v
	}
	return f.apply(t, filepath.Join(f.root, "examples", example), name, all)
}

// stack is one applied configuration, its outputs read.
type stack struct {
	cfg       aws.Config
	name      string
	opts      *terraform.Options
	out       map[string]any
	destroyed bool
}

// apply applies the configuration in dir to moto, converged (see
// applyConverged), and reads its outputs. A test that ends before destroy
// still removes the stack.
func (f *fixture) apply(t *testing.T, dir, name string, vars map[string]any) *stack {
	t.Helper()
	s := &stack{cfg: f.cfg, name: name, opts: tfmoto.OptionsFor(t, f.srv, dir, vars)}
	// Registered after OptionsFor's: runs before the override is removed.
	t.Cleanup(func() {
		if !s.destroyed {
			terraform.Destroy(t, s.opts)
		}
	})
	applyConverged(t, s.opts)
	s.out = terraform.OutputAll(t, s.opts)
	return s
}

// str returns the string output k, which must be set.
func (s *stack) str(t *testing.T, k string) string {
	t.Helper()
	v, ok := s.out[k].(string)
	if !ok || v == "" {
		t.Fatalf("output %s: got %#v", k, s.out[k])
	}
	return v
}

// destroy destroys the stack and checks that moto holds nothing named
// after it.
func (s *stack) destroy(t *testing.T) {
	t.Helper()
	start := time.Now()
	terraform.Destroy(t, s.opts)
	s.destroyed = true
	t.Logf("timing: destroy %s", time.Since(start).Round(time.Millisecond))
	assertGone(context.Background(), t, s.cfg, s.name)
}

// applyConverged runs init and apply, a second apply and a plan that must
// be empty. moto 5.2.1 drops identity_validation_expression from
// CreateAuthorizer (it keeps it on UpdateAuthorizer), so the first apply
// always leaves a one-attribute diff on aws_api_gateway_authorizer; the
// second apply converges. The module is not changed to suit moto.
func applyConverged(t *testing.T, opts *terraform.Options) {
	t.Helper()
	start := time.Now()
	terraform.InitAndApply(t, opts)
	t.Logf("timing: init+apply %s", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	terraform.Apply(t, opts)
	t.Logf("timing: second apply %s", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	code := terraform.PlanExitCode(t, opts)
	t.Logf("timing: plan %s", time.Since(start).Round(time.Millisecond))
	if code != 0 {
		t.Errorf("plan after apply exit code = %d, want 0 (no changes)", code)
	}
}

// motoServer returns the moto at MOTO_ENDPOINT, or one started for this test
// and stopped when it ends (the package has no TestMain to stop moto.Start's
// shared server, which would outlive the test binary).
func motoServer(t *testing.T) *moto.Server {
	t.Helper()
	srv, err := moto.Ensure()
	if err != nil {
		t.Fatalf("moto: %v (install moto[server] or set MOTO_ENDPOINT)", err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

// packages returns a private snapshot of <arch>/{authorizer,hello}.zip
// taken from JWTAUTHZ_DIST when set, else from the checkout's dist/ (built
// with cmd/package when the zips are missing). The snapshot keeps the
// deployed bytes stable if dist/ is rebuilt while the test runs, which would
// otherwise change filebase64sha256 between plan and apply.
func packages(t *testing.T, root string) string {
	t.Helper()
	dist := os.Getenv("JWTAUTHZ_DIST")
	if dist == "" {
		dist = filepath.Join(root, "dist")
		_, errA := os.Stat(filepath.Join(dist, testArch, "authorizer.zip"))
		_, errH := os.Stat(filepath.Join(dist, testArch, "hello.zip"))
		if errA != nil || errH != nil {
			cmd := exec.Command("go", "run", "./cmd/package", "-arch", testArch, "-out", dist)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("build packages: %v\n%s", err, out)
			}
		}
	}
	snap := t.TempDir()
	if err := os.MkdirAll(filepath.Join(snap, testArch), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"authorizer.zip", "hello.zip"} {
		b, err := os.ReadFile(filepath.Join(dist, testArch, fn))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(snap, testArch, fn), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return snap
}
