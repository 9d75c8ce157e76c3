// Package authorizer is the API Gateway TOKEN authorizer: event → token →
// claims → policy.
//
// FromConfig builds the Handler from validated settings (one key provider
// per issuer, the verifier, the policy builder) and starts loading the
// keys; it is the one constructor, used by the Lambda function, the
// benchmarks and the test harnesses.
//
// Handle answers with the policy of the routes the token earns, or, when a
// valid token earns none, with an explicit Deny on the API and stage (403,
// cached by the gateway). Every other refusal is the error "Unauthorized"
// (API Gateway turns exactly that string into a 401). The reason, one
// sentinel error of package token, policy or this one, goes to one
// structured log line per denial (level Warn, "deny" with a "reason"),
// which never contains the token. Allowed requests log one line ("allow"
// with userId, issuerName and clientId) at level Debug only. A panic below
// Handle is recovered, logged and answered "Unauthorized".
//
// Metrics (package metrics): each deny line is also an EMF record, one
// Verdicts (Result, Issuer) and one Denials (Reason: the sentinel's stable
// name, reasons.go); allows are counted in memory and flushed at most every
// metrics.FlushInterval at the start of an invocation; FromConfig writes
// ColdStartLoadMs once the cold start's key load ends.
//
// Rejected inputs, each with a golden event under testdata/events (which
// names its reason) or an attack case in attack_test.go:
//
//   - authorizationToken: empty, "Bearer" alone, another scheme, extra
//     words or whitespace, longer than token.MaxTokenBytes (16 KiB);
//   - shape: not three non-empty segments (two parts, JWE-shaped five
//     parts, JSON serialization, unsigned "none" tokens), CR/LF, padding,
//     bytes outside base64url, non-zero unused bits in a segment's last
//     character, invalid UTF-8, a header segment over 2 KiB;
//   - header: duplicate keys (also via escapes), not an object, nesting
//     deeper than 32, alg not in the allow-list (none, HS*, anything not
//     configured), kid missing, empty, over 256 bytes or not a string, any
//     of jwk, jku, x5u, x5c, crit, b64, cty (nested JWT), zip, enc;
//   - issuer: "iss" missing or naming no configured issuer, exactly;
//   - key: unknown kid, key "use" other than "sig", key "alg" different from
//     the token's, key type or curve not fitting the algorithm, RSA keys
//     under 2048 bits, another issuer's key under the same kid;
//   - signature: tampered payload or signature, signed by another key;
//   - payload: invalid JSON, trailing data, duplicate keys (nested ones
//     too), nesting deeper than 32, claims of the wrong type (exp/nbf/iat
//     not numbers, aud not a string or array of strings, iss/jti/
//     client_id/cid/token_use not strings, scope/scp neither a string nor
//     an array of strings, the picked issuer's user-id claim not a string);
//   - claims: exp missing or past (beyond the leeway), nbf or iat in the
//     future (beyond the leeway), no configured audience in aud, client_id
//     or cid missing or not configured (each one present must be),
//     token_use different, a required scope missing;
//   - user id (policy.ValidUserID): missing, not a string, empty, over 128
//     bytes, any byte outside [A-Za-z0-9._~@+=:,-], or "." and "..";
//   - methodArn: a prefix other than arn:<partition>:execute-api:<region>:
//     <12-digit account>:<apiId>/<stage>/, or with wildcards. What follows
//     the stage is not read: the policy does not depend on the path.
package authorizer
