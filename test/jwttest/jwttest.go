package jwttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Key is a signing key pair with its key id and default algorithm.
type Key struct {
	KID     string        // "kid" header and JWK field
	Alg     string        // default JWS algorithm: RS256, ES256, ES384, ES512 or EdDSA
	Private crypto.Signer // *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey
}

// NewRSA generates an RSA key of the given size; its default algorithm is RS256.
func NewRSA(kid string, bits int) *Key {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(fmt.Sprintf("jwttest: generate rsa key: %v", err))
	}
	return &Key{KID: kid, Alg: "RS256", Private: k}
}

// NewEC generates an ECDSA key on curve (elliptic.P256, P384 or P521); its
// default algorithm is the matching ES256, ES384 or ES512.
func NewEC(kid string, curve elliptic.Curve) *Key {
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("jwttest: generate ecdsa key: %v", err))
	}
	alg := map[int]string{256: "ES256", 384: "ES384", 521: "ES512"}[curve.Params().BitSize]
	return &Key{KID: kid, Alg: alg, Private: k}
}

// NewEd25519 generates an Ed25519 key; its default algorithm is EdDSA.
func NewEd25519(kid string) *Key {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("jwttest: generate ed25519 key: %v", err))
	}
	return &Key{KID: kid, Alg: "EdDSA", Private: k}
}

// Public returns the public half (*rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey).
func (k *Key) Public() crypto.PublicKey { return k.Private.Public() }

// JWK returns the public key as a JWK with kid, alg and use "sig" set.
func (k *Key) JWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.Public(), KeyID: k.KID, Algorithm: k.Alg, Use: "sig"}
}

// JWKS returns a JWKS document (`{"keys":[...]}`) holding the public keys.
func JWKS(keys ...*Key) []byte {
	set := make([]jose.JSONWebKey, len(keys))
	for i, k := range keys {
		set[i] = k.JWK()
	}
	return JWKSOf(set...)
}

// NewJWKS returns a JWKS document with one fresh P-256 key (ES256) per kid,
// for tests that need a key set but never sign with it.
func NewJWKS(kids ...string) []byte {
	keys := make([]*Key, len(kids))
	for i, kid := range kids {
		keys[i] = NewEC(kid, elliptic.P256())
	}
	return JWKS(keys...)
}

// JWKSOf returns a JWKS document holding the given JWKs as they are, so tests
// can publish keys with an odd "alg", "use" or "kid".
func JWKSOf(set ...jose.JSONWebKey) []byte {
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: set})
	if err != nil {
		panic(fmt.Sprintf("jwttest: marshal jwks: %v", err))
	}
	return b
}

// Header holds extra or overriding JWS header fields for Mint. A nil value
// removes the field (e.g. Header{"kid": nil} mints a token without kid).
type Header map[string]any

// Claims returns a minimal valid claim set: iss, sub, iat=now, exp=now+1h.
func Claims(issuer, subject string, now time.Time) map[string]any {
	return map[string]any{
		"iss": issuer,
		"sub": subject,
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
}

// With sets each name, value pair of kv in claims (a nil value deletes the
// claim) and returns claims, for tests that start from a valid set and
// change what they test.
func With(claims map[string]any, kv ...any) map[string]any {
	if len(kv)%2 != 0 {
		panic("jwttest: With needs name, value pairs")
	}
	for i := 0; i < len(kv); i += 2 {
		name := kv[i].(string)
		if kv[i+1] == nil {
			delete(claims, name)
			continue
		}
		claims[name] = kv[i+1]
	}
	return claims
}

// Mint returns a compact JWS over claims (any JSON-marshalable value, or
// json.RawMessage for exact bytes). The header is {"alg":k.Alg,"kid":k.KID,
// "typ":"JWT"} merged with extra; the signature uses the header's "alg" when
// it is a string this package can sign with, otherwise k.Alg.
func (k *Key) Mint(extra Header, claims any) string {
	h := map[string]any{"alg": k.Alg, "kid": k.KID, "typ": "JWT"}
	for name, v := range extra {
		if v == nil {
			delete(h, name)
			continue
		}
		h[name] = v
	}
	alg := k.Alg
	if a, ok := h["alg"].(string); ok && canSign(k, a) {
		alg = a
	}
	return k.SignRaw(alg, mustJSON(h), mustJSON(claims))
}

// SignRaw signs exactly header and payload (JSON bytes, not yet encoded) with
// alg, which must fit the key (RS*, PS* for RSA; ES* for ECDSA; EdDSA).
func (k *Key) SignRaw(alg string, header, payload []byte) string {
	input := Encode(header) + "." + Encode(payload)
	return input + "." + Encode(k.Signature(alg, []byte(input)))
}

// Signature returns the raw JWS signature of input with alg.
func (k *Key) Signature(alg string, input []byte) []byte {
	switch priv := k.Private.(type) {
	case *rsa.PrivateKey:
		h, digest := hashFor(alg, input)
		var (
			sig []byte
			err error
		)
		switch alg[:2] {
		case "RS":
			sig, err = rsa.SignPKCS1v15(rand.Reader, priv, h, digest)
		case "PS":
			sig, err = rsa.SignPSS(rand.Reader, priv, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		default:
			panic("jwttest: rsa key cannot sign " + alg)
		}
		if err != nil {
			panic(fmt.Sprintf("jwttest: sign: %v", err))
		}
		return sig
	case *ecdsa.PrivateKey:
		_, digest := hashFor(alg, input)
		r, s, err := ecdsa.Sign(rand.Reader, priv, digest)
		if err != nil {
			panic(fmt.Sprintf("jwttest: sign: %v", err))
		}
		size := (priv.Curve.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		return sig
	case ed25519.PrivateKey:
		return ed25519.Sign(priv, input)
	}
	panic("jwttest: unsupported key type")
}

// SignHMAC returns a compact JWS signed with HMAC (alg HS256, HS384 or HS512)
// using secret, e.g. the bytes of an RSA public key for key-confusion tests.
func SignHMAC(alg string, secret, header, payload []byte) string {
	input := Encode(header) + "." + Encode(payload)
	var hf func() hash.Hash
	switch alg {
	case "HS384":
		hf = sha512.New384
	case "HS512":
		hf = sha512.New
	default:
		hf = sha256.New
	}
	m := hmac.New(hf, secret)
	m.Write([]byte(input))
	return input + "." + Encode(m.Sum(nil))
}

// Unsigned returns an "alg":"none" style token: header.payload. (empty signature).
func Unsigned(header, payload []byte) string {
	return Encode(header) + "." + Encode(payload) + "."
}

// Encode is unpadded base64url, the JWS segment encoding.
func Encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Parts splits a compact token into its three segments (or fewer/more, as found).
func Parts(token string) []string { return strings.Split(token, ".") }

func canSign(k *Key, alg string) bool {
	switch k.Private.(type) {
	case *rsa.PrivateKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PrivateKey:
		return alg == k.Alg
	case ed25519.PrivateKey:
		return alg == "EdDSA"
	}
	return false
}

func hashFor(alg string, input []byte) (crypto.Hash, []byte) {
	var h crypto.Hash
	switch {
	case strings.HasSuffix(alg, "384"):
		h = crypto.SHA384
	case strings.HasSuffix(alg, "512"):
		h = crypto.SHA512
	default:
		h = crypto.SHA256
	}
	d := h.New()
	d.Write(input)
	return h, d.Sum(nil)
}

func mustJSON(v any) []byte {
	switch b := v.(type) {
	case json.RawMessage:
		return b
	case []byte:
		return b
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("jwttest: marshal: %v", err))
	}
	return b
}
