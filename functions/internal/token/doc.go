// Package token turns the authorizationToken of an API Gateway TOKEN event
// into verified claims: bearer extraction, JWS verification and claim
// validation, all parsing done by go-jose v4.
//
// Verify reads top to bottom:
//
//  1. extract.go: three non-empty segments in canonical, unpadded base64url
//     (the standard library's strict decoder; go-jose alone would accept
//     other spellings of the last character), valid UTF-8, a header of at
//     most 2 KiB;
//  2. jwt.ParseSigned with the configured allow-list of algorithms
//     (config.Authorizer.Algorithms; none and HS* can never be on it);
//  3. header.go: no member that lets the token choose its own key or change
//     how it is read (jwk, jku, x5u, x5c, crit, b64, zip, cty, enc), a kid;
//  4. claims.go: the payload decoded once with go-jose's JSON, which refuses
//     duplicate keys (nested ones too), trailing data, wrong types and
//     nesting deeper than 32 levels;
//  5. the unverified "iss" picks the issuer (issuers.go) by exact match, or
//     the token is refused (ErrUnknownIssuer) before any key lookup;
//  6. header.go: that issuer's key for the kid, which must fit the token (use,
//     alg, key type and curve, RSA of 2048 bits or more);
//  7. the signature, by go-jose, over the payload the claims came from;
//  8. claims.go: exp present, then ValidateWithLeeway (exp, nbf, iat, aud),
//     client_id/cid (each one present must be allowed), token_use, the
//     required scopes ("scope" or "scp") and the user-id claim, a string.
//
// Every refusal wraps one sentinel error of errors.go.
package token
