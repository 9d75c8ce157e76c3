package token

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// keyMap is one issuer's keys; it counts lookups.
type keyMap struct {
	keys    map[string]*jose.JSONWebKey
	lookups *int
}

var errNoKey = errors.New("not found")

// testKey signs for the tests that need one RSA key, generated once: a
// 2048-bit key takes a while under -race.
var testKey = jwttest.NewRSA("k", 2048)

func newKeyMap(keys ...*jwttest.Key) keyMap {
	m := keyMap{keys: map[string]*jose.JSONWebKey{}, lookups: new(int)}
	for _, k := range keys {
		j := k.JWK()
		m.keys[k.KID] = &j
	}
	return m
}

func (m keyMap) Key(_ context.Context, kid string) (*jose.JSONWebKey, error) {
	*m.lookups++
	if k, ok := m.keys[kid]; ok {
		return k, nil
	}
	return nil, errNoKey
}

var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	iss = "https://issuer.example.com"
	aud = "api://default"
)

// oneIssuer is a validated-looking configuration of one issuer "default".
func oneIssuer(edit ...func(*config.Authorizer)) *config.Authorizer {
	c := &config.Authorizer{
		Issuers:    []config.Issuer{{Name: "default", Issuer: iss, Audiences: []string{aud}, UserIDClaim: "sub"}},
		Algorithms: []string{"RS256"},
		ClockSkew:  10 * time.Second,
	}
	for _, e := range edit {
		e(c)
	}
	return c
}

func newVerifier(t testing.TB, cfg *config.Authorizer, keys Keys) *Verifier {
	t.Helper()
	v, err := New(cfg, map[string]Keys{"default": keys}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// claims is a valid claim set of the default issuer with kv set (nil
// deletes).
func claims(kv ...any) map[string]any {
	c := jwttest.Claims(iss, "user-1", now)
	c["aud"] = aud
	return jwttest.With(c, kv...)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func TestNewRejects(t *testing.T) {
	k := newKeyMap()
	for name, c := range map[string]struct {
		cfg  *config.Authorizer
		keys map[string]Keys
	}{
		"no issuers":     {&config.Authorizer{Algorithms: []string{"RS256"}}, map[string]Keys{}},
		"no keys":        {oneIssuer(), map[string]Keys{"other": k}},
		"same iss twice": {oneIssuer(func(c *config.Authorizer) { c.Issuers = append(c.Issuers, c.Issuers[0]) }), map[string]Keys{"default": k}},
		"empty user id":  {oneIssuer(func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "" }), map[string]Keys{"default": k}},
		"quote in claim": {oneIssuer(func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = `a"b` }), map[string]Keys{"default": k}},
		"comma in claim": {oneIssuer(func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "a,string" }), map[string]Keys{"default": k}},
		"space in claim": {oneIssuer(func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "user id" }), map[string]Keys{"default": k}},
		"claim too long": {oneIssuer(func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = strings.Repeat("u", 65) }), map[string]Keys{"default": k}},
	} {
		if _, err := New(c.cfg, c.keys, nil); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestNewReservedClaims: no registered or scope claim is a user id, so a
// verifier built without config.FromEnv refuses them too.
func TestNewReservedClaims(t *testing.T) {
	for _, name := range []string{"iss", "aud", "exp", "nbf", "iat", "jti", "scp", "scope", "client_id", "cid", "token_use"} {
		cfg := oneIssuer(func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = name })
		if _, err := New(cfg, map[string]Keys{"default": newKeyMap()}, nil); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	for _, name := range []string{"sub", "uid", "custom:tenant_user-id", "https://example.com/uid"} {
		cfg := oneIssuer(func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = name })
		if _, err := New(cfg, map[string]Keys{"default": newKeyMap()}, nil); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
