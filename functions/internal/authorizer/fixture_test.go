package authorizer

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/metrics"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

var update = flag.Bool("update", false, "rewrite testdata golden events and policies")

// The test clock is fixed, so golden events minted once stay valid.
var testNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	cognitoIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example"
	oktaIssuer    = "https://example.okta.com/oauth2/default"
	defaultARN    = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/user-1"
)

// fakeKeys is a token.Keys over a fixed map.
type fakeKeys map[string]*jose.JSONWebKey

var errNoKey = errors.New("key not found")

func (f fakeKeys) Key(_ context.Context, kid string) (*jose.JSONWebKey, error) {
	if k, ok := f[kid]; ok {
		return k, nil
	}
	return nil, errNoKey
}

// fixture holds the test signing keys (stable across runs: testdata/keys.json)
// and the key set the verifier sees.
type fixture struct {
	rsa, rsa2, ec, ed *jwttest.Key
	keys              fakeKeys
}

func loadFixture(t testing.TB) *fixture {
	t.Helper()
	path := filepath.Join("testdata", "keys.json")
	var set jose.JSONWebKeySet
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		set.Keys = []jose.JSONWebKey{
			{Key: jwttest.NewRSA("rsa-1", 2048).Private, KeyID: "rsa-1"},
			{Key: jwttest.NewRSA("rsa-2", 2048).Private, KeyID: "rsa-2"},
			{Key: jwttest.NewEC("ec-1", elliptic.P256()).Private, KeyID: "ec-1"},
			{Key: jwttest.NewEd25519("ed-1").Private, KeyID: "ed-1"},
		}
		if b, err = json.MarshalIndent(set, "", "  "); err != nil {
			t.Fatal(err)
		}
		if err = os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	} else if err = json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	priv := map[string]any{}
	for _, k := range set.Keys {
		priv[k.KeyID] = k.Key
	}
	f := &fixture{
		rsa:  &jwttest.Key{KID: "rsa-1", Alg: "RS256", Private: priv["rsa-1"].(*rsa.PrivateKey)},
		rsa2: &jwttest.Key{KID: "rsa-2", Alg: "RS256", Private: priv["rsa-2"].(*rsa.PrivateKey)},
		ec:   &jwttest.Key{KID: "ec-1", Alg: "ES256", Private: priv["ec-1"].(*ecdsa.PrivateKey)},
		ed:   &jwttest.Key{KID: "ed-1", Alg: "EdDSA", Private: priv["ed-1"].(ed25519.PrivateKey)},
	}
	pub := func(k *jwttest.Key, kid, alg, use string) *jose.JSONWebKey {
		return &jose.JSONWebKey{Key: k.Public(), KeyID: kid, Algorithm: alg, Use: use}
	}
	f.keys = fakeKeys{
		"rsa-1":    pub(f.rsa, "rsa-1", "RS256", "sig"),
		"rsa-2":    pub(f.rsa2, "rsa-2", "RS256", "sig"),
		"rsa-ps":   pub(f.rsa, "rsa-ps", "PS256", "sig"),
		"rsa-bare": pub(f.rsa, "rsa-bare", "", ""),
		"rsa-384":  pub(f.rsa, "rsa-384", "RS384", "sig"),
		"rsa-enc":  pub(f.rsa, "rsa-enc", "RS256", "enc"),
		"ec-1":     pub(f.ec, "ec-1", "ES256", "sig"),
		"ec-bare":  pub(f.ec, "ec-bare", "", ""),
		"ed-1":     pub(f.ed, "ed-1", "EdDSA", ""),
	}
	return f
}

// configs are the issuer setups the tests run against: one Cognito user
// pool, one Okta authorization server, and both together with routes that
// need scopes and name issuers ("multi").
func configs() map[string]*config.Authorizer {
	algs := []string{"RS256", "PS256", "ES256", "EdDSA"}
	cognito := config.Issuer{Name: "cognito", Issuer: cognitoIssuer, ClientIDs: []string{"client-1"},
		TokenUse: "access", UserIDClaim: "sub"}
	okta := config.Issuer{Name: "okta", Issuer: oktaIssuer, Audiences: []string{"api://default"},
		ClientIDs: []string{"0oa-client"}, UserIDClaim: "uid"}
	saas := cognito
	saas.GroupsClaim = config.ClaimPath{"cognito:groups"}
	saas.PathClaims = map[string]string{"tenantId": "custom:tenant_id"}
	saas.ContextClaims = map[string]string{"email": "email", "tenant": "custom:tenant_id", "groups": "cognito:groups", "verified": "email_verified"}
	keycloak := cognito
	keycloak.GroupsClaim = config.ClaimPath{"realm_access", "roles"}
	routes := func(rs ...string) []config.Route {
		var out []config.Route
		for _, r := range rs {
			out = append(out, config.Route{Route: r})
		}
		return out
	}
	return map[string]*config.Authorizer{
		"cognito": {Issuers: []config.Issuer{cognito}, Routes: routes("GET/hello/{userId}"),
			RequiredScopes: []string{"read"}, Algorithms: algs, ClockSkew: time.Minute},
		"okta": {Issuers: []config.Issuer{okta}, Routes: routes("GET/hello/{userId}", "POST/users/{userId}/items"),
			RequiredScopes: []string{"read"}, Algorithms: algs, ClockSkew: time.Minute},
		// Issue 20: Cognito groups, a tenant-bound path and forwarded claims.
		"saas": {Issuers: []config.Issuer{saas}, Routes: []config.Route{
			{Route: "GET/tenants/{tenantId}/orders"},
			{Route: "DELETE/tenants/{tenantId}/orders/{orderId}", Groups: []string{"admins"}},
		}, Algorithms: algs, ClockSkew: time.Minute},
		// Keycloak's nested realm_access.roles, on a route only a role earns.
		"keycloak": {Issuers: []config.Issuer{keycloak}, Routes: []config.Route{
			{Route: "GET/admin/reports", Groups: []string{"admin", "auditor"}},
		}, Algorithms: algs, ClockSkew: time.Minute},
		"multi": {Issuers: []config.Issuer{cognito, okta}, Routes: []config.Route{
			{Route: "GET/hello/{userId}", Scopes: []string{"hello"}, Issuers: []string{"cognito", "okta"}},
			{Route: "POST/users/{userId}/items", Scopes: []string{"write"}, Issuers: []string{"cognito"}},
			{Route: "GET/orders/{orderId}", Scopes: []string{"orders.read"}},
		}, RequiredScopes: []string{"read"}, Algorithms: algs, ClockSkew: time.Minute},
	}
}

