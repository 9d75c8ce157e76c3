package jwks

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// Limits applied to every key set.
const (
	// MaxKeys is the number of usable keys a set keeps; further keys are dropped.
	MaxKeys = 100
	// MinRSABits is the smallest RSA modulus accepted (RFC 7518 §3.3).
	MinRSABits = 2048
	// MaxRSABits bounds the cost of a verification.
	MaxRSABits = 8192
)

// Set is a parsed, filtered JWKS: public signature keys only, one per kid.
// A Set is immutable once returned; callers must not modify Keys.
type Set struct {
	// Keys maps kid to its public key. A key without a kid is held under "".
	Keys map[string]*jose.JSONWebKey
	// JSON is the set re-encoded from the kept keys only (no private or
	// dropped members): what is safe to persist and share.
	JSON []byte
	// Dropped lists the members that were not kept, in document order.
	Dropped []Dropped
}

// Dropped describes a JWKS member that was not kept.
type Dropped struct {
	Index  int    // position in the "keys" array
	KID    string // the member's kid, if it could be read
	Reason string
}

// Len reports the number of usable keys.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.Keys)
}

// ParseSet parses a JWKS document (RFC 7517 §5). Members that are private,
// symmetric, unparseable, not for signatures, of an unsupported type, weak,
// inconsistent with their "alg", or repeat an earlier kid are dropped and
// listed in Set.Dropped, as RFC 7517 §5 recommends ignoring what is not
// understood. It fails with ErrInvalid when the document is not a JWKS and
// with ErrNoKeys when no member is usable.
func ParseSet(raw []byte) (*Set, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse JWKS: %w: %v", ErrInvalid, err)
	}
	if doc.Keys == nil {
		return nil, fmt.Errorf("parse JWKS: %w: no \"keys\" array", ErrInvalid)
	}
	s := &Set{Keys: make(map[string]*jose.JSONWebKey, len(doc.Keys))}
	kept := make([]jose.JSONWebKey, 0, len(doc.Keys))
	for i, member := range doc.Keys {
		k, kid, reason := parseMember(member)
		if reason == "" {
			if _, dup := s.Keys[kid]; dup {
				reason = "duplicate kid"
			} else if len(kept) >= MaxKeys {
				reason = fmt.Sprintf("more than %d keys", MaxKeys)
			}
		}
		if reason != "" {
			s.Dropped = append(s.Dropped, Dropped{Index: i, KID: kid, Reason: reason})
			continue
		}
		s.Keys[kid] = k
		kept = append(kept, *k)
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("parse JWKS: %w (%d members, all dropped)", ErrNoKeys, len(doc.Keys))
	}
	js, err := json.Marshal(jose.JSONWebKeySet{Keys: kept})
	if err != nil {
		return nil, fmt.Errorf("encode JWKS: %w: %v", ErrInvalid, err)
	}
	s.JSON = js
	return s, nil
}

// parseMember returns the key, its kid, and a non-empty reason when it must
// be dropped.
func parseMember(member json.RawMessage) (*jose.JSONWebKey, string, string) {
	var head struct {
		Kid    string   `json:"kid"`
		Use    string   `json:"use"`
		KeyOps []string `json:"key_ops"`
		D      *string  `json:"d"`
		K      *string  `json:"k"`
	}
	if err := json.Unmarshal(member, &head); err != nil {
		return nil, "", "not a JSON object"
	}
	kid := head.Kid
	if head.D != nil || head.K != nil {
		return nil, kid, "private or symmetric key"
	}
	if head.Use != "" && head.Use != "sig" {
		return nil, kid, "use is not sig"
	}
	if head.KeyOps != nil && !contains(head.KeyOps, "verify") {
		return nil, kid, "key_ops lacks verify"
	}
	k := new(jose.JSONWebKey)
	if err := k.UnmarshalJSON(member); err != nil {
		return nil, kid, "unparseable: " + err.Error()
	}
	if !k.IsPublic() || !k.Valid() {
		return nil, kid, "not a valid public key"
	}
	if reason := checkKey(k); reason != "" {
		return nil, kid, reason
	}
	return k, kid, ""
}

// checkKey accepts RSA (MinRSABits..MaxRSABits), ECDSA on P-256/384/521 and Ed25519
// public keys whose "alg", when present, belongs to their family.
func checkKey(k *jose.JSONWebKey) string {
	alg := k.Algorithm
	switch pub := k.Key.(type) {
	case *rsa.PublicKey:
		if bits := pub.N.BitLen(); bits < MinRSABits || bits > MaxRSABits {
			return fmt.Sprintf("RSA key of %d bits, outside %d..%d", bits, MinRSABits, MaxRSABits)
		}
		if pub.E < 3 || pub.E%2 == 0 {
			return "RSA exponent invalid"
		}
		switch alg {
		case "", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
			return ""
		}
	case *ecdsa.PublicKey:
		want := map[elliptic.Curve]string{
			elliptic.P256(): "ES256", elliptic.P384(): "ES384", elliptic.P521(): "ES512",
		}[pub.Curve]
		if want == "" {
			return "unsupported EC curve"
		}
		if alg == "" || alg == want {
			return ""
		}
	case ed25519.PublicKey:
		if alg == "" || alg == "EdDSA" || alg == "Ed25519" {
			return ""
		}
	default:
		return fmt.Sprintf("unsupported key type %T", k.Key)
	}
	return fmt.Sprintf("alg %.32q does not match the key type", alg)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
