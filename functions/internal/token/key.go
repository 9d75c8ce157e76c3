package token

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// minRSABits refuses keys too weak to trust, whatever the issuer publishes.
const minRSABits = 2048

// keyFits makes the issuer's key for the kid agree with the token: a
// published "use" must be "sig", a published "alg" must be the token's, and
// the key type and curve must be the ones the algorithm is defined for (no
// RSA key for ES256).
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
