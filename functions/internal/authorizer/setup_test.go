package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// twoIssuers serves two OIDC issuers, /a and /b, whose keys share a kid,
// and counts the requests for each.
type twoIssuers struct {
	srv      *httptest.Server
	keys     map[string]*jwttest.Key
	requests map[string]*atomic.Int32
}

func newTwoIssuers(t *testing.T) *twoIssuers {
	ti := &twoIssuers{
		keys:     map[string]*jwttest.Key{"a": jwttest.NewRSA("k", 2048), "b": jwttest.NewRSA("k", 2048)},
		requests: map[string]*atomic.Int32{"a": {}, "b": {}},
	}
	mux := http.NewServeMux()
	for name, key := range ti.keys {
		mux.HandleFunc("/"+name+"/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
			ti.requests[name].Add(1)
			json.NewEncoder(w).Encode(map[string]string{"issuer": ti.issuer(name), "jwks_uri": ti.issuer(name) + "/jwks"})
		})
		mux.HandleFunc("/"+name+"/jwks", func(w http.ResponseWriter, _ *http.Request) {
			ti.requests[name].Add(1)
			w.Write(jwttest.JWKS(key))
		})
	}
	ti.srv = httptest.NewServer(mux)
	t.Cleanup(ti.srv.Close)
	return ti
}

func (ti *twoIssuers) issuer(name string) string { return ti.srv.URL + "/" + name }

// TestFromConfig: the one constructor loads each issuer's keys at once, and
// each issuer's tokens verify with its own keys only.
func TestFromConfig(t *testing.T) {
	ti := newTwoIssuers(t)
	cfg := &config.Authorizer{
		Issuers: []config.Issuer{
			{Name: "a", Issuer: ti.issuer("a"), Audiences: []string{"api"}, UserIDClaim: "sub"},
			{Name: "b", Issuer: ti.issuer("b"), Audiences: []string{"api"}, UserIDClaim: "sub"},
		},
		Routes:           []config.Route{{Route: "GET/hello/{userId}", Issuers: []string{"a", "b"}}},
		Algorithms:       []string{"RS256"},
		KeysCacheTTL:     time.Hour,
		JWKSFetchTimeout: 10 * time.Second,
		ClockSkew:        time.Minute,
	}
	var logs syncBuffer
	h, warmed, err := FromConfig(context.Background(), cfg, Deps{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-warmed:
	case <-time.After(30 * time.Second):
		t.Fatalf("keys not warmed after 30 s; logs: %s", logs.String())
	}
	if n := ti.requests["a"].Load() + ti.requests["b"].Load(); n != 4 || strings.Contains(logs.String(), "warm keys") {
		t.Fatalf("warm: %d requests, want 4 (discovery and JWKS of each); logs: %s", n, logs.String())
	}
	mint := func(signer, iss string) events.APIGatewayCustomAuthorizerRequest {
		c := jwttest.Claims(iss, "user-1", time.Now())
		c["aud"] = "api"
		return events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: bearer(ti.keys[signer].Mint(nil, c)),
			MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/hello/user-1"}
	}
	for _, tc := range []struct {
		name string
		ev   events.APIGatewayCustomAuthorizerRequest
		want error
	}{
		{"a", mint("a", ti.issuer("a")), nil},
		{"b", mint("b", ti.issuer("b")), nil},
		{"b's key, a's iss", mint("b", ti.issuer("a")), token.ErrSignature},
		{"a's key, b's iss", mint("a", ti.issuer("b")), token.ErrSignature},
		{"unknown iss", mint("a", ti.srv.URL+"/c"), token.ErrUnknownIssuer},
	} {
		if v := h.decide(context.Background(), tc.ev); !errors.Is(v.reason, tc.want) || (tc.want == nil) != (v.reason == nil) {
			t.Errorf("%s: reason = %v, want %v", tc.name, v.reason, tc.want)
		}
	}
	if n := ti.requests["a"].Load() + ti.requests["b"].Load(); n != 4 {
		t.Fatalf("%d issuer requests after the verdicts, want still 4", n)
	}
}

// TestFromConfigWarmFailure: an issuer that is down is logged, not fatal,
// and warmed still closes.
func TestFromConfigWarmFailure(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))
	defer down.Close()
	cfg := &config.Authorizer{
		Issuers:          []config.Issuer{{Name: "default", Issuer: down.URL, Audiences: []string{"api"}, UserIDClaim: "sub"}},
		Routes:           []config.Route{{Route: "GET/hello/{userId}"}},
		Algorithms:       []string{"RS256"},
		KeysCacheTTL:     time.Hour,
		JWKSFetchTimeout: 10 * time.Second,
	}
	var logs syncBuffer
	_, warmed, err := FromConfig(context.Background(), cfg, Deps{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-warmed:
	case <-time.After(30 * time.Second):
		t.Fatal("warmed not closed after 30 s")
	}
	if !strings.Contains(logs.String(), `"msg":"warm keys","issuerName":"default"`) {
		t.Fatalf("logs: %s", logs.String())
	}
}

// syncBuffer is a log sink the key loaders may write to from their own
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
