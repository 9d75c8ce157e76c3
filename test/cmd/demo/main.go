// Command demo is the one-command local demo (`make demo`, .ci/demo): it
// builds the Lambda packages, starts moto, applies examples/cognito to it,
// creates a demo user, serves the API through the local gateway (the real
// binaries under the Lambda Runtime Interface Emulator), shows three calls
// and a curl line with a live token, serves the sign-in page of web/ on
// another origin (DEMO_WEB_LISTEN) with the demo user's credentials, and on
// Ctrl-C destroys the stack and stops everything it started.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/emftest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

func main() {
	listen := flag.String("listen", envOr("DEMO_LISTEN", "127.0.0.1:8080"), "gateway listen address ($DEMO_LISTEN)")
	webListen := flag.String("web-listen", envOr("DEMO_WEB_LISTEN", "127.0.0.1:8081"), "sign-in page listen address ($DEMO_WEB_LISTEN), another origin than the gateway's")
	motoPort := flag.Int("moto-port", 0, "port of the moto server to start (0: any free port); $MOTO_ENDPOINT reuses a running one")
	flag.Parse()
	d := &demo{listen: *listen, webListen: *webListen, motoPort: *motoPort}
	err := d.run()
	d.cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo: error:", err)
		os.Exit(1)
	}
}

type demo struct {
	listen    string
	webListen string
	motoPort  int
	root      string
	steps     []func() // cleanup, last first
}

func step(format string, a ...any) { fmt.Printf("demo: "+format+"\n", a...) }

func (d *demo) defer_(f func()) { d.steps = append(d.steps, f) }

func (d *demo) cleanup() {
	for i := len(d.steps) - 1; i >= 0; i-- {
		d.steps[i]()
	}
}

