package authorizer

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// fromConfig builds the handler with logs captured and waits for the keys
// to load.
func fromConfig(t *testing.T, cfg *config.Authorizer) (*Handler, *jwttest.Log) {
	t.Helper()
	logs := &jwttest.Log{}
	h, warmed, err := FromConfig(context.Background(), cfg, Deps{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-warmed:
	case <-time.After(30 * time.Second):
		t.Fatalf("keys not warmed after 30 s; logs: %s", logs)
	}
	return h, logs
}

// TestFromConfig: the one constructor loads each issuer's keys at once, and
// each issuer's tokens verify with its own keys only.
func TestFromConfig(t *testing.T) {
	keys := map[string]*jwttest.Key{"a": jwttest.NewRSA("k", 2048), "b": jwttest.NewRSA("k", 2048)} // one kid
	issuers := map[string]*jwttest.Issuer{"a": jwttest.NewIssuer(keys["a"]), "b": jwttest.NewIssuer(keys["b"])}
	for _, iss := range issuers {
		t.Cleanup(iss.Close)
	}
	requests := func() int64 {
		return issuers["a"].Fetches() + issuers["a"].Discoveries() + issuers["b"].Fetches() + issuers["b"].Discoveries()
	}
	cfg := &config.Authorizer{
		Issuers: []config.Issuer{
			{Name: "a", Issuer: issuers["a"].URL(), Audiences: []string{"api"}, UserIDClaim: "sub"},
			{Name: "b", Issuer: issuers["b"].URL(), Audiences: []string{"api"}, UserIDClaim: "sub"},
		},
		Routes:           []config.Route{{Route: "GET/hello/{userId}", Issuers: []string{"a", "b"}}},
		Algorithms:       []string{"RS256"},
		KeysCacheTTL:     time.Hour,
		JWKSFetchTimeout: 10 * time.Second,
		ClockSkew:        time.Minute,
	}
	h, logs := fromConfig(t, cfg)
	if n := requests(); n != 4 || strings.Contains(logs.String(), "warm keys") {
		t.Fatalf("warm: %d requests, want 4 (discovery and JWKS of each); logs: %s", n, logs)
	}
	mint := func(signer, iss string) events.APIGatewayCustomAuthorizerRequest {
		c := jwttest.Claims(iss, "user-1", time.Now())
		c["aud"] = "api"
		return events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: bearer(keys[signer].Mint(nil, c)),
			MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/hello/user-1"}
	}
	for _, tc := range []struct {
		name string
		ev   events.APIGatewayCustomAuthorizerRequest
		want error
	}{
		{"a", mint("a", issuers["a"].URL()), nil},
		{"b", mint("b", issuers["b"].URL()), nil},
		{"b's key, a's iss", mint("b", issuers["a"].URL()), token.ErrSignature},
		{"a's key, b's iss", mint("a", issuers["b"].URL()), token.ErrSignature},
		{"unknown iss", mint("a", issuers["a"].URL()+"/c"), token.ErrUnknownIssuer},
	} {
		if v := h.decide(context.Background(), tc.ev); !errors.Is(v.reason, tc.want) || (tc.want == nil) != (v.reason == nil) {
			t.Errorf("%s: reason = %v, want %v", tc.name, v.reason, tc.want)
		}
	}
	if n := requests(); n != 4 {
		t.Fatalf("%d issuer requests after the verdicts, want still 4", n)
	}
}

// TestFromConfigWarmFailure: an issuer that is down is logged, not fatal,
// and warmed still closes.
func TestFromConfigWarmFailure(t *testing.T) {
	down := jwttest.NewIssuer()
	t.Cleanup(down.Close)
	down.Fail(http.StatusServiceUnavailable)
	_, logs := fromConfig(t, &config.Authorizer{
		Issuers:          []config.Issuer{{Name: "default", Issuer: down.URL(), Audiences: []string{"api"}, UserIDClaim: "sub"}},
		Routes:           []config.Route{{Route: "GET/hello/{userId}"}},
		Algorithms:       []string{"RS256"},
		KeysCacheTTL:     time.Hour,
		JWKSFetchTimeout: 10 * time.Second,
	})
	if !strings.Contains(logs.String(), `"msg":"warm keys","issuerName":"default"`) {
		t.Fatalf("logs: %s", logs)
	}
}
