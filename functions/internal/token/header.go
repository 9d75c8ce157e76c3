package token

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/json"
)

// maxKIDBytes bounds the attacker-chosen kid before it reaches the key
// source and its logs; real kids are thumbprints or short names.
const maxKIDBytes = 256

// forbiddenHeaders either let the token pick its own key (jku, x5u; jwk and
// x5c are checked below), change how the payload is read (b64, zip, cty:
// nested JWTs), demand extensions we do not implement (crit), or belong to
// JWE (enc). go-jose keeps all of these in Header.ExtraHeaders.
var forbiddenHeaders = []jose.HeaderKey{"jku", "x5u", "crit", "b64", "zip", "cty", "enc"}

// checkHeader checks the protected header as go-jose parsed it (h) and
// returns its kid. raw is the decoded header, read again only for x5c,
// which go-jose parses into a field it does not export.
func checkHeader(h jose.Header, raw []byte) (kid string, err error) {
	if h.JSONWebKey != nil {
		return "", fmt.Errorf("check header: jwk present: %w", ErrHeader)
	}
	for _, name := range forbiddenHeaders {
		if _, ok := h.ExtraHeaders[name]; ok {
			return "", fmt.Errorf("check header: %s present: %w", name, ErrHeader)
		}
	}
	// Only a header that spells "x5c", plainly or with escapes, can hold it.
	if bytes.Contains(raw, []byte("x5c")) || bytes.IndexByte(raw, '\\') >= 0 {
		var x5c struct {
			X5C *json.RawMessage `json:"x5c"`
		}
		if json.Unmarshal(raw, &x5c) != nil || x5c.X5C != nil {
			return "", fmt.Errorf("check header: x5c present: %w", ErrHeader)
		}
	}
	for _, v := range h.ExtraHeaders {
		if 1+depth(v) > maxDepth {
			return "", fmt.Errorf("check header: nested too deep: %w", ErrHeader)
		}
	}
	if h.KeyID == "" || len(h.KeyID) > maxKIDBytes {
		return "", fmt.Errorf("check header: kid missing or too long: %w", ErrHeader)
	}
	return h.KeyID, nil
}

// minRSABits refuses keys too weak to trust, whatever the issuer publishes.
const minRSABits = 2048

// keyFits makes the key agree with the token: a published "use" must be
// "sig", a published "alg" must be the token's, and the key type and curve
// must be the ones the algorithm is defined for (no RSA key for ES256).
func keyFits(jwk *jose.JSONWebKey, alg string) error {
	if jwk.Use != "" && jwk.Use != "sig" {
		return fmt.Errorf("check key: use is not sig: %w", ErrKey)
	}
	if jwk.Algorithm != "" && jwk.Algorithm != alg {
		return fmt.Errorf("check key: alg differs from the token's: %w", ErrKey)
	}
	ok := false
	switch k := jwk.Key.(type) {
	case *rsa.PublicKey:
		ok = (alg[0] == 'R' || alg[0] == 'P') && k != nil && k.N != nil && k.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		ok = k != nil && k.Curve == curves[alg]
	case ed25519.PublicKey:
		ok = alg == "EdDSA" && len(k) == ed25519.PublicKeySize
	}
	if !ok {
		return fmt.Errorf("check key: type does not fit %s: %w", alg, ErrKey)
	}
	return nil
}

// curves are the curves the ES algorithms are defined for (RFC 7518 §3.4).
var curves = map[string]elliptic.Curve{
	"ES256": elliptic.P256(),
	"ES384": elliptic.P384(),
	"ES512": elliptic.P521(),
}