func (d *demo) run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	if d.root, err = tfmoto.RepoRoot("."); err != nil {
		return err
	}
	step("[1/7] checking tools")
	if _, err := exec.LookPath("terraform"); err != nil {
		return errors.New("terraform not found on PATH (install Terraform >= 1.5)")
	}
	emulator, err := rie.Find()
	if err != nil {
		step("      aws-lambda-rie not found, building it into bin/ (go install)")
		if emulator, err = rie.FindOrBuild(filepath.Join(d.root, "bin")); err != nil {
			return fmt.Errorf("%w\n  install it with: %s", err, rie.InstallHint)
		}
	}
	// The gateway's port first: fail before spending a minute on the rest.
	ln, err := net.Listen("tcp", d.listen)
	if err != nil {
		return fmt.Errorf("port taken: cannot listen on %s (%v); run with DEMO_LISTEN=127.0.0.1:8081 or stop what uses it", d.listen, err)
	}
	d.defer_(func() { ln.Close() })
	pg, err := listenPage(d.webListen)
	if err != nil {
		return err
	}
	d.defer_(func() { pg.ln.Close() })

	arch := rie.HostArchitecture()
	step("[2/7] building the Lambda packages for %s (go run ./cmd/package)", arch)
	dist := filepath.Join(d.root, "dist")
	if err := d.cmd(ctx, d.root, nil, "go", "run", "./cmd/package", "-arch", arch, "-out", dist); err != nil {
		return fmt.Errorf("build packages: %w", err)
	}

	step("[3/7] starting moto")
	srv, err := d.startMoto()
	if err != nil {
		return err
	}
	step("      moto at %s", srv.Endpoint)
	cfg, err := srv.Config(ctx)
	if err != nil {
		return err
	}

	step("[4/7] applying examples/cognito to moto (terraform init + apply)")
	// A private copy two levels under the root (its source "../../" still
	// names the module): the demo never shares a folder with a test run.
	dir, err := d.exampleCopy()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "demo-")
	if err != nil {
		return err
	}
	d.defer_(func() { os.RemoveAll(tmp) })
	override, err := tfmoto.WriteOverride(dir, srv.Endpoint, filepath.Join(tmp, "terraform.tfstate"))
	if err != nil {
		return err
	}
	d.defer_(func() { os.Remove(override) })
	rc, err := tfmoto.CLIConfig(dir)
	if err != nil {
		return err
	}
	cache := filepath.Join(d.root, "build", "tf-plugin-cache")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	env := append(srv.Env(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "TF_PLUGIN_CACHE_DIR="+cache)
	name := "demo-" + randHex(3)
	vars := []string{
		"-var", "name=" + name, "-var", "architecture=" + arch,
		"-var", "jwks_url=" + srv.Endpoint + "/{user_pool_id}/.well-known/jwks.json",
		"-var", "authorizer_package=" + filepath.Join(dist, arch, "authorizer.zip"),
		"-var", "hello_package=" + filepath.Join(dist, arch, "hello.zip"),
		"-var", "web_origin=" + pg.origin,
	}
	tf := func(ctx context.Context, args ...string) error {
		return d.cmd(ctx, dir, env, "terraform", args...)
	}
	if err := tf(ctx, "init", "-input=false", "-reconfigure", "-no-color"); err != nil {
		return fmt.Errorf("terraform init: %w", err)
	}
	d.defer_(func() {
		step("destroying the stack (terraform destroy)")
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if err := tf(dctx, append([]string{"destroy", "-auto-approve", "-input=false", "-no-color"}, vars...)...); err != nil {
			step("destroy failed: %v", err)
		}
	})
	apply := append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, vars...)
	if err := tf(ctx, apply...); err != nil {
		return fmt.Errorf("terraform apply: %w", err)
	}
	// moto 5.2.1 drops identity_validation_expression on create; a second
	// apply sets it through an update.
	if err := tf(ctx, apply...); err != nil {
		return fmt.Errorf("terraform apply: %w", err)
	}
	var outs map[string]struct{ Value any }
	var buf bytes.Buffer
	c := exec.CommandContext(ctx, "terraform", "output", "-json")
	c.Dir, c.Env, c.Stdout = dir, append(os.Environ(), env...), &buf
	if err := c.Run(); err != nil {
		return fmt.Errorf("terraform output: %w", err)
	}
	if err := json.Unmarshal(buf.Bytes(), &outs); err != nil {
		return fmt.Errorf("terraform output: %w", err)
	}
	out := func(k string) string { s, _ := outs[k].Value.(string); return s }

	step("[5/7] creating the demo user in the Cognito user pool")
	email, password := "demo@example.com", "Demo-"+randHex(4)+"-Pass1"
	token, sub, err := createUser(ctx, cip.NewFromConfig(cfg), out("user_pool_id"), out("user_pool_client_id"), email, password)
	if err != nil {
		return err
	}

	step("[6/7] starting the local gateway (functions under the Lambda Runtime Interface Emulator)")
	// The functions' log is not shown; the metrics it carries are summed
	// for one line at exit.
	var tally emftest.Tally
	gw, err := gateway.New(ctx, gateway.Options{
		AWS: cfg, Endpoint: srv.Endpoint, RestAPIID: out("rest_api_id"), Stage: out("stage_name"),
		Packages: dist, Emulator: emulator, AccessLog: prefixed("gateway: "), FunctionLog: &tally,
	})
	if err != nil {
		return err
	}
	d.defer_(gw.Close)
	hs := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	d.defer_(func() { hs.Close() })
	base := "http://" + ln.Addr().String() + "/" + out("stage_name")
	step("      serving %s", base)

	step("[7/7] three calls")
	other := "00000000-0000-4000-8000-000000000000"
	for _, c := range []struct{ what, path, auth string }{
		{"own path, with the token", "/hello/" + sub, "Bearer " + token},
		{"someone else's path, with the token", "/hello/" + other, "Bearer " + token},
		{"own path, no token", "/hello/" + sub, ""},
	} {
		status, body, err := call(base+c.path, c.auth)
		if err != nil {
			return err
		}
		fmt.Printf("\n  GET %s%s   (%s)\n  → %d %s\n", base, c.path, c.what, status, body)
	}
	fmt.Printf("\nTry it yourself (the token is valid for an hour):\n\n  curl -i -H 'Authorization: Bearer %s' %s/hello/%s\n\n", token, base, sub)
	var pc pageConfig
	pc.API, pc.SignIn = base, "password"
	pc.Cognito.Endpoint, pc.Cognito.ClientID = srv.Endpoint+"/", out("user_pool_client_id")
	ps := pg.serve(filepath.Join(d.root, "web"), pc)
	d.defer_(func() { ps.Close() })
	fmt.Printf("Or in a browser: open the page, sign in with the demo user, press the three buttons.\n\n")
	step("page      %s/", pg.origin)
	step("user      %s", email)
	step("password  %s", password)
	step("running; press Ctrl-C to destroy the stack and stop")
	<-ctx.Done()
	fmt.Println()
	step("%s", tally.Summary())
	step("stopping")
	return nil
}

