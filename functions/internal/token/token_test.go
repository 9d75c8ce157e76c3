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

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

func TestExtract(t *testing.T) {
	cases := []struct {
		in, want string
		err      error
	}{
		{"Bearer a.b.c", "a.b.c", nil},
		{"bearer a.b.c", "a.b.c", nil},
		{"BeArEr   a.b.c  ", "a.b.c", nil},
		{"a.b.c", "a.b.c", nil},
		{"", "", ErrMissing},
		{"Bearer ", "", ErrMissing},
		{"Bearer", "", ErrMissing},
		{"Bearerx.y.z", "Bearerx.y.z", nil}, // a bare "token"; Verify rejects it
		{"Basic a.b.c", "", ErrMalformed},
		{"Bearer a.b.c d", "", ErrMalformed},
		{"Bearer a.b\n.c", "a.b\n.c", nil}, // Verify rejects it
		{"Bearer\ta.b.c", "", ErrMalformed},
		{strings.Repeat("a", MaxTokenBytes+1), "", ErrMalformed},
	}
	for _, tc := range cases {
		got, err := Extract(tc.in)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("Extract(%.20q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestReader(t *testing.T) {
	cases := []struct {
		in  string
		err error
	}{
		{`{}`, nil},
		{` {"a":1,"b":[1,2,{"c":null}],"d":"x\u00e9\ud83d\ude00","e":-1.5e+3,"f":true} `, nil},
		{`{"a":1,"a":2}`, errDuplicate},
		{`{"a":1,"\u0061":2}`, errDuplicate},
		{`{"x":{"a":1,"a":2}}`, errDuplicate},
		{`{"a":1,}`, errSyntax},
		{`{"a":01}`, errSyntax},
		{`{"a":1.}`, errSyntax},
		{`{"a":"\ud83d"}`, errSyntax},
		{`{"a":"\x"}`, errSyntax},
		{"{\"a\":\"\x01\"}", errSyntax},
		{"{\"a\":\"\xff\"}", errSyntax},
		{`{"a":tru}`, errSyntax},
		{`{"a":1}x`, errSyntax},
		{`[1]`, errType},
		{strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40), errSyntax},
	}
	for _, tc := range cases {
		r := reader{b: []byte(tc.in)}
		err := r.object(func([]byte) error { return r.skip() })
		if err == nil {
			err = r.end()
		}
		if err != tc.err {
			t.Errorf("%q: err = %v, want %v", tc.in, err, tc.err)
		}
	}
	// Many keys switch the duplicate check to a map.
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 100; i++ {
		b.WriteString(`"k` + strings.Repeat("x", i) + `":1,`)
	}
	for _, tail := range []string{`"z":1}`, `"kxx":1}`} {
		r := reader{b: []byte(b.String() + tail)}
		err := r.object(func([]byte) error { return r.skip() })
		if (tail == `"z":1}`) != (err == nil) {
			t.Errorf("%s: err = %v", tail, err)
		}
	}
}

// FuzzReader: the strict reader never panics and never accepts what
// encoding/json considers invalid.
func FuzzReader(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,{"b":"c"}]}`, `{"a":"\u00e9"}`, `{"a":1e5}`, `{"a":1,"a":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := reader{b: b}
		err := r.object(func([]byte) error { return r.skip() })
		if err == nil {
			err = r.end()
		}
		if err == nil && !json.Valid(b) {
			t.Fatalf("accepted invalid JSON %q", b)
		}
	})
}

type keyMap map[string]*jose.JSONWebKey

func (m keyMap) Key(_ context.Context, kid string) (*jose.JSONWebKey, error) {
	if k, ok := m[kid]; ok {
		return k, nil
	}
	return nil, errors.New("not found")
}

var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const iss = "https://issuer.example.com"

func TestVerifyAlgorithms(t *testing.T) {
	rsaKey := jwttest.NewRSA("rsa", 2048)
	small := jwttest.NewRSA("small", 1024)
	p384 := jwttest.NewEC("p384", elliptic.P384())
	p521 := jwttest.NewEC("p521", elliptic.P521())
	ed := jwttest.NewEd25519("ed")
	keys := keyMap{}
	for _, k := range []*jwttest.Key{small, p384, p521, ed} {
		j := k.JWK()
		keys[k.KID] = &j
	}
	keys["rsa"] = &jose.JSONWebKey{Key: rsaKey.Public(), KeyID: "rsa", Use: "sig"}
	v, err := NewVerifier(Config{Issuer: iss, Now: func() time.Time { return now },
		Algorithms: []string{"RS384", "RS512", "PS384", "PS512", "ES384", "ES512", "EdDSA", "RS256"}}, keys)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwttest.Claims(iss, "user-1", now)
	for _, tc := range []struct {
		name string
		tok  string
		err  error
	}{
		{"RS384", rsaKey.Mint(jwttest.Header{"alg": "RS384"}, claims), nil},
		{"RS512", rsaKey.Mint(jwttest.Header{"alg": "RS512"}, claims), nil},
		{"PS384", rsaKey.Mint(jwttest.Header{"alg": "PS384"}, claims), nil},
		{"PS512", rsaKey.Mint(jwttest.Header{"alg": "PS512"}, claims), nil},
		{"ES384", p384.Mint(nil, claims), nil},
		{"ES512", p521.Mint(nil, claims), nil},
		{"EdDSA", ed.Mint(nil, claims), nil},
		{"PS256 not allowed", rsaKey.Mint(jwttest.Header{"alg": "PS256"}, claims), ErrAlgorithm},
		{"RSA 1024 refused", small.Mint(nil, claims), ErrKey},
		{"kid too long", rsaKey.Mint(jwttest.Header{"kid": strings.Repeat("k", 257)}, claims), ErrHeader},
		{"ES384 token P-521 key", p521.SignRaw("ES512", []byte(`{"alg":"ES384","kid":"p521"}`), mustJSON(claims)), ErrKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), tc.tok)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err == nil && c.UserID != "user-1" {
				t.Fatalf("claims %+v", c)
			}
		})
	}
}

