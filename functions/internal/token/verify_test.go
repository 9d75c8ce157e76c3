package token

import (
	"context"
	"crypto/elliptic"
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

func TestVerifyAlgorithms(t *testing.T) {
	rsaKey := jwttest.NewRSA("rsa", 2048)
	small := jwttest.NewRSA("small", 1024)
	p384 := jwttest.NewEC("p384", elliptic.P384())
	p521 := jwttest.NewEC("p521", elliptic.P521())
	ed := jwttest.NewEd25519("ed")
	keys := newKeyMap(small, p384, p521, ed)
	p256 := jwttest.NewEC("p256", elliptic.P256())
	keys.keys["rsa"] = &jose.JSONWebKey{Key: rsaKey.Public(), KeyID: "rsa", Use: "sig"}
	// Keys published without "alg": only their type and curve tie them to
	// an algorithm.
	keys.keys["ed-bare"] = &jose.JSONWebKey{Key: ed.Public(), KeyID: "ed-bare"}
	keys.keys["p384-bare"] = &jose.JSONWebKey{Key: p384.Public(), KeyID: "p384-bare"}
	v := newVerifier(t, oneIssuer(func(c *config.Authorizer) {
		c.Algorithms = []string{"RS384", "RS512", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "RS256"}
	}), keys)
	c := claims()
	for _, tc := range []struct {
		name string
		tok  string
		err  error
	}{
		{"RS384", rsaKey.Mint(jwttest.Header{"alg": "RS384"}, c), nil},
		{"RS512", rsaKey.Mint(jwttest.Header{"alg": "RS512"}, c), nil},
		{"PS384", rsaKey.Mint(jwttest.Header{"alg": "PS384"}, c), nil},
		{"PS512", rsaKey.Mint(jwttest.Header{"alg": "PS512"}, c), nil},
		{"ES384", p384.Mint(nil, c), nil},
		{"ES512", p521.Mint(nil, c), nil},
		{"EdDSA", ed.Mint(nil, c), nil},
		{"PS256 not allowed", rsaKey.Mint(jwttest.Header{"alg": "PS256"}, c), ErrAlgorithm},
		{"RSA 1024 refused", small.Mint(nil, c), ErrKey},
		{"ES384 token P-521 key", p521.SignRaw("ES512", []byte(`{"alg":"ES384","kid":"p521"}`), mustJSON(c)), ErrKey},
		{"EdDSA token RSA key", ed.SignRaw("EdDSA", []byte(`{"alg":"EdDSA","kid":"rsa"}`), mustJSON(c)), ErrKey},
		{"RS256 token Ed25519 key", rsaKey.Mint(jwttest.Header{"kid": "ed-bare"}, c), ErrKey},
		{"ES256 token P-384 key", p256.SignRaw("ES256", []byte(`{"alg":"ES256","kid":"p384-bare"}`), mustJSON(c)), ErrKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), tc.tok)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err == nil && got.UserID != "user-1" {
				t.Fatalf("claims %+v", got)
			}
		})
	}
}

// TestVerifyMalformedBytes: bytes Extract lets through are refused by Verify
// even when the signature would match once they are dropped.
func TestVerifyMalformedBytes(t *testing.T) {
	k := testKey
	v := newVerifier(t, oneIssuer(), newKeyMap(k))
	tok := k.Mint(nil, claims())
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	p := jwttest.Parts(tok)
	for _, bad := range []string{
		p[0] + "." + p[1][:10] + "\n" + p[1][10:] + "." + p[2],
		p[0] + "." + p[1][:10] + "\r" + p[1][10:] + "." + p[2],
		p[0][:5] + "\n" + p[0][5:] + "." + p[1] + "." + p[2],
		p[0] + "." + p[1] + "." + p[2][:10] + "\u00e9" + p[2][10:],
		p[0] + "." + p[1] + "." + p[2][:10] + "\x00" + p[2][10:],
		p[0] + "." + p[1] + "=." + p[2],
		p[0] + "=." + p[1] + "." + p[2],
		p[0] + "." + p[1] + "." + p[2] + "=",
		p[0] + ".." + p[2],
		tok + ".",
		" " + tok,
		"{" + tok,
		strings.Repeat("a", MaxTokenBytes) + "." + p[1] + "." + p[2],
	} {
		if _, err := v.Verify(context.Background(), bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%.30q...: err = %v", bad, err)
		}
	}
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
	} {
		if _, err := New(c.cfg, c.keys, nil); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
