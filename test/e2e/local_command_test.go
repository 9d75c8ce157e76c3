//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// consumerExample is the example a consumer copies: their own REST API, two
// routes to their function (one scoped), an open /health and gateway
// responses, protected by modules/authorizer.
const consumerExample = "examples/existing-api"

// The example's gateway responses (examples/existing-api/main.tf).
const (
	bodyExampleDenied       = `{"message":"Forbidden: this token does not grant this route"}`
	bodyExampleUnauthorized = `{"message":"Unauthorized"}`
)

// TestE2ELocalCommand runs cmd/local as a consumer does: up on their
// folder (examples/existing-api copied out of the repository, the module as
// a git source at the current commit), a token of the loopback issuer, curl-like calls (200 on their own
// route with the scope, 403 on another user's path or without the route's
// scope, 401 without a token, 200 on the open route), then down; nothing is
// left: no override, no .local, no process, nothing in moto.
func TestE2ELocalCommand(t *testing.T) {
	skipUnlessLocal(t, "cmd/local runs on moto only")
	root, err := tfmoto.RepoRoot(".")
	must(t, err)
	dir := copyExample(t, root, consumerExample)
	rc, err := tfmoto.CLIConfig(dir)
	must(t, err)
	srv, err := moto.Ensure() // MOTO_ENDPOINT's, or one stopped at the end
	must(t, err)
	t.Cleanup(srv.Stop)

	bin := filepath.Join(t.TempDir(), "local")
	build := exec.Command("go", "build", "-o", bin, "./cmd/local")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/local: %v\n%s", err, out)
	}
	// The example's required issuer, as a consumer sets it; local_run's
	// loopback issuer is used in its place.
	env := append(os.Environ(), "MOTO_ENDPOINT="+srv.Endpoint, "TF_CLI_CONFIG_FILE="+rc,
		"TF_VAR_issuer=https://dev-123456.okta.com/oauth2/default")
	local := func(args ...string) (string, error) {
		c := exec.Command(bin, args...)
		c.Env = env
		var stderr strings.Builder
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			return string(out), errors.New(err.Error() + ": " + stderr.String())
		}
		return string(out), nil
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	up := exec.CommandContext(ctx, bin, "up", "-chdir", dir, "-listen", "127.0.0.1:0")
	up.Env = env
	up.Stderr = os.Stderr
	stdout, err := up.StdoutPipe()
	must(t, err)
	must(t, up.Start())
	upDone := make(chan error, 1)
	// Buffered beyond anything up prints, so up never waits on the test;
	// only the test's goroutine logs (never after the test ends).
	lines := make(chan string, 4096)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		upDone <- up.Wait()
	}()
	// However the test ends, nothing stays: down, then the process killed.
	t.Cleanup(func() {
		if up.ProcessState == nil {
			_, _ = local("down", "-chdir", dir)
			_ = up.Process.Kill()
		}
	})

	// up's progress lines, until ready; the gateway's URL from them.
	base := ""
	stageLine := regexp.MustCompile(`stage v1 at (http://127\.0\.0\.1:\d+/v1)$`)
	for ready := false; !ready; {
		line, ok := <-lines
		if !ok {
			t.Fatalf("up ended before ready: %v", <-upDone)
		}
		t.Log(line)
		if m := stageLine.FindStringSubmatch(line); m != nil {
			base = m[1]
		}
		ready = line == "local: ready"
	}
	if base == "" {
		t.Fatal("up printed no gateway URL")
	}
	st := readLocalState(t, dir)

	token := func(args ...string) string {
		t.Helper()
		out, err := local(append([]string{"token", "-chdir", dir}, args...)...)
		must(t, err)
		return strings.TrimSpace(out)
	}
	aliceOrders := token("-sub", "alice", "-scope", "orders.read")
	alice := token("-sub", "alice")
	bob := token("--sub", "bob", "--scope", "profile.read", "--group", "admins")
	if c := claimsOf(t, bob); c["scope"] != "profile.read" || c["sub"] != "bob" || c["iss"] != st.IssuerURL || c["aud"] != "local" {
		t.Errorf("token claims %v", c)
	}

	for _, c := range []struct {
		name, path, token string
		status            int
		body              string
	}{
		{"own route with its scope", "/users/alice/orders", aliceOrders, 200, `{"message":"Hello, alice!","userId":"alice"}`},
		{"another user's path", "/users/bob/orders", aliceOrders, 403, bodyExampleDenied},
		{"own route without its scope", "/users/alice/orders", alice, 403, bodyExampleDenied},
		{"own unscoped route", "/users/alice/profile", alice, 200, `{"message":"Hello, alice!","userId":"alice"}`},
		{"no token", "/users/alice/orders", "", 401, bodyExampleUnauthorized},
		{"another user's token on the unscoped route", "/users/alice/profile", bob, 403, bodyExampleDenied},
		{"open route, no token", "/health", "", 200, `{"status":"ok"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if status, body := get(t, base+c.path, c.token); status != c.status || body != c.body {
				t.Errorf("GET %s: %d %s, want %d %s", c.path, status, body, c.status, c.body)
			}
		})
	}

	// down: up destroys, stops and cleans up, then ends.
	if out, err := local("down", "-chdir", dir); err != nil {
		t.Fatalf("down: %v\n%s", err, out)
	}
	select {
	case err := <-upDone:
		for line := range lines { // closed before upDone is sent
			t.Log(line)
		}
		if err != nil {
			t.Errorf("up ended with %v after down", err)
		}
	case <-ctx.Done():
		t.Fatal("up still running after down")
	}
	for _, f := range []string{"local_moto_override.tf", ".local", ".terraform.lock.hcl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s left in the consumer's folder after down (%v)", f, err)
		}
	}
	if st.MotoPID != 0 && syscall.Kill(st.MotoPID, 0) == nil {
		t.Errorf("moto (pid %d) that up started still runs", st.MotoPID)
	}
	if left := processesNaming(t, filepath.Join(dir, ".local")); len(left) > 0 {
		t.Errorf("processes left after down: %v", left)
	}
	cfg, err := srv.Config(context.Background())
	must(t, err)
	apis, err := apigateway.NewFromConfig(cfg).GetRestApis(context.Background(), &apigateway.GetRestApisInput{})
	must(t, err)
	for _, a := range apis.Items {
		if a.Id != nil && *a.Id == st.Gateways[0].RestAPIID {
			t.Errorf("REST API %s left in moto after down", *a.Id)
		}
	}
	for _, fn := range []string{"orders-api-orders", "orders-api-authorizer"} {
		if _, err := lambda.NewFromConfig(cfg).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: &fn}); err == nil {
			t.Errorf("function %s left in moto after down", fn)
		}
	}
}

// localState is what the test reads of cmd/local's .local/state.json.
type localState struct {
	MotoPID   int    `json:"motoPid"`
	IssuerURL string `json:"issuerUrl"`
	Gateways  []struct {
		RestAPIID string `json:"restApiId"`
	} `json:"gateways"`
}

func readLocalState(t *testing.T, dir string) localState {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ".local", "state.json"))
	must(t, err)
	var st localState
	must(t, json.Unmarshal(b, &st))
	if len(st.Gateways) != 1 {
		t.Fatalf("state lists %d gateways, want 1", len(st.Gateways))
	}
	return st
}

// processesNaming lists the processes whose command line or working folder
// names path (the functions under the emulator run from .local/work).
func processesNaming(t *testing.T, path string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Logf("no /proc (%v): process check skipped on this OS", err)
		return nil
	}
	var out []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		cwd, _ := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if strings.Contains(string(cmdline), path) || strings.HasPrefix(cwd, path) {
			out = append(out, e.Name()+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return out
}

// copyExample copies an example out of the repository into a folder of the
// test, with the module's source rewritten to a git source at the current
// commit, as a consumer's repository holds it.
func copyExample(t *testing.T, root, example string) string {
	t.Helper()
	rev, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	must(t, err)
	dir := filepath.Join(t.TempDir(), "consumer")
	must(t, os.MkdirAll(dir, 0o755))
	files, err := filepath.Glob(filepath.Join(root, example, "*.tf"))
	must(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		must(t, err)
		src := strings.ReplaceAll(string(b), `source = "../../modules/`,
			`source = "git::file://`+root+`//modules/`)
		src = strings.ReplaceAll(src, `//modules/authorizer"`, `//modules/authorizer?ref=`+strings.TrimSpace(string(rev))+`"`)
		must(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(src), 0o644))
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "main.tf")); !strings.Contains(string(b), "git::file://") {
		t.Fatalf("%s: no module source rewritten", example)
	}
	return dir
}
