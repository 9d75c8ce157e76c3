package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/metrics"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/emftest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// TestHugeToken: a 1 MiB token, validly signed, is refused before decoding.
func TestHugeToken(t *testing.T) {
	f := loadFixture(t)
	h := newTestHandler(t, f, "cognito", nil)
	big := jwttest.With(cognitoClaims(), "pad", strings.Repeat("x", 1<<20))
	for _, auth := range []string{bearer(f.rsa.Mint(nil, big)), strings.Repeat("A", 1<<20)} {
		v := h.decide(context.Background(), events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: auth, MethodArn: defaultARN,
		})
		if !errors.Is(v.reason, token.ErrMalformed) || !strings.Contains(v.reason.Error(), "too long") {
			t.Fatalf("reason = %v", v.reason)
		}
	}
}

// TestNonTokenEvent: REQUEST-type events are not this authorizer's.
func TestNonTokenEvent(t *testing.T) {
	f := loadFixture(t)
	h := newTestHandler(t, f, "cognito", nil)
	ev := events.APIGatewayCustomAuthorizerRequest{
		Type: "REQUEST", AuthorizationToken: bearer(f.rsa.Mint(nil, cognitoClaims())), MethodArn: defaultARN,
	}
	if v := h.decide(context.Background(), ev); !errors.Is(v.reason, ErrEventType) {
		t.Fatalf("reason = %v", v.reason)
	}
	if _, err := h.Handle(context.Background(), ev); err != ErrUnauthorized {
		t.Fatalf("err = %v", err)
	}
}

type panicVerifier struct{}

func (panicVerifier) Verify(context.Context, string) (token.Claims, error) { panic("boom") }

// TestPanicIsUnauthorized: the boundary recovers, logs, and denies.
func TestPanicIsUnauthorized(t *testing.T) {
	b, _ := policy.NewBuilder([]config.Route{{Route: "GET/hello/{userId}"}})
	var logs bytes.Buffer
	h := newHandler(panicVerifier{}, b, slog.New(slog.NewJSONHandler(&logs, nil)), nil)
	resp, err := h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer a.b.c", MethodArn: defaultARN,
	})
	if err == nil || err.Error() != "Unauthorized" || resp.PrincipalID != "" {
		t.Fatalf("resp=%+v err=%v", resp, err)
	}
	var rec map[string]any
	if json.Unmarshal(logs.Bytes(), &rec) != nil || rec["reason"] != "panic" || rec["panic"] != "boom" {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestPolicyIndependentOfPath: the cached policy must not depend on the
// requested resource, only on API, stage and token.
func TestPolicyIndependentOfPath(t *testing.T) {
	f := loadFixture(t)
	h := newTestHandler(t, f, "okta", nil)
	tok := bearer(f.rsa.Mint(nil, oktaClaims()))
	var first []byte
	for _, arn := range []string{
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/00u1abcdEFGH",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/POST/users/x/items",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/DELETE/",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/a b/\u00e9/*",
	} {
		resp, err := h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: tok, MethodArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(resp)
		if first == nil {
			first = b
		} else if !bytes.Equal(first, b) {
			t.Fatalf("policy differs by path:\n%s\n%s", first, b)
		}
	}
}

// TestRuntimeEncoding: what the Lambda runtime sends for Handle's answer,
// through aws-lambda-go's own handler wrapper: the policy as JSON for a
// valid token, the error "Unauthorized" for an invalid one.
func TestRuntimeEncoding(t *testing.T) {
	f := loadFixture(t)
	h := newTestHandler(t, f, "cognito", nil)
	invoke := lambda.NewHandler(h.Handle).Invoke
	ev := func(tok string) []byte {
		b, _ := json.Marshal(events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: tok, MethodArn: defaultARN})
		return b
	}
	out, err := invoke(context.Background(), ev(bearer(f.rsa.Mint(nil, cognitoClaims()))))
	if err != nil {
		t.Fatal(err)
	}
	var resp events.APIGatewayCustomAuthorizerResponse
	if err := json.Unmarshal(out, &resp); err != nil || resp.PrincipalID != "user-1" ||
		resp.PolicyDocument.Statement[0].Resource[0] != "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/user-1" {
		t.Fatalf("%s: %v", out, err)
	}
	if _, err := invoke(context.Background(), ev("Bearer x.y.z")); err == nil || err.Error() != "Unauthorized" {
		t.Fatalf("err = %v", err)
	}
}

