package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/authorizer"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// The tests named TestRIE… run this package's binary, built as cmd/package
// builds it, under the Lambda Runtime Interface Emulator (test/rie), with
// its configuration in the environment as the module writes it. A deny is
// asserted through the reason of the function's one "deny" log line, the
// text of the sentinel error (the process boundary leaves no errors.Is).

// eventDeadline bounds each wait for an event (a log line): generous, for a
// loaded 2-core machine; a wait ends as soon as the event comes.
const eventDeadline = 30 * time.Second

const methodPrefix = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/"

// TestMain removes the built binaries and stops the moto server the
// moto-tagged tests may have started, so none outlives the run.
func TestMain(m *testing.M) {
	code := m.Run()
	build.cleanup()
	moto.StopShared()
	os.Exit(code)
}

// build holds the bootstrap and the emulator, made once by the first test
// that needs them.
var build binariesOnce

type binariesOnce struct {
	once                sync.Once
	dir                 string
	bootstrap, emulator string
	err                 error
}

func (b *binariesOnce) cleanup() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

func binaries(t *testing.T) (bootstrap, emulator string) {
	t.Helper()
	build.once.Do(func() {
		if build.dir, build.err = os.MkdirTemp("", "authorizer-rie-"); build.err != nil {
			return
		}
		if build.emulator, build.err = rie.FindOrBuild(filepath.Join(build.dir, "bin")); build.err != nil {
			return
		}
		build.bootstrap, build.err = rie.BuildFunction(".", filepath.Join(build.dir, "authorizer"))
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bootstrap, build.emulator
}

// process is one authorizer process under the emulator.
type process struct {
	fn *rie.Function
}

// startProcess starts the authorizer with env and runs its cold start (the
// keys' warm-up included) with a first, token-less invocation.
func startProcess(t *testing.T, name string, env map[string]string) *process {
	t.Helper()
	bootstrap, emulator := binaries(t)
	fn, err := rie.New(rie.Config{Name: name, Emulator: emulator, Bootstrap: bootstrap, Env: env, Timeout: eventDeadline}, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fn.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log:\n%s", name, fn.Log())
		}
	})
	p := &process{fn: fn}
	if _, unauthorized := p.invoke(t, "", "GET/hello/nobody"); !unauthorized {
		t.Fatal("token-less init invocation not refused")
	}
	// The init's deny line follows every line of the cold start.
	p.waitDenies(t, 1)
	return p
}

// invoke sends one TOKEN event for methodPrefix+route; it returns the
// response, or unauthorized when the function answered exactly
// "Unauthorized" (API Gateway's 401).
func (p *process) invoke(t *testing.T, tok, route string) (resp events.APIGatewayCustomAuthorizerResponse, unauthorized bool) {
	t.Helper()
	resp, unauthorized, err := p.try(tok, route)
	if err != nil {
		t.Fatal(err)
	}
	return resp, unauthorized
}

// try is invoke for goroutines other than the test's: it returns what went
// wrong instead of failing the test.
func (p *process) try(tok, route string) (resp events.APIGatewayCustomAuthorizerResponse, unauthorized bool, err error) {
	auth := ""
	if tok != "" {
		auth = "Bearer " + tok
	}
	payload, _ := json.Marshal(events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: auth, MethodArn: methodPrefix + route})
	ctx, cancel := context.WithTimeout(context.Background(), eventDeadline)
	defer cancel()
	res, err := p.fn.Invoke(ctx, payload)
	switch {
	case err != nil:
		return resp, false, err
	case res.TimedOut:
		return resp, false, fmt.Errorf("invocation timed out: %s", res.Payload)
	case res.Error != nil && res.Error.Message != authorizer.ErrUnauthorized.Error():
		return resp, false, fmt.Errorf("function error %v, want only %q", res.Error, authorizer.ErrUnauthorized)
	case res.Error != nil:
		return resp, true, nil
	}
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		return resp, false, fmt.Errorf("response %s: %w", res.Payload, err)
	}
	return resp, false, nil
}

const denyLine = `"msg":"deny"`

func (p *process) denies() int { return strings.Count(p.fn.Log(), denyLine) }

func (p *process) waitDenies(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), eventDeadline)
	defer cancel()
	if err := p.fn.WaitLog(ctx, denyLine, n); err != nil {
		t.Fatal(err)
	}
}

// denyReason invokes with tok and returns the reason of the deny line it
// wrote, which must be the only new one.
func (p *process) denyReason(t *testing.T, tok, route string) (string, events.APIGatewayCustomAuthorizerResponse, bool) {
	t.Helper()
	before := p.denies()
	resp, unauthorized := p.invoke(t, tok, route)
	p.waitDenies(t, before+1)
	var reasons []string
	for _, line := range strings.Split(p.fn.Log(), "\n") {
		i := strings.Index(line, "{")
		if i < 0 || !strings.Contains(line, denyLine) {
			continue
		}
		var l struct{ Reason string }
		if err := json.Unmarshal([]byte(line[i:]), &l); err != nil {
			t.Fatalf("deny line %q: %v", line, err)
		}
		reasons = append(reasons, l.Reason)
	}
	if len(reasons) != before+1 {
		t.Fatalf("%d deny lines after one more denial, want %d", len(reasons), before+1)
	}
	return reasons[before], resp, unauthorized
}

