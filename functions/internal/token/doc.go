// Package token turns the authorizationToken of an API Gateway TOKEN event
// into verified claims: bearer extraction, JWS verification with go-jose v4
// and claim validation.
//
// The verifier is strict on purpose. It accepts only compact JWS tokens whose
// protected header names an allow-listed algorithm and a kid, and rejects the
// header fields that let a token choose its own key or change how it is read
// (jwk, jku, x5u, x5c, crit, b64, cty, zip, enc) as well as duplicate JSON keys
// anywhere in header or payload, where parsers disagree on which one wins.
// Headers over 2 KiB and segments not in canonical unpadded base64url (other
// unused bits in the last character, which go-jose alone would accept) are
// refused too. The key comes only from Keys, by kid, and must agree with the
// token on algorithm, use and key type.
//
// Header and payload are decoded by a small strict JSON reader (json.go)
// instead of encoding/json: it rejects duplicate keys and wrong claim types,
// and it decodes the claims once into a typed struct without reflection.
//
// go-jose is used with care rather than replaced (fastpath.go). All the
// checks above run on every token. A token whose raw header segment go-jose
// has already parsed and verified, with the very same key (by pointer: the
// keys provider returns new ones after a rotation or refetch), skips only
// what go-jose would derive from that header again — its JSON parsed twice,
// the payload re-encoded to rebuild the signing input — and has its
// signature checked with the primitive go-jose uses for the algorithm (RS*:
// rsa.VerifyPKCS1v15, PS*: rsa.VerifyPSS with go-jose's options, ES*: r||s
// with ecdsa.Verify, EdDSA: ed25519.Verify). Any other token takes the full
// go-jose path; only one that passes it is remembered. The differential
// tests and FuzzFastPathMatchesGoJose hold the two paths to the same
// verdict and payload.
package token
