package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// fake is an Invoker backed by a function.
type fake struct {
	calls atomic.Int64
	fn    func(payload []byte) (*rie.Result, error)
}

func (f *fake) Invoke(ctx context.Context, payload []byte) (*rie.Result, error) {
	f.calls.Add(1)
	return f.fn(payload)
}

const (
	authzARN = "arn:aws:lambda:us-east-1:123456789012:function:authz"
	helloARN = "arn:aws:lambda:us-east-1:123456789012:function:hello"
	openARN  = "arn:aws:lambda:us-east-1:123456789012:function:open"
)

type tokenEvent struct {
	Type, AuthorizationToken, MethodArn string
}

// fakeAuthorizer answers like testdata/authorizer.
func fakeAuthorizer() *fake {
	return &fake{fn: func(p []byte) (*rie.Result, error) {
		var ev tokenEvent
		_ = json.Unmarshal(p, &ev)
		base := ev.MethodArn[:strings.Index(ev.MethodArn, "/prod/")+len("/prod")]
		switch {
		case strings.HasPrefix(ev.AuthorizationToken, "allow-"):
			uid := strings.TrimPrefix(ev.AuthorizationToken, "allow-")
			b, _ := json.Marshal(map[string]any{
				"principalId":    "user-" + uid,
				"policyDocument": map[string]any{"Statement": []any{map[string]any{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": base + "/GET/hello/" + uid}}},
				"context":        map[string]any{"uid": uid, "n": 42, "ok": true},
			})
			return &rie.Result{Payload: b}, nil
		case ev.AuthorizationToken == "deny":
			return &rie.Result{Payload: []byte(`{"principalId":"x","policyDocument":{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}}`)}, nil
		case ev.AuthorizationToken == "unauthorized":
			return &rie.Result{Error: &rie.FunctionError{Message: "Unauthorized", Type: "errorString"}}, nil
		case ev.AuthorizationToken == "error":
			return &rie.Result{Error: &rie.FunctionError{Message: "boom", Type: "errorString"}}, nil
		case ev.AuthorizationToken == "garbage":
			return &rie.Result{Payload: []byte(`"garbage"`)}, nil
		case ev.AuthorizationToken == "sleep":
			return &rie.Result{TimedOut: true, Payload: []byte("Task timed out after 1.00 seconds")}, nil
		case ev.AuthorizationToken == "broken":
			return nil, errors.New("emulator gone")
		}
		return &rie.Result{Error: &rie.FunctionError{Message: "Unauthorized"}}, nil
	}}
}

func fakeEcho() *fake {
	return &fake{fn: func(p []byte) (*rie.Result, error) {
		var ev map[string]any
		_ = json.Unmarshal(p, &ev)
		q, _ := ev["queryStringParameters"].(map[string]any)
		switch q["mode"] {
		case "error":
			return &rie.Result{Error: &rie.FunctionError{Message: "x"}}, nil
		case "garbage":
			return &rie.Result{Payload: []byte(`{"hello":"world"}`)}, nil
		case "timeout":
			return &rie.Result{TimedOut: true}, nil
		}
		b, _ := json.Marshal(map[string]any{"statusCode": 200, "headers": map[string]string{"X-Echo": "1"}, "body": string(p)})
		return &rie.Result{Payload: b}, nil
	}}
}

const allowAPIGW = `{"Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:api1/*"}}}]}`

type fixture struct {
	g             *Gateway
	authz, echo   *fake
	clock         time.Time
	access        strings.Builder
	authorizerCfg *Authorizer
}

func newFixture(t *testing.T, ttl time.Duration) *fixture {
	t.Helper()
	f := &fixture{authz: fakeAuthorizer(), echo: fakeEcho(), clock: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a := &Authorizer{ID: "az1", Name: "jwt", Type: "TOKEN", IdentitySource: "method.request.header.Authorization",
		ValidationExpression: `[A-Za-z0-9-]+`, TTL: ttl,
		URI: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + authzARN + "/invocations"}
	if err := completeAuthorizer(a); err != nil {
		t.Fatal(err)
	}
	f.authorizerCfg = a
	integ := &Integration{Type: "AWS_PROXY", FunctionARN: helloARN, Timeout: time.Second}
	api := &API{
		ID: "api1", Stage: "prod", Region: "us-east-1", Account: "123456789012",
		StageVariables: map[string]string{"v": "1"},
		Resources: []*Resource{
			{ID: "r0", Path: "/"},
			{ID: "r1", Path: "/hello"},
			{ID: "r2", Path: "/hello/{userId}", Methods: map[string]*Method{"GET": {HTTPMethod: "GET", AuthorizationType: "CUSTOM", AuthorizerID: "az1", Integration: integ}}},
			{ID: "r3", Path: "/open/{proxy+}", Methods: map[string]*Method{"ANY": {HTTPMethod: "ANY", AuthorizationType: "NONE", Integration: &Integration{Type: "AWS_PROXY", FunctionARN: openARN}}}},
		},
		Authorizers: map[string]*Authorizer{"az1": a},
		Functions: map[string]*Function{
			authzARN: {ARN: authzARN, Name: "authz", Policy: allowAPIGW},
			helloARN: {ARN: helloARN, Name: "hello", Policy: allowAPIGW},
			openARN:  {ARN: openARN, Name: "open"}, // no resource policy
		},
	}
	g, err := NewFromModel(api, map[string]Invoker{authzARN: f.authz, helloARN: f.echo, openARN: f.echo}, &f.access)
	if err != nil {
		t.Fatal(err)
	}
	g.now = func() time.Time { return f.clock }
	f.g = g
	return f
}

type response struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) do(t *testing.T, method, path, token string) response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	w := httptest.NewRecorder()
	f.g.ServeHTTP(w, req)
	b, _ := io.ReadAll(w.Result().Body)
	return response{w.Code, w.Result().Header, string(b)}
}

func expect(t *testing.T, r response, status int, body string) {
	t.Helper()
	if r.status != status || (body != "" && r.body != body) {
		t.Fatalf("got %d %s, want %d %s", r.status, r.body, status, body)
	}
}

const (
	bodyUnauthorized = `{"message":"Unauthorized"}`
	bodyDeny         = `{"message":"User is not authorized to access this resource with an explicit deny"}`
	bodyNotAllowed   = `{"message":"User is not authorized to access this resource"}`
	bodyNull         = `{"message":null}`
	bodyInternal     = `{"message":"Internal server error"}`
	bodyMissing      = `{"message":"Missing Authentication Token"}`
)

func TestMissingHeaderIs401WithoutInvoking(t *testing.T) {
	f := newFixture(t, time.Minute)
	r := f.do(t, "GET", "/prod/hello/a", "")
	expect(t, r, 401, bodyUnauthorized)
	if r.header.Get("x-amzn-ErrorType") != "UnauthorizedException" || r.header.Get("Content-Type") != "application/json" || r.header.Get("x-amzn-RequestId") == "" {
		t.Errorf("headers = %v", r.header)
	}
	if f.authz.calls.Load() != 0 {
		t.Fatal("authorizer invoked without a token")
	}
}

func TestValidationExpressionMismatchIs401WithoutInvoking(t *testing.T) {
	f := newFixture(t, time.Minute)
	expect(t, f.do(t, "GET", "/prod/hello/a", "Bearer allow-a"), 401, bodyUnauthorized) // space not in [A-Za-z0-9-]+ (full match)
	expect(t, f.do(t, "GET", "/prod/hello/a", "allow-a!"), 401, bodyUnauthorized)
	if f.authz.calls.Load() != 0 {
		t.Fatal("authorizer invoked for a token failing the validation expression")
	}
}

func TestAllowDeliversAuthorizerContext(t *testing.T) {
	f := newFixture(t, time.Minute)
	r := f.do(t, "GET", "/prod/hello/a?x=1&x=2", "allow-a")
	expect(t, r, 200, "")
	if r.header.Get("X-Echo") != "1" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", r.header)
	}
	var ev struct {
		Resource, Path, HTTPMethod  string
		PathParameters              map[string]string
		QueryStringParameters       map[string]string
		MultiValueQueryStringParams map[string][]string `json:"multiValueQueryStringParameters"`
		StageVariables              map[string]string
		Headers                     map[string]string
		Body                        *string
		RequestContext              struct {
			AccountID, ResourceID, Stage, RequestID, ResourcePath, HTTPMethod, APIID, Path string
			Identity                                                                       struct{ SourceIP string }
			Authorizer                                                                     map[string]any
		}
	}
	if err := json.Unmarshal([]byte(r.body), &ev); err != nil {
		t.Fatalf("event %s: %v", r.body, err)
	}
	rc := ev.RequestContext
	if ev.Resource != "/hello/{userId}" || ev.Path != "/hello/a" || ev.HTTPMethod != "GET" || ev.PathParameters["userId"] != "a" ||
		ev.QueryStringParameters["x"] != "2" || len(ev.MultiValueQueryStringParams["x"]) != 2 || ev.StageVariables["v"] != "1" || ev.Body != nil ||
		rc.AccountID != "123456789012" || rc.ResourceID != "r2" || rc.Stage != "prod" || rc.RequestID != r.header.Get("x-amzn-RequestId") ||
		rc.ResourcePath != "/hello/{userId}" || rc.HTTPMethod != "GET" || rc.APIID != "api1" || rc.Path != "/prod/hello/a" || rc.Identity.SourceIP == "" {
		t.Errorf("event = %s", r.body)
	}
	if rc.Authorizer["principalId"] != "user-a" || rc.Authorizer["uid"] != "a" || rc.Authorizer["n"] != "42" || rc.Authorizer["ok"] != "true" {
		t.Errorf("authorizer = %v", rc.Authorizer)
	}
	if ev.Headers["Authorization"] != "allow-a" {
		t.Errorf("headers = %v", ev.Headers)
	}
}

func TestOtherPathIs403NotAuthorized(t *testing.T) {
	f := newFixture(t, time.Minute)
	r := f.do(t, "GET", "/prod/hello/b", "allow-a")
	expect(t, r, 403, bodyNotAllowed)
	if r.header.Get("x-amzn-ErrorType") != "AccessDeniedException" {
		t.Errorf("headers = %v", r.header)
	}
	if f.echo.calls.Load() != 0 {
		t.Fatal("integration invoked")
	}
}

func TestExplicitDenyIs403(t *testing.T) {
	f := newFixture(t, time.Minute)
	expect(t, f.do(t, "GET", "/prod/hello/a", "deny"), 403, bodyDeny)
}

func TestAuthorizerUnauthorizedIs401(t *testing.T) {
	f := newFixture(t, time.Minute)
	expect(t, f.do(t, "GET", "/prod/hello/a", "unauthorized"), 401, bodyUnauthorized)
}

func TestAuthorizerFailuresAre500Null(t *testing.T) {
	for _, tok := range []string{"error", "garbage", "sleep", "broken"} {
		t.Run(tok, func(t *testing.T) {
			f := newFixture(t, time.Minute)
			r := f.do(t, "GET", "/prod/hello/a", tok)
			expect(t, r, 500, bodyNull)
			if r.header.Get("x-amzn-ErrorType") != "AuthorizerConfigurationException" {
				t.Errorf("headers = %v", r.header)
			}
			// Failures are not cached.
			f.do(t, "GET", "/prod/hello/a", tok)
			if n := f.authz.calls.Load(); n != 2 {
				t.Errorf("authorizer calls = %d, want 2", n)
			}
		})
	}
}

func TestCacheByTokenEvaluatedPerMethodARN(t *testing.T) {
	f := newFixture(t, 300*time.Second)
	expect(t, f.do(t, "GET", "/prod/hello/a", "allow-a"), 200, "")
	expect(t, f.do(t, "GET", "/prod/hello/a", "allow-a"), 200, "")
	// Same token, another method ARN: the cached policy is evaluated again.
	expect(t, f.do(t, "GET", "/prod/hello/b", "allow-a"), 403, bodyNotAllowed)
	if n := f.authz.calls.Load(); n != 1 {
		t.Fatalf("authorizer calls = %d, want 1 (cached)", n)
	}
	if h, m := f.g.CacheStats(); h != 2 || m != 1 {
		t.Errorf("cache hits/misses = %d/%d", h, m)
	}
	// Another token is another cache entry.
	expect(t, f.do(t, "GET", "/prod/hello/b", "allow-b"), 200, "")
	if n := f.authz.calls.Load(); n != 2 {
		t.Fatalf("authorizer calls = %d, want 2", n)
	}
	// Deny is cached too.
	f.do(t, "GET", "/prod/hello/a", "deny")
	expect(t, f.do(t, "GET", "/prod/hello/a", "deny"), 403, bodyDeny)
	if n := f.authz.calls.Load(); n != 3 {
		t.Fatalf("authorizer calls = %d, want 3", n)
	}
	// Expiry after the TTL.
	f.clock = f.clock.Add(301 * time.Second)
	f.do(t, "GET", "/prod/hello/a", "allow-a")
	if n := f.authz.calls.Load(); n != 4 {
		t.Fatalf("authorizer calls after TTL = %d, want 4", n)
	}
	if !strings.Contains(f.access.String(), "authz-cache=hit") {
		t.Errorf("access log lacks cache hits:\n%s", f.access.String())
	}
}

func TestTTLZeroDisablesCache(t *testing.T) {
	f := newFixture(t, 0)
	f.do(t, "GET", "/prod/hello/a", "allow-a")
	f.do(t, "GET", "/prod/hello/a", "allow-a")
	if n := f.authz.calls.Load(); n != 2 {
		t.Fatalf("authorizer calls = %d, want 2", n)
	}
}

func TestUnknownRouteIs403MissingToken(t *testing.T) {
	f := newFixture(t, time.Minute)
	for _, p := range []string{"/prod/nope", "/prod/hello/a/b", "/other/hello/a", "/hello/a", "/prod", "/prod/hello"} {
		expect(t, f.do(t, "GET", p, "allow-a"), 403, bodyMissing)
	}
	expect(t, f.do(t, "POST", "/prod/hello/a", "allow-a"), 403, bodyMissing)
	if f.authz.calls.Load() != 0 {
		t.Fatal("authorizer invoked for an unknown route")
	}
}

func TestIntegrationFailuresAre502(t *testing.T) {
	f := newFixture(t, time.Minute)
	for _, mode := range []string{"error", "garbage", "timeout"} {
		expect(t, f.do(t, "GET", "/prod/hello/a?mode="+mode, "allow-a"), 502, bodyInternal)
	}
}

func TestIntegrationDeadlineIs504(t *testing.T) {
	f := newFixture(t, time.Minute)
	f.echo.fn = func([]byte) (*rie.Result, error) { return nil, context.DeadlineExceeded }
	f.g.api.Resources[2].Methods["GET"].Integration.Timeout = time.Nanosecond
	expect(t, f.do(t, "GET", "/prod/hello/a", "allow-a"), 504, `{"message":"Endpoint request timed out"}`)
}

func TestNoneIsServedUnauthenticatedButNeedsPermission(t *testing.T) {
	f := newFixture(t, time.Minute)
	// The open function has no resource policy: API Gateway may not invoke it.
	expect(t, f.do(t, "POST", "/prod/open/x/y", ""), 500, bodyInternal)
	f.g.perms[openARN], _ = parseResourcePolicy(allowAPIGW)
	r := f.do(t, "POST", "/prod/open/x/y", "")
	expect(t, r, 200, "")
	if !strings.Contains(r.body, `"proxy":"x/y"`) || strings.Contains(r.body, `"authorizer"`) {
		t.Errorf("event = %s", r.body)
	}
}

func TestAuthorizerWithoutPermissionIs500(t *testing.T) {
	f := newFixture(t, time.Minute)
	f.g.perms[authzARN], _ = parseResourcePolicy("")
	expect(t, f.do(t, "GET", "/prod/hello/a", "allow-a"), 500, bodyNull)
	if f.authz.calls.Load() != 0 {
		t.Fatal("authorizer invoked without permission")
	}
}

func TestAccessLogOneLinePerRequest(t *testing.T) {
	f := newFixture(t, time.Minute)
	f.do(t, "GET", "/prod/hello/a", "allow-a")
	f.do(t, "GET", "/prod/hello/a", "allow-a")
	f.do(t, "GET", "/prod/hello/a", "")
	lines := strings.Split(strings.TrimSpace(f.access.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("lines = %q", lines)
	}
	re := regexp.MustCompile(`^\S+ \S+ GET /prod/hello/a (200|401) authz-cache=(miss|hit|-) \d+ms`)
	for _, l := range lines {
		if !re.MatchString(l) {
			t.Errorf("line %q", l)
		}
	}
	if !strings.Contains(lines[0], "miss") || !strings.Contains(lines[1], "hit") {
		t.Errorf("lines = %q", lines)
	}
}
