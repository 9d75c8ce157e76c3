package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// TestHugeToken: a 1 MiB token, validly signed, is refused before decoding.
func TestHugeToken(t *testing.T) {
	f := loadFixture(t)
	h := newHandler(t, f, "cognito", nil)
	big := with(cognitoClaims(), "pad", strings.Repeat("x", 1<<20))
	for _, auth := range []string{bearer(f.rsa.Mint(nil, big)), strings.Repeat("A", 1<<20)} {
		_, err := h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: auth, MethodArn: defaultARN,
		})
		if err == nil || err.Error() != "Unauthorized" {
			t.Fatalf("err = %v", err)
		}
	}
}

// TestNonTokenEvent: REQUEST-type events are not this authorizer's.
func TestNonTokenEvent(t *testing.T) {
	f := loadFixture(t)
	h := newHandler(t, f, "cognito", nil)
	_, err := h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "REQUEST", AuthorizationToken: bearer(f.rsa.Mint(nil, cognitoClaims())), MethodArn: defaultARN,
	})
	if err != ErrUnauthorized {
		t.Fatalf("err = %v", err)
	}
}

type panicVerifier struct{}

func (panicVerifier) Verify(context.Context, string) (token.Claims, error) { panic("boom") }

// TestPanicIsUnauthorized: the boundary recovers, logs, and denies.
func TestPanicIsUnauthorized(t *testing.T) {
	b, _ := policy.NewBuilder([]string{"GET/hello/{userId}"})
	var logs bytes.Buffer
	h := New(panicVerifier{}, b, newJSONLogger(&logs))
	resp, err := h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer a.b.c", MethodArn: defaultARN,
	})
	if err == nil || err.Error() != "Unauthorized" || resp.PrincipalID != "" {
		t.Fatalf("resp=%+v err=%v", resp, err)
	}
	var rec map[string]any
	if json.Unmarshal(logs.Bytes(), &rec) != nil || rec["reason"] != "panic" {
		t.Fatalf("log: %s", logs.String())
	}
}

// TestPolicyIndependentOfPath: the cached policy must not depend on the
// requested resource, only on API, stage and user.
func TestPolicyIndependentOfPath(t *testing.T) {
	f := loadFixture(t)
	h := newHandler(t, f, "okta", nil)
	tok := bearer(f.rsa.Mint(nil, oktaClaims()))
	var first []byte
	for _, arn := range []string{
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/00u1abcdEFGH",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/POST/users/x/items",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/DELETE/",
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
