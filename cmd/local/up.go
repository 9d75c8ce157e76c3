package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/emftest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// ErrAlreadyUp is returned by up when the folder holds a run already.
var ErrAlreadyUp = errors.New("a local run is recorded in this folder")

// KeyID is the kid of the loopback issuer's signing key.
const KeyID = "local-1"

// Steps of up, for the progress lines.
const upSteps = 7

// up is one run of the up command: what it started, stopped last first.
type up struct {
	p       paths
	listen  string
	st      *state
	tf      *terraform
	stops   []func()
	snaps   *gateway.SnapshotProxy // closed after the destroy, which goes through it
	failed  bool
	started time.Time
	metrics emftest.Tally // the functions' EMF records, summed in one line at stop
}

func upCommand(args []string) error {
	fs := flag.NewFlagSet("up", flag.ExitOnError)
	chdir := fs.String("chdir", ".", "the Terraform configuration to run (its root folder)")
	listen := fs.String("listen", "127.0.0.1:8080", "address of the first REST API's gateway; the next ones take the following ports (port 0: free ports)")
	aud := fs.String("aud", "local", "the audience (aud) the issuer's tokens carry: TF_VAR_local_run.audience")
	_ = fs.Parse(args)
	p, err := rootOf(*chdir)
	if err != nil {
		return err
	}
	u := &up{p: p, listen: *listen, started: time.Now()}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = u.run(ctx, *aud)
	if err != nil {
		u.failed = true
		fmt.Fprintln(os.Stderr, "local: error:", err)
		say("tearing down what was started")
	}
	u.teardown()
	if err != nil {
		os.Exit(1)
	}
	return nil
}

func (u *up) onStop(f func()) { u.stops = append(u.stops, f) }

