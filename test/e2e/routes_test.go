//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// routesFixture is test/fixtures/routes, a caller of the root module whose
// routes are a variable, named as apply and exampleCopyOf name a folder
// under examples/. It sits two levels under the root, so its
// `source = "../../"` holds in its copy under build/ too.
const routesFixture = "../test/fixtures/routes"

// The loopback Okta-shaped issuer of these tests: tokens carry aud
// api://default, the user id in uid and the scopes in scp.
const (
	routesAudience = "api://default"
	routesIssuer   = "okta"
)

// refusedLine is what modules/authorizer's precondition says before the
// rule's lines (modules/route-rules' errors output).
const refusedLine = `The routes are refused (docs/security.md, "Routes"; docs/upgrading.md says how to rewrite them):`

// TestE2ERoutesRefusedAtPlan plans the routes fixture on moto with one
// route set per leak class of the policy (an earned route's "*" spans "/",
// a Deny wins): each plan fails on modules/authorizer's precondition with
// the route rule's line naming both routes (or the route), as
// functions/internal/config.RouteConflicts words it for the same set at a
// cold start. One init, then one plan per case.
func TestE2ERoutesRefusedAtPlan(t *testing.T) {
	skipUnlessLocal(t, "the route rules are planned on moto only")
	run := newLocalRun(t)
	// Plans never call the issuers: the URLs only have to pass validation.
	okta := map[string]any{
		"issuer": "http://127.0.0.1:9/oauth2/default", "jwks_url": "http://127.0.0.1:9/oauth2/default/v1/keys",
		"audiences": []string{routesAudience}, "user_id_claim": "uid",
	}
	oneIssuer := map[string]any{routesIssuer: okta}
	twoIssuers := map[string]any{routesIssuer: okta, "cognito": map[string]any{
		"issuer":     "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
		"client_ids": []string{"4k1example"}, "token_use": "access",
	}}
	route := func(scopes []string, issuers ...string) map[string]any {
		return map[string]any{"scopes": append([]string{}, scopes...), "issuers": append([]string{}, issuers...)}
	}
	open := route(nil)

	cases := []struct {
		name    string
		issuers map[string]any
		routes  map[string]any
		want    string // the rule's line, as modules/route-rules writes it
		or      string // another refusal at plan that may come first
	}{
		{
			name:    "a child route asking for other scopes than its parent {param} route",
			issuers: oneIssuer,
			routes: map[string]any{
				"GET /projects/{projectId}":         route([]string{"projects.read"}),
				"GET /projects/{projectId}/secrets": route([]string{"secrets.read"}),
			},
			want: `routes "GET /projects/{projectId}" and "GET /projects/{projectId}/secrets": the first's Deny can hide the second from a token that earns only the second; add scopes projects.read to the second`,
		},
		{
			// API Gateway gives /api/users/bob to the user route (a literal
			// beats {proxy+}), and the greedy route's Allow of GET/api/*
			// matches it.
			name:    "an open greedy route above a user route",
			issuers: oneIssuer,
			routes: map[string]any{
				"GET /api/{proxy+}":       open,
				"GET /api/users/{userId}": open,
			},
			want: `routes "GET /api/*" and "GET /api/users/{userId}": the first can reach other users' paths of the second; bind {userId} at the same segment, after the same literal segments`,
		},
		{
			// The same class with the greedy route a sibling of {userId}:
			// API Gateway holds one variable per parent, so modules/rest-api
			// may refuse the pair before the rule runs; either way the plan
			// fails, and when the rule runs it names both routes.
			name:    "an open greedy route beside a user route",
			issuers: oneIssuer,
			routes: map[string]any{
				"GET /users/{proxy+}": open,
				"GET /users/{userId}": open,
			},
			want: `routes "GET /users/*" and "GET /users/{userId}": the first can reach other users' paths of the second; bind {userId} at the same segment, after the same literal segments`,
			or:   "API Gateway allows one variable per parent",
		},
		{
			name:    "a parameter before {userId}",
			issuers: oneIssuer,
			routes: map[string]any{
				"GET /{tenant}/{userId}/{proxy+}": open,
				"GET /health":                     open,
			},
			want: `route "GET /{tenant}/{userId}/*" is not VERB /path of literal, {param}, bound {userId} or path_claims parameter (once each, after literal segments and bound parameters only) and final * segments`,
		},
		{
			name:    "two issuers and a {userId} route naming both",
			issuers: twoIssuers,
			routes: map[string]any{
				"GET /users/{userId}": route(nil, routesIssuer, "cognito"),
			},
			want: `route "GET /users/{userId}" holds {userId}: with 2 issuers it must name exactly one of them (two issuers may mint the same user id)`,
		},
		{
			name:    "two issuers and a wildcard of one above a route open to both",
			issuers: twoIssuers,
			routes: map[string]any{
				"GET /reports/{proxy+}": route(nil, routesIssuer),
				"GET /reports/board":    open,
			},
			want: `routes "GET /reports/*" and "GET /reports/board": the first's Deny can hide the second from a token that earns only the second; name on the second only issuers among okta`,
		},
	}

	dir := exampleCopyOf(t, run.root, routesFixture)
	base := map[string]any{
		"name":               "e2r-" + randomHex(4),
		"region":             moto.Region,
		"architecture":       run.arch,
		"authorizer_package": filepath.Join(run.dist, run.arch, "authorizer.zip"),
		"hello_package":      filepath.Join(run.dist, run.arch, "hello.zip"),
		// hello's own route names one issuer, so that only the case's
		// routes break a rule.
		"hello_route": map[string]any{"issuers": []string{routesIssuer}},
	}
	opts := tfmoto.OptionsFor(t, run.srv, dir, base)
	opts.EnvVars["TF_PLUGIN_CACHE_DIR"] = pluginCache(t, run.root)
	start := time.Now()
	terraform.Init(t, opts)
	t.Logf("timing: init %s", time.Since(start).Round(time.Millisecond))

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := *opts
			o.Vars = maps.Clone(base)
			o.Vars["issuers"], o.Vars["routes"] = c.issuers, c.routes
			start := time.Now()
			out, err := terraform.PlanE(t, &o)
			t.Logf("timing: plan %s", time.Since(start).Round(time.Millisecond))
			if err == nil {
				t.Fatalf("plan accepted the routes, want them refused with %q:\n%s", c.want, out)
			}
			// Terraform wraps a diagnostic's text to the width of its box.
			// The combined output may interleave plan lines with the
			// diagnostic's on a loaded machine; the error holds stderr alone.
			flat := unbox(out + "\n" + err.Error())
			if c.or != "" && strings.Contains(flat, c.or) && !strings.Contains(flat, refusedLine) {
				t.Logf("refused before the route rules: %q", c.or)
				return
			}
			for _, want := range []string{"Error: Resource precondition failed", refusedLine, c.want} {
				if !strings.Contains(flat, want) {
					t.Errorf("plan output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// unbox joins a Terraform diagnostic's lines: its box characters dropped,
// every run of white space one space.
func unbox(out string) string {
	out = strings.NewReplacer("│", " ", "╷", " ", "╵", " ").Replace(out)
	return strings.Join(strings.Fields(out), " ")
}

// TestE2ERoutesAnswered applies the routes fixture with a set the rules
// accept, properly ordered (each child asks for its parent's scopes too),
// serves it through the local gateway with the real authorizer, hello and a
// loopback HTTP backend, and checks that each token reaches exactly its
// routes: every 403 is the gateway's access-denied answer, the policy the
// authorizer returns for that token decides it (an explicit Deny where the
// token's "*" would otherwise reach the route), and the backend never sees
// the path.
func TestE2ERoutesAnswered(t *testing.T) {
	skipUnlessLocal(t, "the routes fixture needs the loopback issuer and backend of a local run")
	ctx := context.Background()
	run := newLocalRun(t)

	key, _, issuer := newOktaIssuer(t)
	backend := newEchoBackend(t)

	route := func(scopes ...string) map[string]any {
		return map[string]any{"scopes": append([]string{}, scopes...)}
	}
	s := run.apply(t, routesFixture, "e2r", map[string]any{
		"issuers": map[string]any{routesIssuer: map[string]any{
			"issuer": issuer, "jwks_url": issuer + "/v1/keys",
			"audiences": []string{routesAudience}, "user_id_claim": "uid",
		}},
		"routes": map[string]any{
			"GET /projects/{projectId}":         route("projects.read"),
			"GET /projects/{projectId}/secrets": route("projects.read", "secrets.read"),
			"GET /users/{userId}":               route(),
			"GET /users/{userId}/orders":        route("orders.read"),
			"GET /health":                       route(),
			"GET /docs/{proxy+}":                route(),
			"GET /docs/internal":                route("staff"),
		},
		"backend_url": backend.srv.URL,
	})
	authzName := s.str(t, "authorizer_function_name")

	// An Okta access token for user uid with scopes (and openid).
	token := func(uid string, scopes ...string) string {
		c := jwttest.Claims(issuer, uid+"@example.com", time.Now())
		c["aud"], c["uid"], c["cid"], c["scp"] = routesAudience, uid, "0oa1b2c3d4e5f6g7h8i9", append([]string{"openid"}, scopes...)
		return key.Mint(nil, c)
	}
	var (
		carolProjects = token("carol", "projects.read")
		carolSecrets  = token("carol", "projects.read", "secrets.read")
		alice         = token("alice")
		aliceOrders   = token("alice", "orders.read")
		daveStaff     = token("dave", "staff")
	)

	gw, base, stop := s.serve(ctx, t)

	checkRoutes(ctx, t, gw, authzName, base, func() int { return len(backend.got()) }, []routeCase{
		{"projects.read on a project", "/projects/p1", carolProjects, 200, gateway.Allow, ""},
		{"projects.read on the project's secrets: the parent's * reaches them, the Deny wins", "/projects/p1/secrets", carolProjects, 403, gateway.Deny, "GET/projects/*/secrets"},
		{"projects.read and secrets.read on a project", "/projects/p1", carolSecrets, 200, gateway.Allow, ""},
		{"projects.read and secrets.read on the project's secrets", "/projects/p1/secrets", carolSecrets, 200, gateway.Allow, ""},
		{"no scope on a project", "/projects/p1", alice, 403, gateway.Deny, "GET/projects/*"},
		{"user alice, no scope, on her own path", "/users/alice", alice, 200, gateway.Allow, ""},
		{"user alice, no scope, on her orders", "/users/alice/orders", alice, 403, gateway.Deny, "GET/users/*/orders"},
		{"user alice, no scope, on bob's path", "/users/bob", alice, 403, gateway.NoMatch, ""},
		{"user alice with orders.read on her orders", "/users/alice/orders", aliceOrders, 200, gateway.Allow, ""},
		{"user alice with orders.read on bob's orders", "/users/bob/orders", aliceOrders, 403, gateway.NoMatch, ""},
		{"user alice with orders.read on bob's path", "/users/bob", aliceOrders, 403, gateway.NoMatch, ""},
		{"no scope on an open greedy route", "/docs/readme", alice, 200, gateway.Allow, ""},
		{"no scope on a deeper path of the open greedy route", "/docs/guides/intro.md", alice, 200, gateway.Allow, ""},
		{"no scope on the scoped literal route under the open greedy one", "/docs/internal", alice, 403, gateway.Deny, "GET/docs/internal"},
		{"staff on the scoped literal route under the open greedy one", "/docs/internal", daveStaff, 200, gateway.Allow, ""},
	})

	t.Run("every valid token on the open route", func(t *testing.T) {
		for _, tok := range []string{carolProjects, carolSecrets, alice, aliceOrders, daveStaff} {
			if status, body := get(t, base+"/health", tok); status != 200 || body != `{"backendPath":"/health"}` {
				t.Errorf("GET /health as %s: %d %s, want 200 from the backend", claimsOf(t, tok)["scp"], status, body)
			}
		}
	})

	t.Run("a path one level under a parameter route is routed nowhere", func(t *testing.T) {
		// The token's Allow of GET/projects/* would match it; API Gateway
		// has no resource for it and answers before the authorizer.
		before, seen := gw.AuthorizerInvocations(), len(backend.got())
		status, body, header := getWithHeader(t, base+"/projects/p1/x", token("erin", "projects.read", "secrets.read"))
		if status != 403 || body != bodyMissingToken || header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
			t.Errorf("GET /projects/p1/x: %d %s (%s), want 403 %s", status, body, header.Get("x-amzn-ErrorType"), bodyMissingToken)
		}
		if n := gw.AuthorizerInvocations() - before; n != 0 {
			t.Errorf("authorizer invoked %d times for a path with no route, want 0", n)
		}
		if called := backend.got()[seen:]; len(called) > 0 {
			t.Errorf("the backend was called for %v", called)
		}
	})

	stop()
	finishRoutes(ctx, t, s)
}

// routeCase is one request of a route e2e test: the answer it must get and,
// for a 403 of the authorizer, the policy's decision on the path and for a
// Deny the resource of the statement that wins.
type routeCase struct {
	name, path, token string
	status            int
	decision          gateway.Decision
	deny              string
}

// checkRoutes runs checkRoute for each case, as a subtest named by it.
func checkRoutes(ctx context.Context, t *testing.T, gw *gateway.Local, authz, base string, calls func() int, cases []routeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkRoute(ctx, t, gw, authz, base, c, calls)
		})
	}
}

