package jwttest

import (
	"crypto/elliptic"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// TestMintVerifies checks every key type and algorithm against go-jose, an
// independent implementation, through the published JWKS.
func TestMintVerifies(t *testing.T) {
	rsaKey := NewRSA("rsa", 2048)
	keys := []*Key{rsaKey, NewEC("p256", elliptic.P256()), NewEC("p384", elliptic.P384()),
		NewEC("p521", elliptic.P521()), NewEd25519("ed")}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(JWKS(keys...), &set); err != nil {
		t.Fatal(err)
	}
	all := []jose.SignatureAlgorithm{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
	claims := Claims("https://issuer", "user-1", time.Now())
	check := func(tok, kid string) {
		t.Helper()
		jws, err := jose.ParseSignedCompact(tok, all)
		if err != nil {
			t.Fatal(err)
		}
		if jws.Signatures[0].Header.KeyID != kid {
			t.Fatalf("kid %q", jws.Signatures[0].Header.KeyID)
		}
		if _, err := jws.Verify(set.Key(kid)[0].Key); err != nil {
			t.Fatalf("%s: %v", kid, err)
		}
	}
	for _, k := range keys {
		check(k.Mint(nil, claims), k.KID)
	}
	for _, alg := range []string{"RS384", "RS512", "PS256", "PS384", "PS512"} {
		check(rsaKey.Mint(Header{"alg": alg}, claims), "rsa")
	}
	tok := rsaKey.Mint(Header{"kid": nil, "jku": "https://x"}, claims)
	hdr, _ := jose.ParseSignedCompact(tok, all)
	if hdr.Signatures[0].Header.KeyID != "" || hdr.Signatures[0].Header.ExtraHeaders["jku"] != "https://x" {
		t.Fatalf("header overrides not applied: %+v", hdr.Signatures[0].Header)
	}
	if p := Parts(Unsigned([]byte(`{"alg":"none"}`), []byte(`{}`))); len(p) != 3 || p[2] != "" {
		t.Fatalf("unsigned: %q", p)
	}
	hs := SignHMAC("HS256", []byte(strings.Repeat("k", 32)), []byte(`{"alg":"HS256"}`), []byte(`{}`))
	jws, err := jose.ParseSignedCompact(hs, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify([]byte(strings.Repeat("k", 32))); err != nil {
		t.Fatal(err)
	}
}

func TestNewJWKS(t *testing.T) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(NewJWKS("a", "b"), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2 || set.Keys[0].KeyID != "a" || set.Keys[1].KeyID != "b" {
		t.Fatalf("keys %+v, want a and b", set.Keys)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || !k.Valid() || k.Algorithm != "ES256" {
			t.Errorf("key %s: public %v, valid %v, alg %s", k.KeyID, k.IsPublic(), k.Valid(), k.Algorithm)
		}
	}
}
