package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/emftest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// TestSetup wires the real key provider to a fake issuer (discovery + JWKS)
// and authorizes one token end to end.
func TestSetup(t *testing.T) {
	key := jwttest.NewRSA("kid-1", 2048)
	iss := jwttest.NewIssuer(key)
	t.Cleanup(iss.Close)
	t.Setenv("ISSUER", iss.URL())
	t.Setenv("AUDIENCES", "api://default")
	t.Setenv("KEYS_TABLE_NAME", "")
	t.Setenv("ALLOWED_ROUTES", "GET/hello/{userId}")
	t.Setenv("METRICS_NAMESPACE", "JWTAuthorizer/test")
	var logs jwttest.Log
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h, warmed, err := setup(context.Background(), log, log)
	if err != nil {
		t.Fatal(err)
	}
	waitWarm(t, warmed, &logs)
	claims := jwttest.Claims(iss.URL(), "user-1", time.Now())
	claims["aud"] = "api://default"
	tok := key.Mint(nil, claims)
	resp, err := h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer " + tok,
		MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/hello/user-1",
	})
	if err != nil {
		t.Fatalf("%v; logs: %s", err, logs.String())
	}
	want := "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/hello/user-1"
	if resp.PrincipalID != "user-1" || resp.PolicyDocument.Statement[0].Resource[0] != want {
		t.Fatalf("resp %+v", resp)
	}
	// The cold start wrote its metrics into the configured namespace: one
	// issuer fetch, and the load's duration.
	recs, err := emftest.Lines(logs.String())
	if err != nil {
		t.Fatal(err)
	}
	if got := emftest.Sum(recs, "JWTAuthorizer/test", "KeyLoads", map[string]string{"Source": "issuer", "Outcome": "ok"}); got != 1 {
		t.Errorf("KeyLoads issuer ok = %v, want 1; logs:\n%s", got, logs.String())
	}
	if got := emftest.Sum(recs, "JWTAuthorizer/test", "ColdStartLoadMs", map[string]string{}); got <= 0 {
		t.Errorf("ColdStartLoadMs = %v; logs:\n%s", got, logs.String())
	}
}

// waitWarm waits for setup's warmed: the keys loaded and, with a table,
// written back.
func waitWarm(t *testing.T, warmed <-chan struct{}, logs *jwttest.Log) {
	t.Helper()
	select {
	case <-warmed:
	case <-time.After(30 * time.Second):
		t.Fatalf("keys not warmed after 30 s; logs: %s", logs)
	}
}

// TestSetupInvalid: a setting config refuses fails the cold start.
func TestSetupInvalid(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"no issuer":              {"ISSUER": "", "AUDIENCES": "a"},
		"no audience, no client": {"ISSUER": "https://issuer.example.com", "AUDIENCES": "", "CLIENT_IDS": ""},
	} {
		for k, v := range env {
			t.Setenv(k, v)
		}
		if _, _, err := setup(context.Background(), slog.New(slog.DiscardHandler), nil); !errors.Is(err, config.ErrInvalidSetting) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