// checkRoute GETs c.path through the gateway at base with c.token and checks
// the answer: the backend's for a 200, else the gateway's access-denied
// answer with no backend call (calls counts them). Then it checks the
// policy the authorizer (function authz) gives this token: it never depends
// on the path asked for, as the gateway caches it per token.
func checkRoute(ctx context.Context, t *testing.T, gw *gateway.Local, authz, base string, c routeCase, calls func() int) {
	t.Helper()
	seen := calls()
	status, body, header := getWithHeader(t, base+c.path, c.token)
	if status != c.status {
		t.Fatalf("GET %s: %d %s, want %d", c.path, status, body, c.status)
	}
	if status == 200 {
		if want := `{"backendPath":"` + c.path + `"}`; body != want {
			t.Errorf("GET %s: body %s, want the backend's %s", c.path, body, want)
		}
	} else {
		if body != bodyAccessDenied || header.Get("x-amzn-ErrorType") != "AccessDeniedException" {
			t.Errorf("GET %s: %d %s (%s), want the access-denied answer %s", c.path, status, body, header.Get("x-amzn-ErrorType"), bodyAccessDenied)
		}
		if n := calls() - seen; n > 0 {
			t.Errorf("GET %s denied, but the backend was called %d times", c.path, n)
		}
	}
	api := gw.API()
	prefix := strings.TrimSuffix(api.MethodARN("GET", "/"), "GET/")
	arn := api.MethodARN("GET", c.path)
	out := authorizerPolicy(ctx, t, gw, authz, c.token, arn)
	if got := out.Evaluate(arn); got != c.decision {
		t.Errorf("the authorizer's policy decides %s on %s, want %s: %s", got, arn, c.decision, policyText(out))
	}
	if c.deny != "" && !slices.ContainsFunc(out.Statements, func(st gateway.Statement) bool {
		return st.Effect == "Deny" && slices.Contains(st.Resources, prefix+c.deny)
	}) {
		t.Errorf("the authorizer's policy has no Deny of %s: %s", prefix+c.deny, policyText(out))
	}
}