func (d *demo) exampleCopy() (string, error) {
	src := filepath.Join(d.root, "examples", "cognito")
	dst := filepath.Join(d.root, "build", "demo-"+randHex(3))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	d.defer_(func() { os.RemoveAll(dst) })
	files, err := filepath.Glob(filepath.Join(src, "*.tf"))
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_override.tf") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			return "", err
		}
	}
	return dst, nil
}

// startMoto reuses $MOTO_ENDPOINT or starts moto_server in its own process
// group (moto.Launch), so the terminal's Ctrl-C does not stop it before the
// destroy.
func (d *demo) startMoto() (*moto.Server, error) {
	port := d.motoPort
	if ep := os.Getenv("MOTO_ENDPOINT"); ep != "" {
		if moto.Answers(ep, 2*time.Second) {
			return &moto.Server{Endpoint: ep}, nil
		}
		// Nothing answers there (the Makefile always sets MOTO_ENDPOINT):
		// start moto on that port.
		u, err := url.Parse(ep)
		if err != nil || u.Port() == "" {
			return nil, fmt.Errorf("no moto answers at MOTO_ENDPOINT=%s and it names no port to start one on", ep)
		}
		if port, err = strconv.Atoi(u.Port()); err != nil {
			return nil, fmt.Errorf("MOTO_ENDPOINT=%s: %w", ep, err)
		}
	}
	if port != 0 {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			return nil, fmt.Errorf("port taken: moto cannot listen on 127.0.0.1:%d (%v)", port, err)
		}
		l.Close()
	}
	srv, err := moto.Launch(port, nil)
	if err != nil {
		return nil, err
	}
	d.defer_(func() {
		step("stopping moto")
		srv.Stop()
	})
	return srv, nil
}

// cmd runs a tool with output indented under the progress lines; its own
// process group keeps Ctrl-C from reaching it (ctx cancels it instead).
func (d *demo) cmd(ctx context.Context, dir string, env []string, name string, args ...string) error {
	c := exec.CommandContext(ctx, name, args...)
	c.Dir = dir
	c.Env = append(os.Environ(), env...)
	c.Stdout, c.Stderr = prefixed("      | "), prefixed("      | ")
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// On Ctrl-C let terraform stop gracefully (it saves its state).
	c.Cancel = func() error { return c.Process.Signal(os.Interrupt) }
	c.WaitDelay = time.Minute
	return c.Run()
}

func createUser(ctx context.Context, idp *cip.Client, pool, client, email, password string) (token, sub string, err error) {
	if _, err = idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &pool, Username: &email, MessageAction: ciptypes.MessageActionTypeSuppress,
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: &email}, {Name: aws.String("email_verified"), Value: aws.String("true")}},
	}); err != nil {
		return "", "", fmt.Errorf("create user: %w", err)
	}
	if _, err = idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &pool, Username: &email, Password: &password, Permanent: true}); err != nil {
		return "", "", fmt.Errorf("set password: %w", err)
	}
	auth, err := idp.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: &pool, ClientId: &client, AuthFlow: ciptypes.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		return "", "", fmt.Errorf("sign in: %w", err)
	}
	if auth.AuthenticationResult == nil {
		return "", "", fmt.Errorf("sign in: challenge %s", auth.ChallengeName)
	}
	u, err := idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: &email})
	if err != nil {
		return "", "", fmt.Errorf("get user: %w", err)
	}
	for _, a := range u.UserAttributes {
		if aws.ToString(a.Name) == "sub" {
			sub = aws.ToString(a.Value)
		}
	}
	return aws.ToString(auth.AuthenticationResult.AccessToken), sub, nil
}

func call(u, auth string) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// prefixed writes each line to stdout with a prefix.
type prefixWriter struct {
	prefix string
	buf    []byte
}

func prefixed(p string) io.Writer { return &prefixWriter{prefix: p} }

func (w *prefixWriter) Write(b []byte) (int, error) {
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		fmt.Print(w.prefix + strings.TrimRight(string(w.buf[:i]), "\r") + "\n")
		w.buf = w.buf[i+1:]
	}
	return len(b), nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