// allowed returns the resources a response allows (nil unless it is one
// Allow statement).
// allowed returns the resources of the answer's Allow statement, which
// comes first when there is one; a Deny of the routes not earned may follow.
func allowed(resp events.APIGatewayCustomAuthorizerResponse) []string {
	st := resp.PolicyDocument.Statement
	if len(st) == 0 || st[0].Effect != "Allow" {
		return nil
	}
	return st[0].Resource
}

func issuersJSON(t *testing.T, entries ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// claimsFor is a valid claim set of user at iss for audience api://orders.
func claimsFor(iss, user string, scopes ...string) map[string]any {
	c := jwttest.Claims(iss, user, time.Now())
	c["aud"] = "api://orders"
	if len(scopes) > 0 {
		c["scp"] = scopes
	}
	return c
}

// TestRIESameKidTwoIssuers: issuers A and B publish different keys under
// the same kid. Each issuer's own tokens pass; a token claiming one issuer
// and signed with the other's key fails its signature, whatever the kid,
// and triggers no fetch (the kid is known: the key is simply not B's).
func TestRIESameKidTwoIssuers(t *testing.T) {
	keyA, keyB := jwttest.NewRSA("shared-kid", 2048), jwttest.NewRSA("shared-kid", 2048)
	a, b := jwttest.NewIssuer(keyA), jwttest.NewIssuer(keyB)
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	p := startProcess(t, "same-kid", map[string]string{
		"ISSUERS": issuersJSON(t,
			map[string]any{"name": "a", "issuer": a.URL(), "jwks_url": a.JWKSURL(), "audiences": []string{"api://orders"}},
			map[string]any{"name": "b", "issuer": b.URL(), "jwks_url": b.JWKSURL(), "audiences": []string{"api://orders"}}),
		// One {userId} route per issuer: two issuers may mint one user id.
		"ROUTES": `[{"route":"GET/hello/{userId}","issuers":["a"]},{"route":"GET/b/hello/{userId}","issuers":["b"]}]`,
	})
	fetchesA, fetchesB := a.Fetches(), b.Fetches()
	if fetchesA != 1 || fetchesB != 1 {
		t.Fatalf("cold start fetched A %d and B %d times, want once each", fetchesA, fetchesB)
	}

	for _, c := range []struct {
		name  string
		key   *jwttest.Key
		iss   string
		route string
	}{{"A's token", keyA, a.URL(), "GET/hello/alice"}, {"B's token", keyB, b.URL(), "GET/b/hello/alice"}} {
		resp, unauthorized := p.invoke(t, c.key.Mint(nil, claimsFor(c.iss, "alice")), c.route)
		if unauthorized || !slices.Equal(allowed(resp), []string{methodPrefix + c.route}) || resp.Context["issuer"] != c.iss {
			t.Fatalf("%s: %+v (unauthorized %v), want Allow on %s from %s", c.name, resp, unauthorized, c.route, c.iss)
		}
	}
	for _, c := range []struct {
		name string
		key  *jwttest.Key
		iss  string
	}{{"claims B, signed with A's key", keyA, b.URL()}, {"claims A, signed with B's key", keyB, a.URL()}} {
		reason, _, unauthorized := p.denyReason(t, c.key.Mint(nil, claimsFor(c.iss, "alice")), "GET/hello/alice")
		if !unauthorized || !strings.HasSuffix(reason, token.ErrSignature.Error()) {
			t.Errorf("%s: unauthorized %v, reason %q, want Unauthorized for %q", c.name, unauthorized, reason, token.ErrSignature)
		}
	}
	if a.Fetches() != fetchesA || b.Fetches() != fetchesB {
		t.Errorf("key set requests after the cold start: A %d, B %d, want none", a.Fetches()-fetchesA, b.Fetches()-fetchesB)
	}
}

// TestRIERoutesByScope: the policy lists exactly the routes the token's
// scopes earn, the open route (no {userId}) included; a valid token that
// earns none gets the explicit Deny on the API and stage, which API Gateway
// answers with 403 (explicit deny) on every path, and which it may cache.
func TestRIERoutesByScope(t *testing.T) {
	key := jwttest.NewRSA("k1", 2048)
	iss := jwttest.NewIssuer(key)
	t.Cleanup(iss.Close)
	p := startProcess(t, "scopes", map[string]string{
		"ISSUER": iss.URL(), "JWKS_URL": iss.JWKSURL(), "AUDIENCES": "api://orders",
		"ROUTES": `[{"route":"GET/orders/{userId}","scopes":["orders.read"]},` +
			`{"route":"DELETE/orders/{userId}/{orderId}","scopes":["orders.read","orders.write"]},` +
			`{"route":"GET/status","scopes":["status.read"]}]`,
	})
	for _, c := range []struct {
		name   string
		scopes []string
		want   []string
	}{
		{"orders.read", []string{"orders.read"}, []string{"GET/orders/alice"}},
		{"orders.read and write", []string{"orders.write", "orders.read"}, []string{"GET/orders/alice", "DELETE/orders/alice/*"}},
		{"status.read: the open route", []string{"status.read"}, []string{"GET/status"}},
		{"every scope", []string{"status.read", "orders.read", "orders.write"}, []string{"GET/orders/alice", "DELETE/orders/alice/*", "GET/status"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The requested path does not matter: the policy is the token's.
			resp, unauthorized := p.invoke(t, key.Mint(nil, claimsFor(iss.URL(), "alice", c.scopes...)), "GET/status")
			var want []string
			for _, r := range c.want {
				want = append(want, methodPrefix+r)
			}
			if got := allowed(resp); unauthorized || !slices.Equal(got, want) {
				t.Fatalf("allowed %v (unauthorized %v), want %v", got, unauthorized, want)
			}
		})
	}

	t.Run("no route earned: explicit Deny", func(t *testing.T) {
		reason, resp, unauthorized := p.denyReason(t, key.Mint(nil, claimsFor(iss.URL(), "alice", "orders.write")), "GET/orders/alice")
		if unauthorized || !strings.HasSuffix(reason, policy.ErrNoRoute.Error()) {
			t.Fatalf("unauthorized %v, reason %q, want the Deny policy for %q", unauthorized, reason, policy.ErrNoRoute)
		}
		st := resp.PolicyDocument.Statement
		if resp.PrincipalID != "alice" || len(st) != 1 || st[0].Effect != "Deny" || !slices.Equal(st[0].Resource, []string{methodPrefix + "*"}) {
			t.Fatalf("response %+v, want one Deny on %s*", resp, methodPrefix)
		}
		// API Gateway's reading of it: 403 with the explicit-deny message
		// on any method of the stage.
		b, _ := json.Marshal(resp)
		out, err := gateway.ParseAuthorizerOutput(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, route := range []string{"GET/orders/alice", "GET/status", "POST/anything/else"} {
			if d := out.Evaluate(methodPrefix + route); d != gateway.Deny {
				t.Errorf("%s: %v, want an explicit Deny (403)", route, d)
			}
		}
	})
}

// TestRIEUnknownIssuer: a token whose iss names no configured issuer is
// refused (401) before any key is looked up: neither the configured issuer
// nor the one the token names (a live issuer here, holding the signing key
// under the configured kid) gets a request.
func TestRIEUnknownIssuer(t *testing.T) {
	key := jwttest.NewRSA("k1", 2048)
	iss := jwttest.NewIssuer(key)
	t.Cleanup(iss.Close)
	rogueKey := jwttest.NewRSA("k1", 2048)
	rogue := jwttest.NewIssuer(rogueKey)
	t.Cleanup(rogue.Close)
	p := startProcess(t, "unknown-iss", map[string]string{
		"ISSUER": iss.URL(), "AUDIENCES": "api://orders", "ROUTES": `[{"route":"GET/hello/{userId}"}]`,
	})
	fetches, discoveries := iss.Fetches(), iss.Discoveries()
	for _, tokIss := range []string{rogue.URL(), iss.URL() + "/", "https://issuer.example.com"} {
		reason, _, unauthorized := p.denyReason(t, rogueKey.Mint(nil, claimsFor(tokIss, "alice")), "GET/hello/alice")
		if !unauthorized || !strings.HasSuffix(reason, token.ErrUnknownIssuer.Error()) {
			t.Errorf("iss %s: unauthorized %v, reason %q, want Unauthorized for %q", tokIss, unauthorized, reason, token.ErrUnknownIssuer)
		}
	}
	if n, d := iss.Fetches()-fetches, iss.Discoveries()-discoveries; n != 0 || d != 0 {
		t.Errorf("configured issuer: %d key set and %d discovery requests for unknown-iss tokens, want none", n, d)
	}
	if n, d := rogue.Fetches(), rogue.Discoveries(); n != 0 || d != 0 {
		t.Errorf("the token's issuer: %d key set and %d discovery requests, want none", n, d)
	}
	// The configured issuer's own token still passes.
	if resp, unauthorized := p.invoke(t, key.Mint(nil, claimsFor(iss.URL(), "alice")), "GET/hello/alice"); unauthorized || len(allowed(resp)) != 1 {
		t.Errorf("configured issuer's token: %+v (unauthorized %v)", resp, unauthorized)
	}
}
