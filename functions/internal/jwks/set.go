package jwks

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/json"
)

// Limits applied to every key set.
const (
	// MaxKeys is the number of usable keys a set keeps; further keys are dropped.
	MaxKeys = 100
	// MaxMembers is the number of members examined; the rest are dropped
	// unread, so a junk document costs little more than its decoding.
	MaxMembers = 10 * MaxKeys
	// MinRSABits is the smallest RSA modulus accepted (RFC 7518 §3.3).
	MinRSABits = 2048
	// MaxRSABits bounds the cost of a verification.
	MaxRSABits = 8192
)

// Reason says why a JWKS member was dropped. The set of reasons is fixed,
// so a summary by reason stays small whatever the document holds.
type Reason string

// Reasons for dropping a member.
const (
	ReasonNotObject   Reason = "not_object"    // not a JSON object, or one with a repeated name
	ReasonPrivate     Reason = "private"       // carries private or symmetric key material
	ReasonUse         Reason = "use_not_sig"   // "use" other than "sig"
	ReasonKeyOps      Reason = "key_ops"       // "key_ops" without "verify"
	ReasonUnparseable Reason = "unparseable"   // go-jose cannot read it as a JWK
	ReasonInvalid     Reason = "invalid_key"   // not a valid public key
	ReasonKeyType     Reason = "key_type"      // not RSA, EC P-256/384/521 or Ed25519
	ReasonRSASize     Reason = "rsa_size"      // modulus outside MinRSABits..MaxRSABits
	ReasonRSAExponent Reason = "rsa_exponent"  // even or below 3
	ReasonAlg         Reason = "alg_mismatch"  // "alg" of another key family or curve
	ReasonDuplicate   Reason = "duplicate_kid" // an earlier member has the same kid
	ReasonTooMany     Reason = "too_many"      // beyond MaxKeys usable keys or MaxMembers members
)

// Set is a parsed, filtered JWKS: public signature keys only, one per kid.
// A Set is immutable once returned; callers must not modify it.
type Set struct {
	// Keys maps go-jose's KeyID to the key. A key without a kid is held under "".
	Keys map[string]*jose.JSONWebKey
	// JSON is the set re-encoded from the kept keys only (no private or
	// dropped members): what is safe to persist and share.
	JSON []byte
	// Members is the number of members in the document's "keys" array.
	Members int
	// Dropped counts the members not kept, by reason.
	Dropped map[Reason]int
}

// Len reports the number of usable keys.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.Keys)
}

// DroppedTotal reports the number of members not kept.
func (s *Set) DroppedTotal() int {
	n := 0
	for _, c := range s.Dropped {
		n += c
	}
	return n
}

// ParseSet parses a JWKS document (RFC 7517 §5). Members that are private,
// symmetric, unparseable, not for signatures, of an unsupported type, weak,
// inconsistent with their "alg", or repeat an earlier kid are dropped and
// counted in Set.Dropped, as RFC 7517 §5 recommends ignoring what is not
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
	s := &Set{Keys: make(map[string]*jose.JSONWebKey), Members: len(doc.Keys)}
	var kept []jose.JSONWebKey
	for i, member := range doc.Keys {
		if i == MaxMembers {
			s.drop(ReasonTooMany, len(doc.Keys)-i)
			break
		}
		k, reason := parseMember(member)
		if reason == "" {
			if _, dup := s.Keys[k.KeyID]; dup {
				reason = ReasonDuplicate
			} else if len(kept) >= MaxKeys {
				reason = ReasonTooMany
			}
		}
		if reason != "" {
			s.drop(reason, 1)
			continue
		}
		s.Keys[k.KeyID] = k
		kept = append(kept, *k)
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("parse JWKS: %w: %d members, all dropped (%s)", ErrNoKeys, s.Members, s.summary())
	}
	js, err := json.Marshal(jose.JSONWebKeySet{Keys: kept})
	if err != nil {
		return nil, fmt.Errorf("encode JWKS: %w: %v", ErrInvalid, err)
	}
	s.JSON = js
	return s, nil
}

func (s *Set) drop(r Reason, n int) {
	if s.Dropped == nil {
		s.Dropped = make(map[Reason]int)
	}
	s.Dropped[r] += n
}