// TestLogLevels: at Info (the function's default) an allow logs nothing and
// a deny one Warn line; at Debug the allow line appears.
func TestLogLevels(t *testing.T) {
	f := loadFixture(t)
	ok := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: bearer(f.rsa.Mint(nil, cognitoClaims())), MethodArn: defaultARN}
	bad := ok
	bad.AuthorizationToken = "Bearer x.y.z"
	var logs bytes.Buffer
	h := newHandlerWith(t, f, configs()["cognito"], &logs, slog.LevelInfo)
	if _, err := h.Handle(context.Background(), ok); err != nil || logs.Len() != 0 {
		t.Fatalf("allow at Info: %v, logged %q", err, logs.String())
	}
	if _, err := h.Handle(context.Background(), bad); err == nil || !strings.Contains(logs.String(), `"level":"WARN","msg":"deny"`) {
		t.Fatalf("deny at Info: %v, logged %q", err, logs.String())
	}
	logs.Reset()
	h = newHandlerWith(t, f, configs()["cognito"], &logs, slog.LevelDebug)
	if _, err := h.Handle(context.Background(), ok); err != nil || !strings.Contains(logs.String(), `"msg":"allow","userId":"user-1","issuerName":"cognito"`) {
		t.Fatalf("allow at Debug: %v, logged %q", err, logs.String())
	}
}

// TestVerdictMetrics: each refusal's line counts one verdict and one denial
// under the picked issuer; allows are only counted, and written at the first
// invocation after FlushInterval.
func TestVerdictMetrics(t *testing.T) {
	f := loadFixture(t)
	var logs bytes.Buffer
	h := newTestHandler(t, f, "multi", &logs)
	clock := jwttest.NewClock(testNow)
	h.metrics = metrics.New(metrics.Options{Namespace: "JWTAuthorizer/test", Issuers: []string{"cognito", "okta"},
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Now: clock.Now})
	ctx := context.Background()
	call := func(c map[string]any) error {
		_, err := h.Handle(ctx, events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: bearer(f.rsa.Mint(nil, c)), MethodArn: defaultARN})
		return err
	}
	hello := jwttest.With(cognitoClaims(), "scope", "read hello")
	for range 2 {
		if err := call(hello); err != nil {
			t.Fatal(err)
		}
	}
	_ = call(jwttest.With(maps.Clone(hello), "exp", testNow.Unix()-3600))
	_ = call(jwttest.With(maps.Clone(hello), "client_id", "client-2"))
	_ = call(jwttest.With(maps.Clone(hello), "iss", "https://evil.example"))
	_ = call(jwttest.With(cognitoClaims(), "scope", "read")) // valid, no route earned: the explicit Deny
	clock.Advance(metrics.FlushInterval)
	if err := call(hello); err != nil { // flushes the two allows before it, counts itself
		t.Fatal(err)
	}
	recs, err := emftest.Lines(logs.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		metric string
		dims   map[string]string
		want   float64
	}{
		{"Verdicts", map[string]string{"Result": "allow", "Issuer": "cognito"}, 2},
		{"Verdicts", map[string]string{"Result": "unauthorized", "Issuer": "cognito"}, 2},
		{"Verdicts", map[string]string{"Result": "unauthorized", "Issuer": "none"}, 1},
		{"Verdicts", map[string]string{"Result": "deny", "Issuer": "cognito"}, 1},
		{"Denials", map[string]string{"Reason": "expired"}, 1},
		{"Denials", map[string]string{"Reason": "client_id"}, 1},
		{"Denials", map[string]string{"Reason": "unknown_issuer"}, 1},
		{"Denials", map[string]string{"Reason": "no_route"}, 1},
	} {
		if got := emftest.Sum(recs, "JWTAuthorizer/test", c.metric, c.dims); got != c.want {
			t.Errorf("%s %v = %v, want %v", c.metric, c.dims, got, c.want)
		}
	}
	for _, rec := range recs {
		for k, v := range rec.Members {
			if v == "user-1" {
				t.Errorf("the user id reached a metric record as %s", k)
			}
		}
	}
}
