package jwks

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

func testRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		rsaKey = k
	})
	return rsaKey
}

func ecKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func member(t testing.TB, k jose.JSONWebKey) string {
	t.Helper()
	b, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func jwk(kid, alg string, key any) jose.JSONWebKey {
	return jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: "sig"}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func TestParseSetKeepsPublicSignatureKeys(t *testing.T) {
	ec := ecKey(t, elliptic.P256())
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	raw := jwttest.JWKSOf(
		jwk("rsa", "RS256", testRSA(t).Public()),
		jwk("ec", "ES256", ec.Public()),
		jwk("ed", "EdDSA", ed.Public()),
		jose.JSONWebKey{Key: ec.Public(), KeyID: "noalg"},
	)
	s, err := ParseSet(raw)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 4 || s.Members != 4 || s.DroppedTotal() != 0 {
		t.Fatalf("kept %d of %d, dropped %v", s.Len(), s.Members, s.Dropped)
	}
	// The re-encoded JSON round-trips to the same keys.
	s2, err := ParseSet(s.JSON)
	if err != nil || s2.Len() != 4 {
		t.Fatalf("round trip: %v %d", err, s2.Len())
	}
}

// TestParseSetDrops: each member is offered next to a good key and must be
// dropped for its own reason.
func TestParseSetDrops(t *testing.T) {
	ec := ecKey(t, elliptic.P256())
	ec384 := ecKey(t, elliptic.P384())
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	xy := `"crv":"P-256","x":"` + b64(ec.X.FillBytes(make([]byte, 32))) + `","y":"` + b64(ec.Y.FillBytes(make([]byte, 32))) + `"`
	good := member(t, jwk("good", "ES256", ec.Public()))
	for _, tc := range []struct {
		name   string
		member string
		want   Reason
	}{
		{"duplicate kid", member(t, jwk("good", "ES384", ec384.Public())), ReasonDuplicate},
		{"private EC", member(t, jwk("priv", "ES256", ec)), ReasonPrivate},
		{"private parameter go-jose ignores", `{"kty":"EC","kid":"p",` + xy + `,"p":"AQAB"}`, ReasonPrivate},
		{"symmetric", `{"kty":"oct","kid":"oct","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}`, ReasonPrivate},
		{"weak RSA", member(t, jwk("weak", "RS256", small.Public())), ReasonRSASize},
		{"huge RSA", `{"kty":"RSA","kid":"huge","n":"` + b64(append([]byte{1}, make([]byte, MaxRSABits/8)...)) + `","e":"AQAB"}`, ReasonUnparseable}, // go-jose's own bound
		{"even exponent", `{"kty":"RSA","kid":"even","n":"` + b64(testRSA(t).N.Bytes()) + `","e":"Ag"}`, ReasonRSAExponent},
		{"alg vs curve", member(t, jwk("mismatch", "ES256", ec384.Public())), ReasonAlg},
		{"alg vs type", member(t, jwk("rsa-es", "ES256", testRSA(t).Public())), ReasonAlg},
		{"encryption key", member(t, jose.JSONWebKey{Key: ec.Public(), KeyID: "enc", Use: "enc"}), ReasonUse},
		{"key_ops without verify", `{"kty":"EC","kid":"ops",` + xy + `,"key_ops":["encrypt"]}`, ReasonKeyOps},
		{"unknown kty", `{"kty":"XYZ","kid":"unknown"}`, ReasonUnparseable},
		{"empty modulus", `{"kty":"RSA","kid":"bad-n","n":"","e":"AQAB"}`, ReasonRSASize},
		{"string", `"string"`, ReasonNotObject},
		{"empty object", `{}`, ReasonUnparseable},
		{"repeated name", `{"kty":"EC","kid":"a","kid":"b",` + xy + `}`, ReasonNotObject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSet([]byte(`{"keys":[` + good + `,` + tc.member + `]}`))
			if err != nil {
				t.Fatal(err)
			}
			if s.Len() != 1 || s.Keys["good"] == nil || s.Keys["good"].Key.(*ecdsa.PublicKey).Curve != elliptic.P256() {
				t.Fatalf("kept %v", s.Keys)
			}
			if want := map[Reason]int{tc.want: 1}; !maps.Equal(s.Dropped, want) {
				t.Fatalf("dropped %v, want %v", s.Dropped, want)
			}
			if bytes.Contains(s.JSON, []byte(`"d"`)) || bytes.Contains(s.JSON, []byte(`"k"`)) || strings.Count(string(s.JSON), `"kid"`) != 1 {
				t.Fatalf("re-encoded set holds a dropped member: %s", s.JSON)
			}
		})
	}
}