// summary lists the drop counts as "reason=n" in a stable order.
func (s *Set) summary() string {
	parts := make([]string, 0, len(s.Dropped))
	for r, n := range s.Dropped {
		parts = append(parts, fmt.Sprintf("%s=%d", r, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// parseMember returns the key, or the reason it must be dropped.
func parseMember(member json.RawMessage) (*jose.JSONWebKey, Reason) {
	// What go-jose's JSONWebKey does not expose: key_ops, and whether any
	// private parameter is present at all (go-jose ignores some of them).
	var head struct {
		KeyOps []string         `json:"key_ops"`
		D      *json.RawMessage `json:"d"`
		P      *json.RawMessage `json:"p"`
		Q      *json.RawMessage `json:"q"`
		DP     *json.RawMessage `json:"dp"`
		DQ     *json.RawMessage `json:"dq"`
		QI     *json.RawMessage `json:"qi"`
		K      *json.RawMessage `json:"k"`
		Priv   *json.RawMessage `json:"priv"`
	}
	if err := json.Unmarshal(member, &head); err != nil {
		return nil, ReasonNotObject
	}
	if head.D != nil || head.P != nil || head.Q != nil || head.DP != nil || head.DQ != nil ||
		head.QI != nil || head.K != nil || head.Priv != nil {
		return nil, ReasonPrivate
	}
	if head.KeyOps != nil && !slices.Contains(head.KeyOps, "verify") {
		return nil, ReasonKeyOps
	}
	k := new(jose.JSONWebKey)
	if err := k.UnmarshalJSON(member); err != nil {
		return nil, ReasonUnparseable
	}
	if k.Use != "" && k.Use != "sig" {
		return nil, ReasonUse
	}
	if !k.IsPublic() || !k.Valid() {
		return nil, ReasonInvalid
	}
	return k, checkKey(k)
}

// checkKey accepts the keys algorithmsOf accepts whose "alg", when
// present, is one of the algorithms the key verifies.
func checkKey(k *jose.JSONWebKey) Reason {
	algs, reason := algorithmsOf(k)
	if reason == "" && k.Algorithm != "" && !slices.Contains(algs, k.Algorithm) {
		return ReasonAlg
	}
	return reason
}

// Fits reports why k cannot verify a token signed with alg, or "" when it
// can: k must be usable (as ParseSet keeps it), published for signatures,
// published for alg when it names one, and of the type and curve alg is
// defined for (no RSA key for ES256). This package is the one home of these
// rules; the token verifier asks it.
func Fits(k *jose.JSONWebKey, alg string) Reason {
	algs, reason := algorithmsOf(k)
	switch {
	case reason != "":
		return reason
	case k.Use != "" && k.Use != "sig":
		return ReasonUse
	case k.Algorithm != "" && k.Algorithm != alg:
		return ReasonAlg
	case !slices.Contains(algs, alg):
		return ReasonKeyType
	}
	return ""
}

// Algorithms by key family (RFC 7518 §3.3–3.5, RFC 8037 §3.1; "Ed25519" is
// RFC 9864's fully specified name for EdDSA over Ed25519).
var (
	rsaAlgorithms     = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	curveAlgorithms   = map[elliptic.Curve][]string{elliptic.P256(): {"ES256"}, elliptic.P384(): {"ES384"}, elliptic.P521(): {"ES512"}}
	ed25519Algorithms = []string{"EdDSA", "Ed25519"}
)

// algorithmsOf returns the signature algorithms k verifies, or why it is
// not usable: RSA of MinRSABits..MaxRSABits with an odd exponent of at
// least 3, ECDSA on P-256/384/521, and Ed25519.
func algorithmsOf(k *jose.JSONWebKey) ([]string, Reason) {
	switch pub := k.Key.(type) {
	case *rsa.PublicKey:
		switch {
		case pub == nil || pub.N == nil:
			return nil, ReasonInvalid
		case pub.N.BitLen() < MinRSABits || pub.N.BitLen() > MaxRSABits:
			return nil, ReasonRSASize
		case pub.E < 3 || pub.E%2 == 0:
			return nil, ReasonRSAExponent
		}
		return rsaAlgorithms, ""
	case *ecdsa.PublicKey:
		if pub == nil {
			return nil, ReasonInvalid
		}
		if algs := curveAlgorithms[pub.Curve]; algs != nil {
			return algs, ""
		}
	case ed25519.PublicKey:
		if len(pub) != ed25519.PublicKeySize {
			return nil, ReasonInvalid
		}
		return ed25519Algorithms, ""
	}
	return nil, ReasonKeyType
}