func TestVerifyClaims(t *testing.T) {
	k := jwttest.NewRSA("k", 2048)
	j := k.JWK()
	keys := keyMap{"k": &j}
	base := func(kv ...any) map[string]any {
		c := jwttest.Claims(iss, "user-1", now)
		for i := 0; i < len(kv); i += 2 {
			c[kv[i].(string)] = kv[i+1]
		}
		return c
	}
	cfg := Config{Issuer: iss, Now: func() time.Time { return now }, Leeway: 10 * time.Second}
	cases := []struct {
		name   string
		cfg    func(*Config)
		claims map[string]any
		want   *Claims
		err    error
	}{
		{"scope and scp union", func(c *Config) { c.RequiredScopes = []string{"a", "b"} },
			base("scope", "a", "scp", []string{"b"}), &Claims{UserID: "user-1", Issuer: iss, Scope: "a"}, nil},
		{"scp joined", nil, base("scp", []string{"x", "y"}), &Claims{UserID: "user-1", Issuer: iss, Scope: "x y"}, nil},
		{"client_id preferred", func(c *Config) { c.ClientIDs = []string{"c1", "c2"} },
			base("client_id", "c1", "cid", "c2"), &Claims{UserID: "user-1", Issuer: iss, ClientID: "c1"}, nil},
		{"cid only", func(c *Config) { c.ClientIDs = []string{"c2"} },
			base("cid", "c2"), &Claims{UserID: "user-1", Issuer: iss, ClientID: "c2"}, nil},
		{"aud ignored when not configured", nil, base("aud", []string{"x"}), &Claims{UserID: "user-1", Issuer: iss}, nil},
		{"aud wrong type when not configured", nil, base("aud", 5), nil, ErrClaims},
		{"aud array with non-string", func(c *Config) { c.Audiences = []string{"x"} }, base("aud", []any{"x", 1}), nil, ErrClaims},
		{"custom user claim", func(c *Config) { c.UserIDClaim = "uid" }, base("uid", "u-9"), &Claims{UserID: "u-9", Issuer: iss}, nil},
		{"user claim is client_id", func(c *Config) { c.UserIDClaim = "client_id"; c.ClientIDs = []string{"c1"} },
			base("client_id", "c1"), &Claims{UserID: "c1", Issuer: iss, ClientID: "c1"}, nil},
		{"user claim escaped", nil, base("sub", "\u0075ser-1"), &Claims{UserID: "user-1", Issuer: iss}, nil},
		{"custom user claim missing", func(c *Config) { c.UserIDClaim = "uid" }, base(), nil, ErrUserIDClaim},
		{"iat leeway ok", nil, base("iat", now.Unix()+9), &Claims{UserID: "user-1", Issuer: iss}, nil},
		{"nbf as string", nil, base("nbf", "1"), nil, ErrClaims},
		{"exp null", nil, base("exp", nil), nil, ErrClaims},
		{"exp huge exponent", nil, base("exp", json.RawMessage(`1e400`)), nil, ErrClaims},
		{"token_use missing", func(c *Config) { c.TokenUse = "access" }, base(), nil, ErrTokenUse},
		{"scope as array", func(c *Config) { c.RequiredScopes = []string{"a"} }, base("scope", []string{"a"}), nil, ErrClaims},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			if tc.cfg != nil {
				tc.cfg(&c)
			}
			v, err := NewVerifier(c, keys)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.Verify(context.Background(), k.Mint(nil, tc.claims))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if tc.want != nil && got != *tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestNewVerifierRejects(t *testing.T) {
	keys := keyMap{}
	for _, cfg := range []Config{
		{},
		{Issuer: iss, Algorithms: []string{"none"}},
		{Issuer: iss, Algorithms: []string{"HS256"}},
	} {
		if _, err := NewVerifier(cfg, keys); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%+v: err = %v", cfg, err)
		}
	}
	if _, err := NewVerifier(Config{Issuer: iss}, nil); !errors.Is(err, ErrInvalidInput) {
		t.Error("nil keys accepted")
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestVerifyMalformedBytes: bytes Extract lets through are refused by Verify
// even when the signature would match once they are dropped.
func TestVerifyMalformedBytes(t *testing.T) {
	k := jwttest.NewRSA("k", 2048)
	j := k.JWK()
	v, err := NewVerifier(Config{Issuer: iss, Now: func() time.Time { return now }}, keyMap{"k": &j})
	if err != nil {
		t.Fatal(err)
	}
	tok := k.Mint(nil, jwttest.Claims(iss, "user-1", now))
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
		" " + tok,
		"{" + tok,
	} {
		if _, err := v.Verify(context.Background(), bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%.30q...: err = %v", bad, err)
		}
	}
}
