package token

import (
	"context"
	"crypto/elliptic"
	"errors"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

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
