//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// API Gateway's answers the multi-issuer assertions expect: the 401 and 403
// as the module's gateway responses word them (modules/rest-api defaults),
// the missing route as API Gateway does.
const (
	bodyUnauthorized = `{"message":"Unauthorized"}`
	bodyAccessDenied = `{"message":"The token is valid but does not grant access to this resource"}`
	bodyMissingToken = `{"message":"Missing Authentication Token"}`
)

// reportsRoute is the route the test adds to the example's map, through an
// override file, to show that an apply alone makes it reachable. Like every
// {userId} route of a two-issuer API it names one issuer.
const reportsRoute = `module "jwt_authorizer" {
  routes = merge(local.routes, {
    "GET /reports/{userId}" = {
      function_name = module.jwt_authorizer.hello_function_name
      invoke_arn    = module.jwt_authorizer.hello_invoke_arn
      issuers       = ["okta"]
    }
  })
}
`

// helloCognitoOnly narrows hello's own issuer check (ISSUER_NAMES) to the
// customers while the authorizer still lets Okta users through the /staff
// and /orders routes to it: hello then refuses them itself.
const helloCognitoOnly = `module "jwt_authorizer" {
  hello_issuers = ["cognito"]
}
`

// TestE2EMultiIssuer applies examples/multi-issuer to moto, with a loopback
// Okta-shaped issuer (http://127.0.0.1:PORT/oauth2/default) next to the
// Cognito pool and a loopback HTTP backend, and calls every route through
// the local gateway running the real packages under the RIE: per-route
// scopes and issuers (one issuer per {userId} route, an Okta user whose uid
// is a Cognito user's sub kept off that user's paths), an open route,
// HTTP_PROXY routes ({proxy+} included), an unconfigured issuer, then a
// route added to the map and applied, and hello's own issuer check.
func TestE2EMultiIssuer(t *testing.T) {
	skipUnlessLocal(t, "the multi-issuer example needs the loopback Okta-shaped issuer and backend of a local run")
	ctx := context.Background()
	run := newLocalRun(t)

	oktaKey, okta, oktaIssuer := newOktaIssuer(t)
	cognitoKeys := countingProxy(t, run.srv.Endpoint)
	backend := newEchoBackend(t)

	s := run.apply(t, "multi-issuer", "e2m", map[string]any{
		"cognito_jwks_url": cognitoKeys.url + "/{user_pool_id}/.well-known/jwks.json",
		"okta_issuer":      oktaIssuer,
		"okta_jwks_url":    oktaIssuer + "/v1/keys",
		"backend_url":      backend.srv.URL,
	})
	poolID, clientID, apiID, stage := s.str(t, "user_pool_id"), s.str(t, "user_pool_client_id"), s.str(t, "rest_api_id"), s.str(t, "stage_name")
	authzName := s.str(t, "authorizer_function_name")

	// Cognito: two customers signed in through moto; tokens with scopes
	// minted with moto's own signing key (Cognito adds custom scopes only
	// through its OAuth endpoints, which moto does not serve).
	idp := cip.NewFromConfig(run.cfg)
	alice := createUser(t, idp, poolID, clientID, "alice@example.com")
	motoKey, err := motoSigningKey()
	must(t, err)
	cognitoWith := func(u cognitoUser, scope string) string {
		c := claimsOf(t, u.token)
		c["scope"] = c["scope"].(string) + " " + scope
		c["exp"] = time.Now().Add(time.Hour).Unix()
		return motoKey.Mint(nil, c)
	}
	// Okta: employees carol and dave, the user id in uid, scopes in scp.
	const carol, dave = "00ucarol1a2b3c4d5e6", "00udave1a2b3c4d5e6f"
	oktaToken := func(key *jwttest.Key, iss, uid string, scopes ...string) string {
		c := jwttest.Claims(iss, uid+"@example.com", time.Now())
		c["aud"], c["uid"], c["cid"], c["scp"] = "api://default", uid, "0oa1b2c3d4e5f6g7h8i9", append([]string{"openid"}, scopes...)
		return key.Mint(nil, c)
	}
	carolPlain := oktaToken(oktaKey, oktaIssuer, carol)
	// An employee whose Okta uid is, by chance or by design, alice's
	// Cognito sub: the same user id, another person.
	twin := oktaToken(oktaKey, oktaIssuer, alice.sub)

	gw, base, stop := s.serve(ctx, t)

	// HTTP_PROXY answers echo the backend path; Lambda answers greet.
	greets := func(uid string) string { return `"userId":"` + uid + `"` }
	backendGot := func(path string) string { return `{"backendPath":"` + path + `"}` }
	for _, c := range []struct {
		name, path, token string
		status            int
		body              string // an exact body, or a part of it for a 200
	}{
		{"cognito user on own hello", "/hello/" + alice.sub, alice.token, 200, greets(alice.sub)},
		{"okta user on own staff hello", "/staff/hello/" + carol, carolPlain, 200, greets(carol)},
		{"okta user on the cognito-only hello, own id", "/hello/" + carol, carolPlain, 403, bodyAccessDenied},
		{"cognito user on the okta-only staff hello, own id", "/staff/hello/" + alice.sub, alice.token, 403, bodyAccessDenied},
		{"okta user on another user's staff hello", "/staff/hello/" + dave, carolPlain, 403, bodyAccessDenied},
		{"okta user with a cognito user's id on the cognito-only hello", "/hello/" + alice.sub, twin, 403, bodyAccessDenied},
		{"okta user with a cognito user's id on the okta staff hello", "/staff/hello/" + alice.sub, twin, 200, greets(alice.sub)},
		{"orders without orders.read", "/orders/" + carol, carolPlain, 403, bodyAccessDenied},
		{"orders with orders.read", "/orders/" + carol, oktaToken(oktaKey, oktaIssuer, carol, "orders.read"), 200, greets(carol)},
		{"orders with orders.read, another user", "/orders/" + dave, oktaToken(oktaKey, oktaIssuer, carol, "orders.read"), 403, bodyAccessDenied},
		{"orders with orders.read from an issuer the route does not name", "/orders/" + alice.sub, cognitoWith(alice, "orders.read"), 403, bodyAccessDenied},
		{"open route without its scope", "/status", carolPlain, 403, bodyAccessDenied},
		{"open route, okta token with status.read", "/status", oktaToken(oktaKey, oktaIssuer, dave, "status.read"), 200, backendGot("/status")},
		{"open route, cognito token with status.read", "/status", cognitoWith(alice, "status.read"), 200, backendGot("/status")},
		{"HTTP_PROXY staff profile, own", "/staff/profiles/" + carol + "/contact", carolPlain, 200, backendGot("/staff/profiles/" + carol + "/contact")},
		{"HTTP_PROXY profile, cognito user, own", "/profiles/" + alice.sub + "/addresses", alice.token, 200, backendGot("/profiles/" + alice.sub + "/addresses")},
		{"HTTP_PROXY staff profile, another user", "/staff/profiles/" + dave + "/contact", carolPlain, 403, bodyAccessDenied},
		{"HTTP_PROXY profile, okta user with a cognito user's id", "/profiles/" + alice.sub + "/addresses", twin, 403, bodyAccessDenied},
		{"HTTP_PROXY staff profile, okta user with a cognito user's id", "/staff/profiles/" + alice.sub + "/contact", twin, 200, backendGot("/staff/profiles/" + alice.sub + "/contact")},
		{"HTTP_PROXY {proxy+} with docs.read", "/docs/guides/2026/intro.md", oktaToken(oktaKey, oktaIssuer, dave, "docs.read"), 200, backendGot("/docs/guides/2026/intro.md")},
		{"route not in the map", "/reports/" + carol, carolPlain, 403, bodyMissingToken},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := get(t, base+c.path, c.token)
			if status != c.status || (status == 200 && !strings.Contains(body, c.body)) || (status != 200 && body != c.body) {
				t.Fatalf("GET %s: %d %s, want %d %s", c.path, status, body, c.status, c.body)
			}
		})
	}

	t.Run("HTTP_PROXY backend receives the caller's identity, never the client's headers", func(t *testing.T) {
		// modules/rest-api maps context.authorizer.userId, issuerName and
		// scope into X-User-Id, X-Issuer and X-Scope; what a client sends
		// under those names is overwritten.
		spoof := map[string]string{"X-User-Id": dave, "X-Issuer": "cognito", "X-Scope": "orders.admin"}
		for _, c := range []struct {
			name, path, token string
			want              backendIdentity
		}{
			{"okta user", "/staff/profiles/" + carol + "/contact", carolPlain, backendIdentity{carol, "okta", "openid"}},
			{"okta user with scopes", "/docs/guides/intro.md", oktaToken(oktaKey, oktaIssuer, carol, "docs.read"), backendIdentity{carol, "okta", "openid docs.read"}},
			{"cognito user", "/profiles/" + alice.sub + "/addresses", alice.token, backendIdentity{alice.sub, "cognito", claimsOf(t, alice.token)["scope"].(string)}},
		} {
			t.Run(c.name, func(t *testing.T) {
				status, body := getWith(t, base+c.path, c.token, spoof)
				if status != 200 {
					t.Fatalf("GET %s: %d %s, want 200", c.path, status, body)
				}
				if path, got := backend.last(t); path != c.path || got != c.want {
					t.Errorf("backend got %s with %+v, want %s with %+v", path, got, c.path, c.want)
				}
			})
		}
	})

	t.Run("unconfigured issuer 401 without a key fetch", func(t *testing.T) {
		// Signed by a key the API has never seen, for an issuer it does not
		// name, with a user id that exists at Okta.
		evil := jwttest.NewRSA("okta-key-1", 2048)
		tok := oktaToken(evil, "https://idp.example.net/oauth2/default", carol)
		authz := gw.Function(authzName)
		// The deny line's reason is token.ErrUnknownIssuer's text.
		const reason = "unknown issuer: issuer mismatch"
		denies := strings.Count(authz.Log(), reason)
		oktaBefore, cognitoBefore := okta.Fetches(), cognitoKeys.count.Load()
		status, body, header := getWithHeader(t, base+"/hello/"+carol, tok)
		if status != 401 || body != bodyUnauthorized {
			t.Fatalf("got %d %s, want 401 %s", status, body, bodyUnauthorized)
		}
		if got, want := header.Get("WWW-Authenticate"), `Bearer realm="`+s.name+`"`; got != want {
			t.Errorf("WWW-Authenticate = %q, want %q", got, want)
		}
		wctx, cancel := context.WithTimeout(ctx, eventDeadline)
		defer cancel()
		must(t, authz.WaitLog(wctx, reason, denies+1))
		if n, m := okta.Fetches()-oktaBefore, cognitoKeys.count.Load()-cognitoBefore; n != 0 || m != 0 {
			t.Errorf("key set requests during the call: okta %d, cognito %d, want none", n, m)
		}
	})

	t.Run("route added to the map, reachable after apply", func(t *testing.T) {
		ag := apigateway.NewFromConfig(run.cfg)
		before, err := ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &apiID, StageName: &stage})
		must(t, err)
		if got := s.str(t, "deployment_id"); got != deref(before.DeploymentId) {
			t.Fatalf("stage serves deployment %s, output deployment_id %s", deref(before.DeploymentId), got)
		}
		must(t, os.WriteFile(filepath.Join(s.dir, "e2e_override.tf"), []byte(reportsRoute), 0o644))
		start := time.Now()
		terraform.Apply(t, s.opts)
		t.Logf("timing: apply with the new route %s", time.Since(start).Round(time.Millisecond))
		after, err := ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &apiID, StageName: &stage})
		must(t, err)
		// The local gateway serves the stage's deployment as it was created
		// (serve checks it has its snapshot): the new deployment id shows
		// that the apply alone redeployed the stage, and the route answering
		// below that the new deployment holds it.
		if deref(after.DeploymentId) == deref(before.DeploymentId) {
			t.Errorf("stage deployment id still %s after adding a route: the stage was not redeployed", deref(before.DeploymentId))
		}
		if got := terraform.Output(t, s.opts, "deployment_id"); got != deref(after.DeploymentId) {
			t.Errorf("output deployment_id %s, stage serves %s", got, deref(after.DeploymentId))
		}

		// A new gateway reads the API as it now is (and the authorizer's
		// new ROUTES): the route answers, bound to its user.
		stop()
		_, base2, stop2 := s.serve(ctx, t)
		if status, body := get(t, base2+"/reports/"+carol, carolPlain); status != 200 || !strings.Contains(body, greets(carol)) {
			t.Errorf("GET /reports/%s: %d %s, want 200", carol, status, body)
		}
		if status, body := get(t, base2+"/reports/"+alice.sub, carolPlain); status != 403 || body != bodyAccessDenied {
			t.Errorf("GET /reports/<alice>: %d %s, want 403 %s", status, body, bodyAccessDenied)
		}
		// The route names okta only: alice's own id is not hers there.
		if status, body := get(t, base2+"/reports/"+alice.sub, alice.token); status != 403 || body != bodyAccessDenied {
			t.Errorf("GET /reports/<alice> as alice: %d %s, want 403 %s", status, body, bodyAccessDenied)
		}
		stop2()
	})

	t.Run("hello refuses an issuer it does not serve", func(t *testing.T) {
		// The authorizer's policy keeps each issuer on its routes; hello's
		// ISSUER_NAMES is the second check. Narrowed to cognito, it refuses
		// the Okta user the authorizer lets through /staff/hello.
		// It stays: the plan of s.finish must find the stack as applied.
		must(t, os.WriteFile(filepath.Join(s.dir, "hello_override.tf"), []byte(helloCognitoOnly), 0o644))
		terraform.Apply(t, s.opts)
		gw3, base3, stop3 := s.serve(ctx, t)
		defer stop3()
		hello := gw3.Function(s.str(t, "hello_function_name"))
		// The reject line's reason is hello.ErrIssuerNotServed wrapped.
		const reason = `check issuerName \"okta\": issuer not served`
		if status, body := get(t, base3+"/staff/hello/"+carol, carolPlain); status != 403 || body != `{"message":"Forbidden"}` {
			t.Errorf("GET /staff/hello/%s: %d %s, want hello's 403", carol, status, body)
		}
		wctx, cancel := context.WithTimeout(ctx, eventDeadline)
		defer cancel()
		must(t, hello.WaitLog(wctx, reason, 1))
		if status, body := get(t, base3+"/hello/"+alice.sub, alice.token); status != 200 || !strings.Contains(body, greets(alice.sub)) {
			t.Errorf("GET /hello/<alice> as alice: %d %s, want 200", status, body)
		}
	})

	s.finish(ctx, t)
}