// TestParseSetKIDCase: member names match exactly, so "KID" is not a kid.
// encoding/json would file this key under "b" while go-jose reads "a".
func TestParseSetKIDCase(t *testing.T) {
	m := member(t, jwk("a", "ES256", ecKey(t, elliptic.P256()).Public()))
	m = strings.TrimSuffix(m, "}") + `,"KID":"b"}`
	s, err := ParseSet([]byte(`{"keys":[` + m + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Keys["a"] == nil || s.Keys["a"].KeyID != "a" || s.Keys["b"] != nil {
		t.Fatalf("keys filed under %v", slicesOfKeys(s))
	}
	// The stored copy files it the same way.
	s2, err := ParseSet(s.JSON)
	if err != nil || s2.Keys["a"] == nil || s2.Keys["b"] != nil {
		t.Fatalf("re-parse: %v %v", err, slicesOfKeys(s2))
	}
}

func slicesOfKeys(s *Set) []string {
	var out []string
	for k := range s.Keys {
		out = append(out, k)
	}
	return out
}

func TestParseSetErrors(t *testing.T) {
	priv := jwttest.JWKSOf(jwk("p", "ES256", ecKey(t, elliptic.P256())))
	good := member(t, jwk("a", "ES256", ecKey(t, elliptic.P256()).Public()))
	for name, tc := range map[string]struct {
		raw  string
		want error
	}{
		"empty":          {"", ErrInvalid},
		"garbage":        {"<html>", ErrInvalid},
		"no keys":        {`{"foo":1}`, ErrInvalid},
		"keys object":    {`{"keys":{}}`, ErrInvalid},
		"null keys":      {`{"keys":null}`, ErrInvalid},
		"KEYS":           {`{"KEYS":[` + good + `]}`, ErrInvalid},
		"repeated keys":  {`{"keys":[],"keys":[` + good + `]}`, ErrInvalid},
		"empty keys":     {`{"keys":[]}`, ErrNoKeys},
		"only bad":       {string(priv), ErrNoKeys},
		"only junk":      {`{"keys":[1,2,{}]}`, ErrNoKeys},
		"trailing bytes": {`{"keys":[` + good + `]} x`, ErrInvalid},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseSet([]byte(tc.raw))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseSetMaxKeys(t *testing.T) {
	ec := ecKey(t, elliptic.P256())
	var ks []jose.JSONWebKey
	for i := range MaxKeys + 5 {
		ks = append(ks, jwk(fmt.Sprintf("k%03d", i), "ES256", ec.Public()))
	}
	s, err := ParseSet(jwttest.JWKSOf(ks...))
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != MaxKeys || !maps.Equal(s.Dropped, map[Reason]int{ReasonTooMany: 5}) {
		t.Fatalf("kept %d dropped %v", s.Len(), s.Dropped)
	}
}

// TestParseSetJunkCounted: a 1 MiB document of junk members is summarised
// by counts (a bounded map and a bounded error), not a list per member.
func TestParseSetJunkCounted(t *testing.T) {
	good := member(t, jwk("a", "ES256", ecKey(t, elliptic.P256()).Public()))
	var b strings.Builder
	b.WriteString(`{"keys":[` + good)
	n := 0
	for b.Len() < MaxBodyBytes-16 {
		b.WriteString(`,{}`)
		n++
	}
	b.WriteString(`]}`)
	s, err := ParseSet([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	want := map[Reason]int{ReasonUnparseable: MaxMembers - 1, ReasonTooMany: n + 1 - MaxMembers}
	if s.Len() != 1 || s.Members != n+1 || !maps.Equal(s.Dropped, want) {
		t.Fatalf("kept %d of %d, dropped %v", s.Len(), s.Members, s.Dropped)
	}
	all := strings.Replace(b.String(), good, "{}", 1)
	_, err = ParseSet([]byte(all))
	if !errors.Is(err, ErrNoKeys) || len(err.Error()) > 200 ||
		!strings.Contains(err.Error(), fmt.Sprintf("too_many=%d unparseable=%d", n+1-MaxMembers, MaxMembers)) {
		t.Fatalf("err = %.300v", err)
	}
	// A usable key past MaxMembers is not read.
	late := `{"keys":[` + strings.Repeat(`{},`, MaxMembers) + good + `]}`
	if _, err := ParseSet([]byte(late)); !errors.Is(err, ErrNoKeys) {
		t.Fatalf("key past MaxMembers: %v", err)
	}
}

func FuzzParseSet(f *testing.F) {
	// Real key sets are in testdata/fuzz/FuzzParseSet (static: generating
	// keys under coverage instrumentation is too slow for the fuzz workers).
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"x"},{"kty":"oct","k":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[null,1,"a",[],{}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseSet(raw)
		if err != nil {
			if s != nil {
				t.Fatal("set with error")
			}
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNoKeys) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if s.Len() == 0 || s.Len() > MaxKeys || s.Len()+s.DroppedTotal() != s.Members {
			t.Fatalf("kept %d, dropped %d, members %d", s.Len(), s.DroppedTotal(), s.Members)
		}
		for kid, k := range s.Keys {
			if k.KeyID != kid || !k.IsPublic() {
				t.Fatalf("bad key %q", kid)
			}
		}
		// What is kept re-parses to the same kids, nothing dropped.
		s2, err := ParseSet(s.JSON)
		if err != nil || s2.Len() != s.Len() || s2.DroppedTotal() != 0 {
			t.Fatalf("re-parse: %v, %d vs %d, dropped %v", err, s2.Len(), s.Len(), s2.Dropped)
		}
		for kid := range s.Keys {
			if s2.Keys[kid] == nil {
				t.Fatalf("kid %q lost on re-parse", kid)
			}
		}
	})
}

// TestFits: the rules the token verifier applies to the key its kid picks,
// kept beside ParseSet's so that there is one home for them.
func TestFits(t *testing.T) {
	rsaPub := &testRSA(t).PublicKey
	p256, p384 := &ecKey(t, elliptic.P256()).PublicKey, &ecKey(t, elliptic.P384()).PublicKey
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		key  jose.JSONWebKey
		alg  string
		want Reason
	}{
		{"RSA for RS256", jwk("k", "", rsaPub), "RS256", ""},
		{"RSA for PS512", jwk("k", "", rsaPub), "PS512", ""},
		{"RSA published for RS256", jwk("k", "RS256", rsaPub), "RS256", ""},
		{"RSA published for RS384, token RS256", jwk("k", "RS384", rsaPub), "RS256", ReasonAlg},
		{"RSA for ES256", jwk("k", "", rsaPub), "ES256", ReasonKeyType},
		{"RSA of 1024 bits", jwk("k", "", &weak.PublicKey), "RS256", ReasonRSASize},
		{"RSA for encryption", jose.JSONWebKey{Key: rsaPub, Use: "enc"}, "RS256", ReasonUse},
		{"RSA without use", jose.JSONWebKey{Key: rsaPub}, "RS256", ""},
		{"P-256 for ES256", jwk("k", "", p256), "ES256", ""},
		{"P-256 for ES384", jwk("k", "", p256), "ES384", ReasonKeyType},
		{"P-384 for ES384", jwk("k", "ES384", p384), "ES384", ""},
		{"P-256 for RS256", jwk("k", "", p256), "RS256", ReasonKeyType},
		{"Ed25519 for EdDSA", jwk("k", "", edPub), "EdDSA", ""},
		{"Ed25519 for ES256", jwk("k", "", edPub), "ES256", ReasonKeyType},
		{"Ed25519 published as Ed25519, token EdDSA", jwk("k", "Ed25519", edPub), "EdDSA", ReasonAlg},
		{"symmetric", jwk("k", "", []byte("secret")), "HS256", ReasonKeyType},
	} {
		if got := Fits(&tc.key, tc.alg); got != tc.want {
			t.Errorf("%s: Fits = %q, want %q", tc.name, got, tc.want)
		}
	}
}