func (u *up) run(ctx context.Context, aud string) error {
	// [1] What must be there before a minute goes into the rest.
	say("[1/%d] checking %s", upSteps, u.p.root)
	if st, err := u.p.load(); err == nil {
		if alive(st.UpPID) {
			return &stepError{step: "check", err: fmt.Errorf("%w: up is running as pid %d", ErrAlreadyUp, st.UpPID), rerun: self() + " down -chdir " + u.p.root}
		}
		return &stepError{step: "check", err: fmt.Errorf("%w: an earlier up ended without tearing down", ErrAlreadyUp), rerun: self() + " down -chdir " + u.p.root + ", then up again"}
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		return &stepError{step: "check", err: errors.New("terraform not found on PATH (install Terraform >= 1.5)")}
	}
	if err := os.MkdirAll(u.p.logs(), 0o755); err != nil {
		return err
	}
	lock, err := readLock(u.p.lockFile())
	if err != nil {
		return err
	}
	u.st = &state{Root: u.p.root, UpPID: os.Getpid(), Audience: aud, LockFile: lock}
	if err := u.p.save(u.st); err != nil {
		return err
	}
	emulator, err := rie.Find()
	if err != nil {
		say("      aws-lambda-rie not found: building it into %s (go install)", filepath.Join(u.p.dir(), "bin"))
		if emulator, err = rie.FindOrBuild(filepath.Join(u.p.dir(), "bin")); err != nil {
			return &stepError{step: "check", err: err, rerun: rie.InstallHint}
		}
	}
	first, err := net.Listen("tcp", u.listen)
	if err != nil {
		return &stepError{step: "check", err: fmt.Errorf("port taken: cannot listen on %s (%v)", u.listen, err), rerun: self() + " up -chdir " + u.p.root + " -listen 127.0.0.1:0"}
	}
	u.onStop(func() { first.Close() })

	// [2] moto.
	say("[2/%d] moto", upSteps)
	if err := u.moto(); err != nil {
		return err
	}
	say("      moto at %s", u.st.MotoEndpoint)

	// [3] The loopback issuer; its key stays in .local for token.
	say("[3/%d] starting the loopback OpenID Connect issuer", upSteps)
	key := jwttest.NewRSA(KeyID, 2048)
	if err := writeKey(u.p.key(), key); err != nil {
		return err
	}
	iss := jwttest.NewIssuer(key)
	u.onStop(iss.Close)
	u.st.IssuerURL = iss.URL()
	if err := u.p.save(u.st); err != nil {
		return err
	}
	say("      issuer %s (discovery %s%s, keys %s)", iss.URL(), iss.URL(), jwttest.DiscoveryPath, iss.JWKSURL())

	// [4] The module's packages for this machine's architecture.
	arch := rie.HostArchitecture()
	say("[4/%d] building the Lambda packages for %s (cmd/package) into %s", upSteps, arch, u.p.dist())
	if err := u.packages(ctx, arch); err != nil {
		return err
	}

	// [5] Terraform on moto.
	say("[5/%d] applying %s to moto (override %s, state in %s)", upSteps, u.p.root, OverrideFile, StateDir)
	lr := localRun{Issuer: iss.URL(), Audience: aud, Architecture: arch, Packages: filepath.Join(u.p.dist(), arch), MotoEndpoint: u.st.MotoEndpoint}
	if u.tf, err = newTerraform(u.p, u.st.MotoEndpoint, lr); err != nil {
		return err
	}
	u.st.LocalRun = &lr
	if err := u.p.save(u.st); err != nil {
		return err
	}
	if err := u.tf.writeEnv(); err != nil {
		return err
	}
	// API Gateway's calls go through a SnapshotProxy: it records each
	// deployment as it is created (the gateway serves a stage as its
	// deployment, as API Gateway does) and puts back the authorizer's
	// identity_validation_expression moto drops on create.
	cfg, err := (&moto.Server{Endpoint: u.st.MotoEndpoint}).Config(ctx)
	if err != nil {
		return err
	}
	snapLog, err := os.OpenFile(u.p.log("snapshots"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if u.snaps, err = gateway.StartSnapshotProxy(cfg, u.st.MotoEndpoint, snapLog); err != nil {
		snapLog.Close()
		return &stepError{step: "snapshot proxy", err: err, log: u.p.log("snapshots")}
	}
	if err := os.WriteFile(u.p.override(), []byte(Override(u.st.MotoEndpoint, u.snaps.URL, u.p.tfstate())), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", OverrideFile, err)
	}
	if err := u.tf.init(ctx); err != nil {
		return err
	}
	if err := u.tf.applyUntilClean(ctx); err != nil {
		return err
	}
	say("      the plan is clean")

	// [6] A gateway per REST API stage in the state.
	say("[6/%d] starting the local gateways (functions under the Lambda Runtime Interface Emulator)", upSteps)
	dep, err := u.tf.readState(ctx)
	if err != nil {
		return &stepError{step: "read state", err: err, log: u.tf.log()}
	}
	if len(dep.stages) == 0 {
		return &stepError{step: "read state", err: errors.New("no aws_api_gateway_stage in the state: nothing to serve")}
	}
	gws, err := u.gateways(ctx, dep, emulator, first)
	if err != nil {
		return err
	}
	u.st.Gateways, u.st.Ready = gws, true
	if err := u.p.save(u.st); err != nil {
		return err
	}

	// [7] Ready.
	say("[7/%d] ready in %s", upSteps, time.Since(u.started).Round(time.Second))
	fmt.Printf("\nAdd to your .gitignore: %s/ and %s (or *_override.tf)\n", StateDir, OverrideFile)
	fmt.Printf("Press Ctrl-C here, or run `%s down -chdir %s`, to destroy and stop everything.\n", self(), u.p.root)
	say("ready")
	<-ctx.Done()
	fmt.Println()
	say("%s", u.metrics.Summary())
	say("stopping")
	return nil
}

// moto reuses the server at $MOTO_ENDPOINT or starts one in its own
// process group (Ctrl-C reaches up, which destroys before it stops moto).
func (u *up) moto() error {
	if ep := strings.TrimRight(os.Getenv("MOTO_ENDPOINT"), "/"); ep != "" {
		if !moto.Answers(ep, 2*time.Second) {
			return &stepError{step: "moto", err: fmt.Errorf("no moto answers at MOTO_ENDPOINT=%s", ep), rerun: "unset MOTO_ENDPOINT (up then starts moto), or start moto_server there"}
		}
		u.st.MotoEndpoint = ep
		return u.p.save(u.st)
	}
	logf, err := os.Create(u.p.log("moto"))
	if err != nil {
		return err
	}
	srv, err := moto.Launch(0, logf)
	if err != nil {
		logf.Close()
		return &stepError{step: "moto", err: err, log: u.p.log("moto")}
	}
	u.st.MotoEndpoint, u.st.MotoPID = srv.Endpoint, srv.PID()
	return u.p.save(u.st)
}

// packages builds the module's packages with cmd/package, from the module's
// source this command was built from (the checkout, or the module cache
// under go run …@version).
func (u *up) packages(ctx context.Context, arch string) error {
	_, file, _, ok := runtime.Caller(0)
	src := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	if _, err := os.Stat(filepath.Join(src, "cmd", "package", "main.go")); !ok || err != nil {
		return &stepError{step: "packages", err: fmt.Errorf("the module's source is not at %s (built with -trimpath?)", src), rerun: "go run " + modulePath + "/cmd/local@VERSION up -chdir " + u.p.root}
	}
	args := []string{"run", "./cmd/package", "-arch", arch, "-out", u.p.dist()}
	if err := run(ctx, 10*time.Minute, src, nil, u.p.log("packages"), "go", args...); err != nil {
		return &stepError{step: "packages", err: err, log: u.p.log("packages"), rerun: "(cd " + src + " && go " + strings.Join(args, " ") + ")"}
	}
	return nil
}

// gateways serves each stage on its own port: first's, then the next ones.
func (u *up) gateways(ctx context.Context, dep *deployed, emulator string, first net.Listener) ([]served, error) {
	cfg, err := (&moto.Server{Endpoint: u.st.MotoEndpoint}).Config(ctx)
	if err != nil {
		return nil, err
	}
	access, err := os.OpenFile(u.p.log("gateway"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	u.onStop(func() { access.Close() })
	fnLog, err := os.OpenFile(u.p.log("functions"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	u.onStop(func() { fnLog.Close() })
	var out []served
	for i, s := range dep.stages {
		gw, err := gateway.New(ctx, gateway.Options{
			AWS: cfg, Endpoint: u.st.MotoEndpoint, RestAPIID: s.restAPIID, Stage: s.name,
			Packages: u.p.dist(), Zips: dep.zips, Emulator: emulator, Snapshots: u.snaps.Snapshots,
			WorkDir:   filepath.Join(u.p.work(), s.restAPIID+"-"+s.name),
			AccessLog: io.MultiWriter(os.Stdout, access), FunctionLog: io.MultiWriter(fnLog, &u.metrics),
		})
		if err != nil {
			return nil, &stepError{step: "gateway", err: fmt.Errorf("serve %s stage %s: %w", s.restAPIID, s.name, err), rerun: self() + " up -chdir " + u.p.root}
		}
		u.onStop(gw.Close)
		ln := first
		if i > 0 {
			if ln, err = net.Listen("tcp", nextAddr(u.listen, i)); err != nil {
				return nil, &stepError{step: "gateway", err: fmt.Errorf("port taken: %w", err), rerun: self() + " up -chdir " + u.p.root + " -listen 127.0.0.1:0"}
			}
		}
		hs := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = hs.Serve(ln) }()
		u.onStop(func() { hs.Close() })
		api := gw.API()
		base := "http://" + ln.Addr().String() + "/" + api.Stage
		out = append(out, served{Name: api.Name, RestAPIID: api.ID, Stage: api.Stage, URL: base})
		say("      %s (%s) stage %s at %s", api.Name, api.ID, api.Stage, base)
		printRoutes(u.p.root, base, api)
	}
	return out, nil
}

// nextAddr is listen with its port moved up by i (port 0 stays 0).
func nextAddr(listen string, i int) string {
	host, port, err := net.SplitHostPort(listen)
	n, err2 := strconv.Atoi(port)
	if err != nil || err2 != nil || n == 0 {
		return net.JoinHostPort(host, "0")
	}
	return net.JoinHostPort(host, strconv.Itoa(n+i))
}

// printRoutes prints each route with a curl line; a route behind the
// authorizer gets a token with the scopes the authorizer's ROUTES ask for.
func printRoutes(root, base string, api *gateway.API) {
	scopes := routeScopes(api)
	var lines []string
	for _, r := range api.Resources {
		for verb, m := range r.Methods {
			if verb == "OPTIONS" {
				continue
			}
			path := examplePath(r.Path)
			if m.AuthorizationType == "NONE" {
				lines = append(lines, fmt.Sprintf("  %s %s   (open)\n    curl -i -X %s %s%s", verb, r.Path, verb, base, path))
				continue
			}
			tok := self() + " token -chdir " + root + " -sub alice"
			for _, s := range scopes[verb+r.Path] {
				tok += " -scope " + s
			}
			lines = append(lines, fmt.Sprintf("  %s %s   (%s)\n    curl -i -X %s -H \"Authorization: Bearer $(%s)\" %s%s", verb, r.Path, m.AuthorizationType, verb, tok, base, path))
		}
	}
	sort.Strings(lines)
	fmt.Println(strings.Join(lines, "\n"))
}

// examplePath fills a route's parameters: {userId} with alice (the
// default -sub of token), others with an example value.
func examplePath(p string) string {
	p = strings.ReplaceAll(p, "{userId}", "alice")
	p = strings.ReplaceAll(p, "{proxy+}", "any/path")
	for {
		i := strings.Index(p, "{")
		j := strings.Index(p, "}")
		if i < 0 || j < i {
			return p
		}
		p = p[:i] + "example" + p[j+1:]
	}
}

// routeScopes reads the scopes of each route ("VERB/path") from the ROUTES
// setting of the API's authorizer functions.
func routeScopes(api *gateway.API) map[string][]string {
	out := map[string][]string{}
	for _, a := range api.Authorizers {
		fn := api.Functions[a.FunctionARN]
		if fn == nil {
			continue
		}
		var routes []struct {
			Route  string   `json:"route"`
			Scopes []string `json:"scopes"`
		}
		if json.Unmarshal([]byte(fn.Env["ROUTES"]), &routes) != nil {
			continue
		}
		for _, r := range routes {
			out[r.Route] = r.Scopes
		}
	}
	return out
}

// teardown stops what up started, last first, then destroys and cleans up.
func (u *up) teardown() {
	for i := len(u.stops) - 1; i >= 0; i-- {
		u.stops[i]()
	}
	if u.st == nil {
		return
	}
	err := cleanup(context.Background(), u.p, u.st, u.tf, u.failed)
	if u.snaps != nil {
		u.snaps.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "local: error:", err)
		os.Exit(1)
	}
}

// cleanup destroys the applied stack (while moto still answers), stops the
// moto up started, removes the override and puts the lock file back. It
// removes .local, or only keeps its logs when the run failed; a failed
// destroy keeps everything so that down can try again.
func cleanup(ctx context.Context, p paths, st *state, tf *terraform, failed bool) error {
	if tf != nil && st.MotoEndpoint != "" {
		if _, err := os.Stat(p.tfstate()); err == nil && moto.Answers(st.MotoEndpoint, 2*time.Second) {
			if st.UpPID != os.Getpid() {
				// up's SnapshotProxy went with it: straight to moto.
				if err := os.WriteFile(p.override(), []byte(Override(st.MotoEndpoint, "", p.tfstate())), 0o644); err != nil {
					return fmt.Errorf("write %s: %w", OverrideFile, err)
				}
			}
			say("destroying the stack (terraform destroy)")
			if err := tf.destroy(ctx); err != nil {
				if st.MotoPID == 0 {
					return fmt.Errorf("%w\n  (kept %s and %s: run down again once it is fixed)", err, StateDir, OverrideFile)
				}
				say("destroy failed (%v); moto is stopped anyway, so nothing stays", err)
			}
		}
	}
	if st.MotoPID != 0 && alive(st.MotoPID) {
		say("stopping moto (pid %d)", st.MotoPID)
		_ = syscall.Kill(-st.MotoPID, syscall.SIGKILL)
		waitGone(st.MotoPID, 30*time.Second)
	}
	if err := os.Remove(p.override()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := restoreLock(p.lockFile(), st.LockFile); err != nil {
		return err
	}
	if failed {
		for _, e := range mustReadDir(p.dir()) {
			if e.Name() != "logs" {
				_ = os.RemoveAll(filepath.Join(p.dir(), e.Name()))
			}
		}
		say("removed %s; kept the logs in %s", OverrideFile, p.logs())
		return nil
	}
	if err := os.RemoveAll(p.dir()); err != nil {
		return err
	}
	say("removed %s and %s/", OverrideFile, StateDir)
	return nil
}

func mustReadDir(d string) []os.DirEntry {
	es, _ := os.ReadDir(d)
	return es
}

// waitGone waits until pid no longer exists, at most limit.
func waitGone(pid int, limit time.Duration) bool {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	end := time.After(limit)
	for alive(pid) {
		select {
		case <-t.C:
		case <-end:
			return false
		}
	}
	return true
}

func readLock(path string) (*lockCopy, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &lockCopy{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read lock file: %w", err)
	}
	return &lockCopy{Existed: true, Content: b}, nil
}

// restoreLock puts the configuration's lock file back as up found it: init
// against the local mirror may have written or changed it.
func restoreLock(path string, c *lockCopy) error {
	if c == nil {
		return nil
	}
	if c.Existed {
		return os.WriteFile(path, c.Content, 0o644)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func writeKey(path string, k *jwttest.Key) error {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return fmt.Errorf("write issuer key: %w", err)
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}
