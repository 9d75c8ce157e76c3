package hello

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
)

func TestHandle(t *testing.T) {
	// The authorizer's context as API Gateway hands it to the integration.
	ctxOf := func(principal any, issuerName ...string) map[string]interface{} {
		m := map[string]interface{}{"principalId": principal}
		if len(issuerName) > 0 {
			m["issuerName"] = issuerName[0]
		}
		return m
	}
	cognitoOnly := []string{"cognito"}
	cases := []struct {
		name       string
		issuers    []string // config.Hello.IssuerNames
		authorizer map[string]interface{}
		pathUser   string
		status     int
		body       string
		logLevel   string
		reason     error // the sentinel the reject line names; nil when greeted
	}{
		{"greets", nil, map[string]interface{}{"principalId": "user-1", "userId": "user-1"}, "user-1", 200,
			`{"message":"Hello, user-1!","userId":"user-1"}`, "INFO", nil},
		{"forwarded claims shown, built-in keys not", nil, map[string]interface{}{"principalId": "user-1", "userId": "user-1",
			"issuerName": "cognito", "scope": "read", "integrationLatency": 3, "email": "a@example.com", "tenant": "acme"}, "user-1", 200,
			`{"message":"Hello, user-1!","userId":"user-1","claims":{"email":"a@example.com","tenant":"acme"}}`, "INFO", nil},
		{"other user", nil, ctxOf("user-1"), "user-2", 403, `{"message":"Forbidden"}`, "WARN", ErrOtherUser},
		{"no path user", nil, ctxOf("user-1"), "", 403, `{"message":"Forbidden"}`, "WARN", ErrOtherUser},
		// An open route (authorization NONE): no identity, a clear 401.
		{"no authorizer", nil, nil, "user-1", 401, `{"message":"` + noIdentity + `"}`, "WARN", ErrNoAuthorizer},
		{"no authorizer, no path user", nil, nil, "", 401, `{"message":"` + noIdentity + `"}`, "WARN", ErrNoAuthorizer},
		{"principal not string", nil, ctxOf(7), "7", 401, `{"message":"` + noIdentity + `"}`, "WARN", ErrNoAuthorizer},
		{"html escaped", nil, ctxOf("a<b"), "a<b", 200,
			`{"message":"Hello, a\u003cb!","userId":"a\u003cb"}`, "INFO", nil},

		// ISSUER_NAMES: the same user id from another issuer is another person.
		{"served issuer", cognitoOnly, ctxOf("user-1", "cognito"), "user-1", 200,
			`{"message":"Hello, user-1!","userId":"user-1"}`, "INFO", nil},
		{"one of two served issuers", []string{"cognito", "okta"}, ctxOf("user-1", "okta"), "user-1", 200,
			`{"message":"Hello, user-1!","userId":"user-1"}`, "INFO", nil},
		{"any issuer when none configured", nil, ctxOf("user-1", "okta"), "user-1", 200,
			`{"message":"Hello, user-1!","userId":"user-1"}`, "INFO", nil},
		{"issuer not served, same user id", cognitoOnly, ctxOf("user-1", "okta"), "user-1", 403,
			`{"message":"Forbidden"}`, "WARN", ErrIssuerNotServed},
		{"no issuerName in the context", cognitoOnly, ctxOf("user-1"), "user-1", 403,
			`{"message":"Forbidden"}`, "WARN", ErrIssuerNotServed},
		{"issuerName of another case", cognitoOnly, ctxOf("user-1", "Cognito"), "user-1", 403,
			`{"message":"Forbidden"}`, "WARN", ErrIssuerNotServed},
		{"issuerName not a string", cognitoOnly, map[string]interface{}{"principalId": "user-1", "issuerName": 1}, "user-1", 403,
			`{"message":"Forbidden"}`, "WARN", ErrIssuerNotServed},
		{"served issuer, other user", cognitoOnly, ctxOf("user-1", "cognito"), "user-2", 403,
			`{"message":"Forbidden"}`, "WARN", ErrOtherUser},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
				var logs bytes.Buffer
				h := New(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: level})), &config.Hello{IssuerNames: tc.issuers}, CORS{})
				req := events.APIGatewayProxyRequest{
					HTTPMethod:     "GET",
					Path:           "/hello/" + tc.pathUser,
					PathParameters: map[string]string{"userId": tc.pathUser},
					RequestContext: events.APIGatewayProxyRequestContext{Authorizer: tc.authorizer, RequestID: "req-1"},
				}
				resp, err := h.Handle(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				// A 401 says how to authenticate (RFC 9110 11.6.1); nothing else adds a header.
				wantHeaders := 1
				if tc.status == 401 {
					wantHeaders = 2
					if resp.Headers["WWW-Authenticate"] != "Bearer" {
						t.Fatalf("401 without WWW-Authenticate: Bearer: %v", resp.Headers)
					}
				}
				if resp.StatusCode != tc.status || resp.Body != tc.body || resp.Headers["Content-Type"] != "application/json" || len(resp.Headers) != wantHeaders {
					t.Fatalf("got %d %q %v", resp.StatusCode, resp.Body, resp.Headers)
				}
				if !json.Valid([]byte(resp.Body)) {
					t.Fatal("body is not JSON")
				}
				// The verdict's error and the logged reason name the sentinel.
				_, why := h.check(context.Background(), req)
				if !errors.Is(why, tc.reason) || (why == nil) != (tc.reason == nil) {
					t.Fatalf("check: %v, want %v", why, tc.reason)
				}
				// One line at the outcome's level, naming the reason of a
				// refusal; the principal (personal data) only ever in a
				// DEBUG line.
				outcome := 0
				for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
					var rec map[string]any
					if err := json.Unmarshal([]byte(line), &rec); err != nil {
						t.Fatalf("log: %s", logs.String())
					}
					if _, has := rec["principalId"]; has && rec["level"] != "DEBUG" {
						t.Errorf("principalId logged at %v: %s", rec["level"], line)
					}
					if rec["level"] != tc.logLevel {
						continue
					}
					outcome++
					if reason, _ := rec["reason"].(string); tc.reason != nil && (why == nil || reason != why.Error()) {
						t.Errorf("reason %q, want %v", reason, why)
					}
				}
				if outcome != 1 {
					t.Fatalf("level %v: want one %s line: %s", level, tc.logLevel, logs.String())
				}
				if level == slog.LevelDebug && tc.status != 401 && !strings.Contains(logs.String(), `"principalId"`) {
					t.Fatalf("principal missing from the debug log: %s", logs.String())
				}
			}
		})
	}
}

// The refusal of an issuer names the issuer (a configured name, not
// personal data), so that a misrouted issuer is found from the log alone.
func TestIssuerReasonNamesIssuer(t *testing.T) {
	h := New(slog.New(slog.DiscardHandler), &config.Hello{IssuerNames: []string{"cognito"}}, CORS{})
	_, err := h.check(context.Background(), events.APIGatewayProxyRequest{
		PathParameters: map[string]string{"userId": "u"},
		RequestContext: events.APIGatewayProxyRequestContext{Authorizer: map[string]interface{}{"principalId": "u", "issuerName": "okta"}},
	})
	if want := `check issuerName "okta": issuer not served`; err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}
