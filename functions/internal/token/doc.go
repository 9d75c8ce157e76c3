// Package token turns the authorizationToken of an API Gateway TOKEN event
// into verified claims: bearer extraction, JWS verification and claim
// validation. go-jose v4 decodes each segment once and parses each JSON part
// once; nothing of ours reads the same bytes again.
//
// Verify reads top to bottom:
//
//  1. compact.go: at most MaxTokenBytes, three non-empty segments in
//     canonical, unpadded base64url, told by their alphabet and last
//     character without decoding them (go-jose's decoder alone would accept
//     other spellings of the same bytes), a header of at most 2 KiB;
//  2. jose.ParseSignedCompact with the configured allow-list of algorithms
//     (config.Authorizer.Algorithms; none and HS* can never be on it): the
//     segments decoded, the header parsed by go-jose's JSON, which refuses
//     duplicate members (nested ones too) and trailing data;
//  3. header.go: valid UTF-8, no member that lets the token choose its own
//     key or change how it is read (jwk, jku, x5u, x5c, crit, b64, zip, cty,
//     enc), at most 32 levels of nesting (depth.go), a kid;
//  4. claims.go: the payload, valid UTF-8, checked by encoding/json and
//     split once into its members (member.go: duplicate members, trailing
//     data and malformed JSON refused, as go-jose's JSON refuses them), nested objects without duplicate keys and at
//     most 32 levels deep (depth.go), then the claims every token is
//     checked on typed: iss, aud, exp, nbf, iat, jti, client_id, cid,
//     token_use, and scope and scp, each a space-delimited string or an
//     array of strings (scope.go);
//  5. the unverified "iss" picks the issuer (issuers.go) by exact match, or
//     the token is refused (ErrUnknownIssuer) before any key lookup;
//  6. that issuer's key for the kid, which must fit the token by jwks.Fits,
//     the one home of the key rules (use, alg, key type and curve, RSA of
//     2048 to 8192 bits with a sane exponent);
//  7. the signature, by go-jose, over the payload the claims came from;
//  8. validate.go: exp present, then ValidateWithLeeway (exp, nbf, iat, aud),
//     client_id/cid (each one present must be allowed), token_use, the
//     required scopes, and the user-id claim of that issuer, read by its
//     configured name and a string. No other issuer's user-id claim is read.
//
// Every refusal wraps one sentinel error of errors.go.
package token
