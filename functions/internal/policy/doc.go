// Package policy builds the API Gateway authorizer response from the
// verified identity and the configured routes.
//
// The response depends only on the API (partition, region, account, API id,
// stage) and the identity, never on the requested path, because API Gateway
// caches it per token and applies it to later requests for other paths. It
// allows exactly the routes the token earns: those whose scopes it carries
// all and whose issuers include the token's. {userId} becomes the validated
// user id, other path parameters become "*", and a final "*" stays. A token
// that earns no route gets an explicit Deny on the whole API and stage, so
// the gateway answers 403 and caches that answer like any other.
package policy
