// Package token turns the authorizationToken of an API Gateway TOKEN event
// into verified claims: bearer extraction, JWS verification with go-jose v4
// and claim validation.
//
// The verifier is strict on purpose. It accepts only compact JWS tokens whose
// protected header names an allow-listed algorithm and a kid, and rejects the
// header fields that let a token choose its own key or change how it is read
// (jwk, jku, x5u, x5c, crit, b64, cty, zip, enc) as well as duplicate JSON keys
// anywhere in header or payload, where parsers disagree on which one wins.
// The key comes only from Keys, by kid, and must agree with the token on
// algorithm, use and key type.
//
// Header and payload are decoded by a small strict JSON reader (json.go)
// instead of encoding/json: it rejects duplicate keys and wrong claim types,
// and it decodes the claims once into a typed struct without reflection.
package token