// echoBackend is the loopback HTTP backend of the HTTP_PROXY routes: it
// answers the path it was asked for, and records the identity headers
// modules/rest-api maps from the authorizer's context.
type echoBackend struct {
	srv        *httptest.Server
	mu         sync.Mutex
	paths      []string
	identities []backendIdentity // in the order of paths
}

// backendIdentity is what a backend request carried in X-User-Id, X-Issuer
// and X-Scope.
type backendIdentity struct{ userID, issuer, scope string }

// last returns the path and identity of the backend's last request.
func (b *echoBackend) last(t *testing.T) (string, backendIdentity) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.paths) == 0 {
		t.Fatal("backend not called")
	}
	return b.paths[len(b.paths)-1], b.identities[len(b.identities)-1]
}

func newEchoBackend(t *testing.T) *echoBackend {
	t.Helper()
	b := &echoBackend{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.paths = append(b.paths, r.URL.EscapedPath())
		b.identities = append(b.identities, backendIdentity{r.Header.Get("X-User-Id"), r.Header.Get("X-Issuer"), r.Header.Get("X-Scope")})
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"backendPath": r.URL.EscapedPath()})
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	status, body, _ := getWithHeader(t, url, token)
	return status, body
}

// getWithHeader GETs url with token as the bearer token (none when empty).
func getWithHeader(t *testing.T, url, token string) (int, string, http.Header) {
	t.Helper()
	if token == "" {
		return send(t, url, "")
	}
	return send(t, url, "Bearer "+token)
}

// getWith GETs url with token as the bearer token and extra headers.
func getWith(t *testing.T, url, token string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
