package gateway

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// backendHit is what the HTTP backend received.
type backendHit struct {
	method, rawPath, rawQuery string
	header                    http.Header
	body                      string
}

// backend is a loopback HTTP server recording its requests; handle answers.
type backend struct {
	srv    *httptest.Server
	mu     sync.Mutex
	hits   []backendHit
	handle func(w http.ResponseWriter, r *http.Request)
}

func newBackend(t *testing.T) *backend {
	t.Helper()
	b := &backend{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.hits = append(b.hits, backendHit{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), string(body)})
		h := b.handle
		b.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Backend", "1")
		w.Header().Set("Connection", "X-Hop")
		w.Header().Set("X-Hop", "dropped")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "from backend "+r.URL.EscapedPath())
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *backend) last(t *testing.T) backendHit {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.hits) == 0 {
		t.Fatal("backend not called")
	}
	return b.hits[len(b.hits)-1]
}

func (b *backend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.hits)
}

// httpFixture is the handler fixture plus HTTP_PROXY resources to backend:
// /profiles/{userId}/{section} (CUSTOM, GET), /docs/{proxy+} (NONE, ANY)
// and /mapped/{id} (NONE, POST, query, header and static mappings).
func httpFixture(t *testing.T, b *backend) *fixture {
	t.Helper()
	f := newFixture(t, time.Minute)
	f.g.api.Resources = append(f.g.api.Resources,
		&Resource{ID: "h1", Path: "/profiles/{userId}/{section}", Methods: map[string]*Method{"GET": {
			HTTPMethod: "GET", AuthorizationType: "CUSTOM", AuthorizerID: "az1",
			Integration: &Integration{Type: "HTTP_PROXY", HTTPMethod: "GET", URI: b.srv.URL + "/p/{userId}/{section}", Timeout: 5 * time.Second,
				RequestParameters: map[string]string{
					"integration.request.path.userId":  "method.request.path.userId",
					"integration.request.path.section": "method.request.path.section",
				}},
		}}},
		&Resource{ID: "h2", Path: "/docs/{proxy+}", Methods: map[string]*Method{"ANY": {
			HTTPMethod: "ANY", AuthorizationType: "NONE",
			Integration: &Integration{Type: "HTTP_PROXY", HTTPMethod: "ANY", URI: b.srv.URL + "/d/{proxy}?fixed=1",
				RequestParameters: map[string]string{"integration.request.path.proxy": "method.request.path.proxy"}},
		}}},
		&Resource{ID: "h3", Path: "/mapped/{id}", Methods: map[string]*Method{"GET": {
			HTTPMethod: "GET", AuthorizationType: "NONE",
			Integration: &Integration{Type: "HTTP_PROXY", HTTPMethod: "POST", URI: b.srv.URL + "/m/{q}/{h}/{s}",
				RequestParameters: map[string]string{
					"integration.request.path.q":        "method.request.querystring.q",
					"integration.request.path.h":        "method.request.header.X-Tenant",
					"integration.request.path.s":        "'v1'",
					"integration.request.querystring.i": "method.request.path.id",
					"integration.request.header.X-Id":   "method.request.path.id",
				}},
		}}},
	)
	f.g.router = newRouter(f.g.api.Resources)
	return f
}

// allowProfiles is an authorizer answer allowing GET on every profile.
func allowProfiles(principal string) *rie.Result {
	b, _ := json.Marshal(map[string]any{
		"principalId": principal,
		"policyDocument": map[string]any{"Statement": []any{map[string]any{
			"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:123456789012:api1/prod/GET/profiles/*",
		}}},
	})
	return &rie.Result{Payload: b}
}

func TestHTTPProxyFillsPathParametersAndRelaysTheAnswer(t *testing.T) {
	b := newBackend(t)
	f := httpFixture(t, b)
	r := f.do(t, "GET", "/prod/profiles/a/contact?x=1&x=2", "allow-a")
	// The fake authorizer allows GET/hello/a only.
	expect(t, r, 403, bodyNotAllowed)
	if b.count() != 0 {
		t.Fatal("backend called although the policy denies the route")
	}

	f.authz.fn = func([]byte) (*rie.Result, error) { return allowProfiles("user-a"), nil }
	req := httptest.NewRequest("GET", "/prod/profiles/a%20b/contact?x=1&x=2", nil)
	req.Header.Set("Authorization", "profiles-a") // not the cached token
	req.Header.Set("Connection", "X-Secret")
	req.Header.Set("X-Secret", "hop")
	req.Header.Set("X-Forwarded-For", "192.0.2.1")
	w := httptest.NewRecorder()
	f.g.ServeHTTP(w, req)
	if w.Code != 201 || w.Body.String() != "from backend /p/a%20b/contact" {
		t.Fatalf("got %d %q, want the backend's 201", w.Code, w.Body.String())
	}
	if w.Header().Get("X-Backend") != "1" || w.Header().Get("Content-Type") != "text/plain" || w.Header().Get("X-Hop") != "" || w.Header().Get("x-amzn-RequestId") == "" {
		t.Errorf("response headers = %v", w.Header())
	}
	hit := b.last(t)
	if hit.method != "GET" || hit.rawPath != "/p/a%20b/contact" || hit.rawQuery != "x=1&x=2" {
		t.Errorf("backend got %s %s?%s", hit.method, hit.rawPath, hit.rawQuery)
	}
	if hit.header.Get("Authorization") != "profiles-a" || hit.header.Get("X-Secret") != "" ||
		hit.header.Get("X-Forwarded-For") != "192.0.2.1, 192.0.2.1" || !strings.HasPrefix(hit.header.Get("X-Amzn-Trace-Id"), "Root=1-") {
		t.Errorf("backend headers = %v", hit.header)
	}
}