// authorizerPolicy invokes the authorizer function the gateway runs with the
// TOKEN event the gateway would send for methodARN, and returns its
// validated answer.
func authorizerPolicy(ctx context.Context, t *testing.T, gw *gateway.Local, name, token, methodARN string) *gateway.AuthorizerOutput {
	t.Helper()
	payload, err := json.Marshal(map[string]string{"type": "TOKEN", "authorizationToken": "Bearer " + token, "methodArn": methodARN})
	must(t, err)
	fn := gw.Function(name)
	if fn == nil {
		t.Fatalf("the gateway does not serve %s", name)
	}
	ictx, cancel := context.WithTimeout(ctx, eventDeadline)
	defer cancel()
	res, err := fn.Invoke(ictx, payload)
	must(t, err)
	if res.Failed() {
		t.Fatalf("authorizer failed: %v (timed out %v): %s", res.Error, res.TimedOut, res.Payload)
	}
	out, err := gateway.ParseAuthorizerOutput(res.Payload)
	must(t, err)
	return out
}

func policyText(o *gateway.AuthorizerOutput) string {
	b, _ := json.Marshal(o.Statements)
	return string(b)
}

// got returns the paths the backend was asked for so far.
func (b *echoBackend) got() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.paths)
}

// finishRoutes is localStack.finish for a stack without a user pool: a clean
// plan, destroy, and nothing of the stack left.
func finishRoutes(ctx context.Context, t *testing.T, s *localStack) {
	t.Helper()
	s.planCleanThenDestroy(t)
	cfg := s.run.cfg
	apiID, table := s.str(t, "rest_api_id"), s.str(t, "key_table_name")
	if _, err := apigateway.NewFromConfig(cfg).GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &apiID}); err == nil {
		t.Errorf("rest api %s still exists", apiID)
	}
	if _, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table}); err == nil {
		t.Errorf("table %s still exists", table)
	}
	lc := lambda.NewFromConfig(cfg)
	for _, fn := range []string{s.str(t, "authorizer_function_name"), s.str(t, "hello_function_name")} {
		if _, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fn)}); err == nil {
			t.Errorf("function %s still exists", fn)
		}
	}
}
