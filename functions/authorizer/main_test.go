package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// TestSetup wires the real key provider to an issuer served by httptest
// (discovery + JWKS) and authorizes one token end to end.
func TestSetup(t *testing.T) {
	key := jwttest.NewRSA("kid-1", 2048)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) { w.Write(jwttest.JWKS(key)) })
	t.Setenv("ISSUER", srv.URL)
	t.Setenv("AUDIENCES", "api://default")
	t.Setenv("KEYS_TABLE_NAME", "")
	t.Setenv("ALLOWED_ROUTES", "GET/hello/{userId}")
	var logs bytes.Buffer
	h, warmed, err := setup(context.Background(), slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-warmed:
	case <-time.After(30 * time.Second):
		t.Fatalf("keys not warmed; logs: %s", logs.String())
	}
	claims := jwttest.Claims(srv.URL, "user-1", time.Now())
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
		if _, _, err := setup(context.Background(), slog.New(slog.DiscardHandler)); !errors.Is(err, config.ErrInvalidSetting) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
