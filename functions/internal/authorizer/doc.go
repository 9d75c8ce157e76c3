// Package authorizer is the API Gateway TOKEN authorizer: token → keys →
// verdict → policy → response.
//
// Every rejection, whatever its cause, is the error "Unauthorized" (API
// Gateway turns exactly that string into a 401); the cause goes to one
// structured log line per deny (level Warn, "deny" with a "reason"), which
// never contains the token. Allowed requests log one line ("allow" with
// userId and clientId) at level Debug only: formatting it cost about as much
// as all claim checks together, so the function logs it when LOG_LEVEL=debug
// (default info). A panic anywhere below the handlers is recovered, logged
// and answered the same way.
//
// HandleJSON is what the Lambda function runs: the verdict of Handle, with
// the Allow response rendered straight to JSON (policy.AppendAllowJSON)
// instead of built as a value for the runtime to encode by reflection. It
// returns a *Response, an io.Reader the runtime sends as it is; the bytes
// are those the runtime's encoder wrote for Handle's response (tested
// through aws-lambda-go's own handler wrapper in runtime_test.go). Handle
// stays for tests and callers that want the value.
//
// Rejected inputs (each has a golden event under testdata/events, an attack
// case in attack_test.go, or, for base64 spelling, tests in package token):
//
//   - authorizationToken: empty, "Bearer" alone, another scheme, extra
//     words or whitespace, longer than token.MaxTokenBytes (16 KiB);
//   - shape: not three segments (two parts, JWE-shaped five parts, JSON
//     serialization), empty signature (unsigned "none" tokens), CR/LF,
//     padding, bytes outside base64url, non-zero unused bits in a
//     segment's last character, a header segment over 2 KiB;
//   - header: duplicate keys (also via escapes), not an object, alg not in
//     the allow-list (none, HS*, anything not configured), kid missing or not
//     a string, any of jwk, jku, x5u, x5c, crit, b64, cty (nested JWT), zip,
//     enc;
//   - key: unknown kid, key "use" other than "sig", key "alg" different from
//     the token's, key type or curve not fitting the algorithm (RSA key for
//     ES256, EC key for RS256, P-521 key for ES384), RSA keys under 2048 bits;
//   - signature: tampered payload or signature, signed by another key;
//   - payload: invalid JSON or UTF-8, trailing data, duplicate keys, claims of
//     the wrong type (exp/nbf/iat not numbers, aud not string or array of
//     strings, iss/client_id/cid/token_use/scope not strings, scp not an
//     array of strings);
//   - claims: iss not exactly the issuer, exp missing or past (beyond the
//     leeway), nbf or iat in the future (beyond the leeway), aud without a
//     configured audience, client_id or cid missing or not configured,
//     token_use different, a required scope missing;
//   - user id (policy.ValidUserID): missing, not a string, empty, over 128
//     bytes, any byte outside [A-Za-z0-9._~@+=:,-] ("*", "?", "/",
//     whitespace, control characters, non-ASCII look-alikes such as "∕"),
//     or the dot segments "." and "..";
//   - methodArn: anything but arn:<partition>:execute-api:<region>:
//     <12-digit account>:<apiId>/<stage>/<VERB>/<path>, or with wildcards.
package authorizer
