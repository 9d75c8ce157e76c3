// Package hello is the example backend behind the authorizer: an AWS_PROXY
// handler for GET /hello/{userId} that greets the caller the authorizer
// vouched for, and refuses to greet anyone else: another user's path, or a
// user of an issuer it does not serve (ISSUER_NAMES, config.Hello), since two
// issuers may mint the same user id for different people. Behind a route
// without the authorizer (authorization NONE) it answers 401 with
// WWW-Authenticate: Bearer: there is no verified identity to greet. With
// CORS_ALLOW_ORIGIN set its answers carry the CORS headers, which API
// Gateway never adds to a proxy integration's answer.
package hello