// keysOf are the key sources of cfg's issuers: the fixture's keys, except
// that Okta's "rsa-1" is another key (rsa-2's), so the two issuers share a
// kid with different keys.
func keysOf(f *fixture, cfg *config.Authorizer) map[string]token.Keys {
	out := map[string]token.Keys{}
	for _, iss := range cfg.Issuers {
		out[iss.Name] = f.keys
		if iss.Name == "okta" && len(cfg.Issuers) > 1 {
			okta := fakeKeys{}
			for kid, k := range f.keys {
				okta[kid] = k
			}
			okta["rsa-1"] = &jose.JSONWebKey{Key: f.rsa2.Public(), KeyID: "rsa-1", Algorithm: "RS256", Use: "sig"}
			out[iss.Name] = okta
		}
	}
	return out
}

// newTestHandler logs at Debug to log, so tests see one line per verdict,
// allow lines included.
func newTestHandler(t testing.TB, f *fixture, cfg string, log io.Writer) *Handler {
	t.Helper()
	return newHandlerWith(t, f, configs()[cfg], log, slog.LevelDebug)
}

// newHandlerWith builds the handler of cfg over the fixture's keys, logging
// at level (benchmarks use slog.LevelInfo, the function's default, where
// allow lines are off).
func newHandlerWith(t testing.TB, f *fixture, cfg *config.Authorizer, log io.Writer, level slog.Level) *Handler {
	t.Helper()
	v, err := token.New(cfg, keysOf(f, cfg), func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	b, err := policy.NewBuilder(cfg.Routes, config.BoundParams(cfg.Issuers)...)
	if err != nil {
		t.Fatal(err)
	}
	if log == nil {
		log = io.Discard
	}
	// Metrics on, as the function runs; the clock stands still, so the
	// counts kept in memory are never flushed into a test's log.
	names := make([]string, 0, len(cfg.Issuers))
	for _, iss := range cfg.Issuers {
		names = append(names, iss.Name)
	}
	m := metrics.New(metrics.Options{Namespace: "JWTAuthorizer/test", Issuers: names,
		Logger: slog.New(slog.NewJSONHandler(log, nil)), Now: func() time.Time { return testNow }})
	return newHandler(v, b, slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: level})), m)
}

func cognitoClaims() map[string]any {
	n := testNow.Unix()
	return map[string]any{
		"sub": "user-1", "iss": cognitoIssuer, "client_id": "client-1", "token_use": "access",
		"scope": "read write", "auth_time": n, "iat": n, "exp": n + 3600,
		"jti": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "username": "user-1", "version": 2,
		"origin_jti":     "9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0",
		"event_id":       "11111111-2222-3333-4444-555555555555",
		"cognito:groups": []string{"users"},
	}
}

func oktaClaims() map[string]any {
	n := testNow.Unix()
	return map[string]any{
		"ver": 1, "jti": "AT.abcdefghijklmnop", "iss": oktaIssuer, "aud": []string{"api://default"},
		"iat": n, "exp": n + 3600, "cid": "0oa-client", "uid": "00u1abcdEFGH",
		"scp": []string{"read", "openid"}, "auth_time": n, "sub": "user@example.com",
	}
}

// rawClaims marshals claims and applies edit to the JSON text, for cases
// (duplicate keys) that a map cannot express.
func rawClaims(claims map[string]any, edit func(string) string) json.RawMessage {
	b, _ := json.Marshal(claims)
	return json.RawMessage(edit(string(b)))
}

func pubPEMBytes(k *jwttest.Key) []byte {
	der, _ := x509.MarshalPKIXPublicKey(k.Public())
	return der
}

func compactJSON(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func flip(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func replaceSegment(tok string, idx int, seg string) string {
	p := strings.Split(tok, ".")
	p[idx] = seg
	return strings.Join(p, ".")
}