func TestHTTPProxyGreedyPathAndAnyVerb(t *testing.T) {
	b := newBackend(t)
	f := httpFixture(t, b)
	req := httptest.NewRequest("PUT", "/prod/docs/guides/a%2Fb/intro.md?v=2", strings.NewReader("payload"))
	w := httptest.NewRecorder()
	f.g.ServeHTTP(w, req)
	if w.Code != 201 {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
	hit := b.last(t)
	if hit.method != "PUT" || hit.rawPath != "/d/guides/a%2Fb/intro.md" || hit.rawQuery != "fixed=1&v=2" || hit.body != "payload" {
		t.Errorf("backend got %s %s?%s %q", hit.method, hit.rawPath, hit.rawQuery, hit.body)
	}
	// {proxy+} needs at least one segment.
	expect(t, f.do(t, "GET", "/prod/docs", ""), 403, bodyMissing)
}

func TestHTTPProxyRequestParameterMappings(t *testing.T) {
	b := newBackend(t)
	f := httpFixture(t, b)
	req := httptest.NewRequest("GET", "/prod/mapped/42?q=a/b", nil)
	req.Header.Set("X-Tenant", "t 1")
	w := httptest.NewRecorder()
	f.g.ServeHTTP(w, req)
	if w.Code != 201 {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
	hit := b.last(t)
	// The integration's verb (POST) wins over the request's; query and
	// header values are escaped into the path.
	if hit.method != "POST" || hit.rawPath != "/m/a%2Fb/t%201/v1" || hit.rawQuery != "q=a/b&i=42" || hit.header.Get("X-Id") != "42" {
		t.Errorf("backend got %s %s?%s X-Id=%q", hit.method, hit.rawPath, hit.rawQuery, hit.header.Get("X-Id"))
	}
}

// TestHTTPProxyAuthorizerContextHeaders: context.authorizer.<key> mappings
// put what the authorizer returned into the backend's headers (the module's
// X-User-Id, X-Issuer, X-Scope), and a mapped header the client sent itself
// never reaches the backend: overwritten, or dropped when the authorizer
// returned no such key.
func TestHTTPProxyAuthorizerContextHeaders(t *testing.T) {
	b := newBackend(t)
	f := httpFixture(t, b)
	in := f.g.api.Resources[len(f.g.api.Resources)-3].Methods["GET"].Integration
	in.RequestParameters["integration.request.header.X-User-Id"] = "context.authorizer.userId"
	in.RequestParameters["integration.request.header.X-Issuer"] = "context.authorizer.issuerName"
	in.RequestParameters["integration.request.header.X-Principal"] = "context.authorizer.principalId"
	in.RequestParameters["integration.request.header.X-Scope"] = "context.authorizer.scope"
	f.authz.fn = func([]byte) (*rie.Result, error) {
		res := allowProfiles("a")
		var out map[string]any
		if err := json.Unmarshal(res.Payload, &out); err != nil {
			return nil, err
		}
		out["context"] = map[string]any{"userId": "a", "issuerName": "okta"} // no scope
		res.Payload, _ = json.Marshal(out)
		return res, nil
	}
	req := httptest.NewRequest("GET", "/prod/profiles/a/contact", nil)
	req.Header.Set("Authorization", "profiles-a")
	req.Header.Set("X-User-Id", "b")   // a client claiming to be b
	req.Header.Add("x-user-id", "c")   // twice, in another case
	req.Header.Set("X-Scope", "admin") // a scope the authorizer did not return
	req.Header.Set("X-Other", "kept")  // not mapped: passes
	w := httptest.NewRecorder()
	f.g.ServeHTTP(w, req)
	if w.Code != 201 {
		t.Fatalf("got %d %s", w.Code, w.Body)
	}
	h := b.last(t).header
	for k, want := range map[string][]string{"X-User-Id": {"a"}, "X-Issuer": {"okta"}, "X-Principal": {"a"}, "X-Scope": nil, "X-Other": {"kept"}} {
		if got := h.Values(k); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("backend header %s = %q, want %q", k, got, want)
		}
	}
}

func TestHTTPProxyRedirectIsReturnedNotFollowed(t *testing.T) {
	b := newBackend(t)
	b.handle = func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}
	f := httpFixture(t, b)
	r := f.do(t, "GET", "/prod/docs/x", "")
	if r.status != 302 || r.header.Get("Location") != "/elsewhere" || b.count() != 1 {
		t.Fatalf("got %d Location %q after %d backend calls", r.status, r.header.Get("Location"), b.count())
	}
}

