// Command demo is the one-command local demo (`make demo`, .ci/demo): this
// repository's own stack, examples/cognito, run by cmd/local up, the command
// a consumer runs on their own configuration (docs/local.md). cmd/local
// starts moto, builds the packages, applies, serves the API through the
// local gateway and tears everything down on Ctrl-C or `local down`; the
// demo only adds what a Cognito stack needs on top: a demo user in the pool,
// three calls and a curl line with its token, and the sign-in page of web/
// on another origin (DEMO_WEB_LISTEN) with the user's credentials.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

func main() {
	listen := flag.String("listen", envOr("DEMO_LISTEN", "127.0.0.1:8080"), "gateway listen address ($DEMO_LISTEN): cmd/local up -listen")
	webListen := flag.String("web-listen", envOr("DEMO_WEB_LISTEN", "127.0.0.1:8081"), "sign-in page listen address ($DEMO_WEB_LISTEN), another origin than the gateway's")
	flag.Parse()
	d := &demo{listen: *listen, webListen: *webListen}
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
	root      string
	local     string   // the cmd/local binary
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
	// Ctrl-C reaches the demo only (up runs in its own process group): it
	// passes it on to up, which destroys and stops, and waits for it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	if d.root, err = tfmoto.RepoRoot("."); err != nil {
		return err
	}
	// cmd/local, built next to this command (bin/ under make demo).
	self, err := os.Executable()
	if err != nil {
		return err
	}
	d.local = filepath.Join(filepath.Dir(self), "local")
	step("building cmd/local (go build -o %s ./cmd/local)", d.local)
	build := exec.CommandContext(ctx, "go", "build", "-o", d.local, "./cmd/local")
	build.Dir, build.Stdout, build.Stderr = d.root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build cmd/local: %w", err)
	}
	// The page's port first: its origin is the API's cors.allow_origin.
	pg, err := listenPage(d.webListen)
	if err != nil {
		return err
	}
	d.defer_(func() { pg.ln.Close() })

	// A private copy two levels under the root (its source "../../" still
	// names the module): the demo never shares a folder with a test run.
	name := "demo-" + randHex(3)
	dir, err := copyExample(filepath.Join(d.root, "examples", "cognito"), filepath.Join(d.root, "build", name))
	if err != nil {
		return err
	}
	env := append(os.Environ(), "TF_VAR_name="+name, "TF_VAR_web_origin="+pg.origin)
	if ep := os.Getenv("MOTO_ENDPOINT"); ep != "" && !moto.Answers(ep, 2*time.Second) {
		// The Makefile always sets MOTO_ENDPOINT: with nothing there, up
		// starts its own moto on a free port.
		step("no moto answers at MOTO_ENDPOINT=%s: cmd/local starts its own", ep)
		env = append(env, "MOTO_ENDPOINT=")
	}
	up := exec.Command(d.local, "up", "-chdir", dir, "-listen", d.listen)
	up.Dir, up.Env, up.Stderr = d.root, env, os.Stderr
	up.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := up.StdoutPipe()
	if err != nil {
		return err
	}
	step("running %s up -chdir %s -listen %s", d.local, dir, d.listen)
	if err := up.Start(); err != nil {
		return fmt.Errorf("start cmd/local up: %w", err)
	}
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			fmt.Println(sc.Text())
			if sc.Text() == "local: ready" {
				close(ready)
			}
		}
		_, _ = io.Copy(io.Discard, out)
		done <- up.Wait()
	}()
	// up removes .local when it tore down cleanly: the copy goes too; on
	// failure it keeps its logs there.
	upErr := func(err error) error {
		if err == nil {
			return os.RemoveAll(dir)
		}
		return fmt.Errorf("cmd/local up: %w (its logs: %s)", err, filepath.Join(dir, ".local", "logs"))
	}
	select {
	case err := <-done:
		if err == nil {
			err = errors.New("ended before it was ready")
		}
		return upErr(err)
	case <-ctx.Done():
		return upErr(stopUp(up, done))
	case <-ready:
	}

	if err := d.extras(ctx, dir, pg); err != nil {
		return errors.Join(err, upErr(stopUp(up, done)))
	}
	select {
	case err := <-done: // `local down` from another terminal
		return upErr(err)
	case <-ctx.Done():
		fmt.Println()
		step("stopping: cmd/local up destroys the stack and stops")
		return upErr(stopUp(up, done))
	}
}

// stopUp asks up to tear down, as Ctrl-C in its own terminal does, and waits.
func stopUp(up *exec.Cmd, done <-chan error) error {
	_ = up.Process.Signal(os.Interrupt)
	return <-done
}

// extras are the demo's steps on top of up: the demo user, three calls, the
// sign-in page.
func (d *demo) extras(ctx context.Context, dir string, pg *page) error {
	var st struct {
		MotoEndpoint string `json:"motoEndpoint"`
		Gateways     []struct {
			URL string `json:"url"`
		} `json:"gateways"`
	}
	var tfstate struct {
		Outputs map[string]struct{ Value any } `json:"outputs"`
	}
	if err := readJSON(filepath.Join(dir, ".local", "state.json"), &st); err != nil {
		return err
	}
	if err := readJSON(filepath.Join(dir, ".local", "terraform.tfstate"), &tfstate); err != nil {
		return err
	}
	if len(st.Gateways) != 1 {
		return fmt.Errorf("cmd/local serves %d REST APIs, want 1", len(st.Gateways))
	}
	out := func(k string) string { s, _ := tfstate.Outputs[k].Value.(string); return s }
	base := st.Gateways[0].URL
	cfg, err := (&moto.Server{Endpoint: st.MotoEndpoint}).Config(ctx)
	if err != nil {
		return err
	}

	step("creating the demo user in the Cognito user pool")
	email, password := "demo@example.com", "Demo-"+randHex(4)+"-Pass1"
	token, sub, err := createUser(ctx, cip.NewFromConfig(cfg), out("user_pool_id"), out("user_pool_client_id"), email, password)
	if err != nil {
		return err
	}

	step("three calls")
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
	pc.Cognito.Endpoint, pc.Cognito.ClientID = st.MotoEndpoint+"/", out("user_pool_client_id")
	ps := pg.serve(filepath.Join(d.root, "web"), pc)
	d.defer_(func() { ps.Close() })
	fmt.Printf("Or in a browser: open the page, sign in with the demo user, press the three buttons.\n\n")
	step("page      %s/", pg.origin)
	step("user      %s", email)
	step("password  %s", password)
	step("running; press Ctrl-C (or run %s down -chdir %s) to destroy the stack and stop", d.local, dir)
	return nil
}

// copyExample copies src's *.tf files (not its overrides) to dst.
func copyExample(src, dst string) (string, error) {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
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

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
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
