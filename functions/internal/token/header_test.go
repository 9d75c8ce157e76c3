package token

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

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
	k := testKey
	v := newVerifier(t, oneIssuer(), newKeyMap(k))
	if _, err := v.Verify(context.Background(), k.Mint(nil, claims())); err != nil {
		t.Fatalf("control: %v", err)
	}
	jwk := k.JWK()
	nested := `{"alg":"RS256","kid":"k","x":` + strings.Repeat("[", 32) + strings.Repeat("]", 32) + `}`
	for name, header := range map[string]string{
		"jwk":              `{"alg":"RS256","kid":"k","jwk":` + string(mustJSON(jwk)) + `}`,
		"jku":              `{"alg":"RS256","kid":"k","jku":"https://attacker.example/jwks"}`,
		"x5u":              `{"alg":"RS256","kid":"k","x5u":"https://attacker.example/cert"}`,
		"x5c":              `{"alg":"RS256","kid":"k","x5c":[` + selfSigned(t, k) + `]}`,
		"x5c escaped":      `{"alg":"RS256","kid":"k","\u00785c":[` + selfSigned(t, k) + `]}`,
		"x5c chain of two": `{"alg":"RS256","kid":"k","x5c":[` + selfSigned(t, k) + `,` + selfSigned(t, k) + `]}`,
		"x5c not a cert":   `{"alg":"RS256","kid":"k","x5c":["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]}`,
		"crit":             `{"alg":"RS256","kid":"k","crit":["exp"],"exp":1}`,
		"b64":              `{"alg":"RS256","kid":"k","b64":true}`,
		"zip":              `{"alg":"RS256","kid":"k","zip":"DEF"}`,
		"cty":              `{"alg":"RS256","kid":"k","cty":"JWT"}`,
		"enc":              `{"alg":"RS256","kid":"k","enc":"A128GCM"}`,
		"kid missing":      `{"alg":"RS256"}`,
		"kid empty":        `{"alg":"RS256","kid":""}`,
		"kid too long":     `{"alg":"RS256","kid":"` + strings.Repeat("k", maxKIDBytes+1) + `"}`,
		"nested too deep":  nested,
		"over 2 KiB":       `{"alg":"RS256","kid":"k","x":"` + strings.Repeat("a", maxHeaderBytes) + `"}`,
		"duplicate alg":    `{"alg":"RS256","alg":"RS256","kid":"k"}`,
		"nested dup":       `{"alg":"RS256","kid":"k","x":{"a":1,"a":1}}`,
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
	// Invalid UTF-8 in the header is refused wherever it sits, though
	// go-jose's JSON reads it as U+FFFD.
	for _, h := range []string{
		"{\"alg\":\"RS256\",\"kid\":\"k\xff\"}",
		"{\"alg\":\"RS256\",\"kid\":\"k\",\"typ\":\"JW\xc3\"}",
		"{\"alg\":\"RS256\",\"kid\":\"k\",\"x\xfe\":1}",
		"{\"alg\":\"RS256\",\"kid\":\"k\",\"x\":[{\"y\":[\"\xed\xa0\x80\"]}]}", // an encoded surrogate
		"{\"alg\":\"RS256\",\"kid\":\"k\",\"x\":{\"\xc0\xaf\":1}}",             // an overlong '/'
		"{\"alg\":\"RS256\",\"kid\":\"k\",\"nonce\":\"\xff\"}",
	} {
		if _, err := v.Verify(context.Background(), k.SignRaw("RS256", []byte(h), mustJSON(claims()))); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: err = %v, want %v", h, err, ErrMalformed)
		}
	}
	// An x5c that holds no certificate offers no key: go-jose keeps none,
	// and the token reads as one without it.
	for _, h := range []string{`{"alg":"RS256","kid":"k","x5c":[]}`, `{"alg":"RS256","kid":"k","x5c":null}`} {
		if _, err := v.Verify(context.Background(), k.SignRaw("RS256", []byte(h), mustJSON(claims()))); err != nil {
			t.Fatalf("%s: %v", h, err)
		}
	}
}