func TestHTTPProxyFailures(t *testing.T) {
	t.Run("backend down is 500", func(t *testing.T) {
		b := newBackend(t)
		f := httpFixture(t, b)
		b.srv.Close()
		r := f.do(t, "GET", "/prod/docs/x", "")
		expect(t, r, 500, bodyInternal)
		if r.header.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
			t.Errorf("headers = %v", r.header)
		}
	})
	t.Run("past timeoutInMillis is 504", func(t *testing.T) {
		b := newBackend(t)
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		b.handle = func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
		f := httpFixture(t, b)
		f.g.api.Resources[len(f.g.api.Resources)-2].Methods["ANY"].Integration.Timeout = 50 * time.Millisecond
		expect(t, f.do(t, "GET", "/prod/docs/x", ""), 504, `{"message":"Endpoint request timed out"}`)
	})
	t.Run("non-loopback host is not contacted", func(t *testing.T) {
		b := newBackend(t)
		f := httpFixture(t, b)
		in := f.g.api.Resources[len(f.g.api.Resources)-2].Methods["ANY"].Integration
		in.URI = "http://backend.example.com/d/{proxy}"
		expect(t, f.do(t, "GET", "/prod/docs/x", ""), 500, bodyInternal)
		if !strings.Contains(f.access.String(), "non-loopback") {
			t.Errorf("access log = %s", f.access.String())
		}
	})
}

func TestCheckHTTPIntegration(t *testing.T) {
	path := map[string]string{"integration.request.path.id": "method.request.path.id"}
	cases := []struct {
		name string
		in   Integration
		want error
	}{
		{"valid", Integration{URI: "http://127.0.0.1:8080/x/{id}", HTTPMethod: "GET", RequestParameters: path}, nil},
		{"valid https default port", Integration{URI: "https://127.0.0.1/x", HTTPMethod: "ANY"}, nil},
		{"placeholder without mapping", Integration{URI: "http://127.0.0.1:8080/x/{id}", HTTPMethod: "GET"}, ErrInvalidIntegration},
		{"port API Gateway refuses", Integration{URI: "http://127.0.0.1:22/x", HTTPMethod: "GET"}, ErrInvalidIntegration},
		{"not http", Integration{URI: "ftp://127.0.0.1/x", HTTPMethod: "GET"}, ErrInvalidIntegration},
		{"relative", Integration{URI: "/x", HTTPMethod: "GET"}, ErrInvalidIntegration},
		{"no verb", Integration{URI: "http://127.0.0.1:8080/x"}, ErrInvalidIntegration},
		{"authorizer context source", Integration{URI: "http://127.0.0.1:8080/x", HTTPMethod: "GET",
			RequestParameters: map[string]string{"integration.request.header.X-P": "context.authorizer.principalId", "integration.request.header.X-User-Id": "context.authorizer.userId"}}, nil},
		{"other context source", Integration{URI: "http://127.0.0.1:8080/x", HTTPMethod: "GET",
			RequestParameters: map[string]string{"integration.request.header.X-Ip": "context.identity.sourceIp"}}, ErrUnsupported},
		{"context.authorizer without a key", Integration{URI: "http://127.0.0.1:8080/x", HTTPMethod: "GET",
			RequestParameters: map[string]string{"integration.request.header.X-A": "context.authorizer."}}, ErrUnsupported},
		{"request id source", Integration{URI: "http://127.0.0.1:8080/x", HTTPMethod: "GET",
			RequestParameters: map[string]string{"integration.request.header.X-R": "context.requestId"}}, ErrUnsupported},
		{"stage variable source", Integration{URI: "http://127.0.0.1:8080/x", HTTPMethod: "GET",
			RequestParameters: map[string]string{"integration.request.header.X-S": "stageVariables.v"}}, ErrUnsupported},
		{"body target", Integration{URI: "http://127.0.0.1:8080/x", HTTPMethod: "GET",
			RequestParameters: map[string]string{"integration.request.body.x": "'a'"}}, ErrUnsupported},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.Type = "HTTP_PROXY"
			err := checkHTTPIntegration(&c.in)
			if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestCheckMethodTakesHTTPProxy(t *testing.T) {
	ok := &Method{HTTPMethod: "GET", AuthorizationType: "CUSTOM", Integration: &Integration{Type: "HTTP_PROXY", HTTPMethod: "GET", URI: "http://127.0.0.1:8080/"}}
	if err := checkMethod("/x", ok); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"HTTP", "AWS"} {
		m := &Method{HTTPMethod: "GET", AuthorizationType: "NONE", Integration: &Integration{Type: typ, HTTPMethod: "GET", URI: "http://127.0.0.1:8080/"}}
		if err := checkMethod("/x", m); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err = %v, want ErrUnsupported", typ, err)
		}
	}
}
