package token

import (
	"context"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
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
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
			continue
		}
		c[kv[i].(string)] = kv[i+1]
	}
	return c
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
	keys.keys["rsa"] = &jose.JSONWebKey{Key: rsaKey.Public(), KeyID: "rsa", Use: "sig"}
	v := newVerifier(t, oneIssuer(func(c *config.Authorizer) {
		c.Algorithms = []string{"RS384", "RS512", "PS384", "PS512", "ES384", "ES512", "EdDSA", "RS256"}
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

// selfSigned is a certificate of key, for an x5c header go-jose parses.
func selfSigned(t *testing.T, key *jwttest.Key) string {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key.Private)
	if err != nil {
		t.Fatal(err)
	}
	return string(mustJSON(der)) // base64 (standard) in quotes, as x5c wants
}

// TestVerifyHeader: each forbidden member alone refuses an otherwise valid
// token (the control passes).
func TestVerifyHeader(t *testing.T) {
	k := jwttest.NewRSA("k", 2048)
	v := newVerifier(t, oneIssuer(), newKeyMap(k))
	if _, err := v.Verify(context.Background(), k.Mint(nil, claims())); err != nil {
		t.Fatalf("control: %v", err)
	}
	jwk := k.JWK()
	nested := `{"alg":"RS256","kid":"k","x":` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + `}`
	for name, header := range map[string]string{
		"jwk":             `{"alg":"RS256","kid":"k","jwk":` + string(mustJSON(jwk)) + `}`,
		"jku":             `{"alg":"RS256","kid":"k","jku":"https://attacker.example/jwks"}`,
		"x5u":             `{"alg":"RS256","kid":"k","x5u":"https://attacker.example/cert"}`,
		"x5c":             `{"alg":"RS256","kid":"k","x5c":[` + selfSigned(t, k) + `]}`,
		"x5c escaped":     `{"alg":"RS256","kid":"k","\u00785c":[` + selfSigned(t, k) + `]}`,
		"crit":            `{"alg":"RS256","kid":"k","crit":["exp"],"exp":1}`,
		"b64":             `{"alg":"RS256","kid":"k","b64":true}`,
		"zip":             `{"alg":"RS256","kid":"k","zip":"DEF"}`,
		"cty":             `{"alg":"RS256","kid":"k","cty":"JWT"}`,
		"enc":             `{"alg":"RS256","kid":"k","enc":"A128GCM"}`,
		"kid missing":     `{"alg":"RS256"}`,
		"kid empty":       `{"alg":"RS256","kid":""}`,
		"kid too long":    `{"alg":"RS256","kid":"` + strings.Repeat("k", maxKIDBytes+1) + `"}`,
		"nested too deep": nested,
		"over 2 KiB":      `{"alg":"RS256","kid":"k","x":"` + strings.Repeat("a", maxHeaderBytes) + `"}`,
		"duplicate alg":   `{"alg":"RS256","alg":"RS256","kid":"k"}`,
		"nested dup":      `{"alg":"RS256","kid":"k","x":{"a":1,"a":1}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), k.SignRaw("RS256", []byte(header), mustJSON(claims())))
			if !errors.Is(err, ErrHeader) {
				t.Fatalf("err = %v, want %v", err, ErrHeader)
			}
		})
	}
	ok := `{"alg":"RS256","kid":"k","typ":"JWT","x5t":"abc","x":` + strings.Repeat("[", 30) + strings.Repeat("]", 30) + `}`
	if _, err := v.Verify(context.Background(), k.SignRaw("RS256", []byte(ok), mustJSON(claims()))); err != nil {
		t.Fatalf("unknown members of depth 31: %v", err)
	}
}

func TestVerifyClaims(t *testing.T) {
	k := jwttest.NewRSA("k", 2048)
	keys := newKeyMap(k)
	cases := []struct {
		name   string
		cfg    func(*config.Authorizer)
		claims map[string]any
		want   *Claims
		err    error
	}{
		{"minimal", nil, claims(), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"scope and scp union", func(c *config.Authorizer) { c.RequiredScopes = []string{"a", "b"} },
			claims("scope", "a", "scp", []string{"b"}),
			&Claims{UserID: "user-1", Issuer: iss, IssuerName: "default", Scope: "a", Scopes: []string{"a", "b"}}, nil},
		{"scp joined", nil, claims("scp", []string{"x", "y"}),
			&Claims{UserID: "user-1", Issuer: iss, IssuerName: "default", Scope: "x y", Scopes: []string{"x", "y"}}, nil},
		{"scope split on spaces only", func(c *config.Authorizer) { c.RequiredScopes = []string{"read"} },
			claims("scope", "read\twrite"), nil, ErrScope},
		{"scope prefix", func(c *config.Authorizer) { c.RequiredScopes = []string{"read"} },
			claims("scope", "reader"), nil, ErrScope},
		{"client_id preferred", func(c *config.Authorizer) { c.Issuers[0].ClientIDs = []string{"c1", "c2"} },
			claims("client_id", "c1", "cid", "c2"), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default", ClientID: "c1"}, nil},
		{"cid only", func(c *config.Authorizer) { c.Issuers[0].ClientIDs = []string{"c2"} },
			claims("cid", "c2"), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default", ClientID: "c2"}, nil},
		{"client id missing", func(c *config.Authorizer) { c.Issuers[0].ClientIDs = []string{"c1"} },
			claims(), nil, ErrClientID},
		{"bad cid next to good client_id", func(c *config.Authorizer) { c.Issuers[0].ClientIDs = []string{"c1"} },
			claims("client_id", "c1", "cid", "c9"), nil, ErrClientID},
		{"client ids only, no aud", func(c *config.Authorizer) {
			c.Issuers[0].Audiences, c.Issuers[0].ClientIDs = nil, []string{"c1"}
		}, claims("aud", nil, "client_id", "c1"), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default", ClientID: "c1"}, nil},
		{"aud missing", nil, claims("aud", nil), nil, ErrAudience},
		{"aud array, one matches", nil, claims("aud", []string{"x", aud}), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"aud wrong type", nil, claims("aud", 5), nil, ErrClaims},
		{"aud array with non-string", nil, claims("aud", []any{aud, 1}), nil, ErrClaims},
		{"custom user claim", func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "uid" },
			claims("uid", "u-9"), &Claims{UserID: "u-9", Issuer: iss, IssuerName: "default"}, nil},
		{"custom user claim missing", func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "uid" }, claims(), nil, ErrUserIDClaim},
		{"custom user claim null", func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "uid" }, claims("uid", json.RawMessage(`null`)), nil, ErrUserIDClaim},
		{"custom user claim array", func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "uid" }, claims("uid", []string{"u"}), nil, ErrUserIDClaim},
		{"sub number", nil, claims("sub", 5), nil, ErrUserIDClaim},
		{"sub missing", nil, claims("sub", nil), nil, ErrUserIDClaim},
		{"user claim is client_id", func(c *config.Authorizer) {
			c.Issuers[0].UserIDClaim, c.Issuers[0].ClientIDs = "client_id", []string{"c1"}
		}, claims("client_id", "c1"), &Claims{UserID: "c1", Issuer: iss, IssuerName: "default", ClientID: "c1"}, nil},
		{"user claim is exp", func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "exp" }, claims(), nil, ErrUserIDClaim},
		{"user claim escaped", nil, claims("sub", "\u0075ser-1"), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"exp missing", nil, claims("exp", nil), nil, ErrClaims},
		{"exp null", nil, claims("exp", json.RawMessage(`null`)), nil, ErrClaims},
		{"exp string", nil, claims("exp", "1"), nil, ErrClaims},
		{"exp huge exponent", nil, claims("exp", json.RawMessage(`1e400`)), nil, ErrClaims},
		{"exp past leeway", nil, claims("exp", now.Unix()-11), nil, ErrExpired},
		{"exp within leeway", nil, claims("exp", now.Unix()-9), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"nbf future", nil, claims("nbf", now.Unix()+11), nil, ErrNotYetValid},
		{"nbf as string", nil, claims("nbf", "1"), nil, ErrClaims},
		{"iat future", nil, claims("iat", now.Unix()+11), nil, ErrNotYetValid},
		{"iat leeway ok", nil, claims("iat", now.Unix()+9), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"iss other", nil, claims("iss", iss+"/"), nil, ErrUnknownIssuer},
		{"iss missing", nil, claims("iss", nil), nil, ErrUnknownIssuer},
		{"iss array", nil, claims("iss", []string{iss}), nil, ErrClaims},
		{"token_use missing", func(c *config.Authorizer) { c.Issuers[0].TokenUse = "access" }, claims(), nil, ErrTokenUse},
		{"token_use wrong", func(c *config.Authorizer) { c.Issuers[0].TokenUse = "access" }, claims("token_use", "id"), nil, ErrTokenUse},
		{"scope as array", func(c *config.Authorizer) { c.RequiredScopes = []string{"a"} }, claims("scope", []string{"a"}), nil, ErrClaims},
		{"scp as string", func(c *config.Authorizer) { c.RequiredScopes = []string{"a"} }, claims("scp", "a"), nil, ErrClaims},
		{"nested duplicate", nil, claims("ext", json.RawMessage(`{"a":1,"a":2}`)), nil, ErrClaims},
		{"nested too deep", nil, claims("ext", json.RawMessage(strings.Repeat("[", 32)+strings.Repeat("]", 32))), nil, ErrClaims},
		{"nested 31 deep", nil, claims("ext", json.RawMessage(strings.Repeat("[", 31)+strings.Repeat("]", 31))),
			&Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := oneIssuer()
			if tc.cfg != nil {
				tc.cfg(c)
			}
			got, err := newVerifier(t, c, keys).Verify(context.Background(), k.Mint(nil, tc.claims))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if tc.want != nil && !equalClaims(got, *tc.want) {
				t.Fatalf("got %+v, want %+v", got, *tc.want)
			}
		})
	}
}

func equalClaims(a, b Claims) bool {
	return a.UserID == b.UserID && a.Issuer == b.Issuer && a.IssuerName == b.IssuerName &&
		a.ClientID == b.ClientID && a.Scope == b.Scope && slices.Equal(a.Scopes, b.Scopes)
}

// TestVerifyMalformedBytes: bytes Extract lets through are refused by Verify
// even when the signature would match once they are dropped.
func TestVerifyMalformedBytes(t *testing.T) {
	k := jwttest.NewRSA("k", 2048)
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
