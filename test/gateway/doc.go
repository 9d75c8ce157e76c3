// Package gateway is the local API Gateway of the tests and the demo: it
// serves a REST API exactly as it was deployed into moto, running the real
// Lambda packages under the AWS Lambda Runtime Interface Emulator.
//
// Everything it serves is read back through the AWS SDK from the moto
// endpoint (resources, methods, authorization type, the authorizer's
// settings, integrations, each function's configuration, code hash and
// resource policy); there is no second copy of the configuration. A method
// deployed with authorization NONE is served unauthenticated.
//
// It reproduces the REST API behaviour of Lambda TOKEN authorizers,
// AWS_PROXY integrations and HTTP_PROXY integrations to a loopback backend:
// identity source and validation expression checks,
// the authorizer's IAM policy evaluated against each request's method ARN,
// the result cache keyed by the token, API Gateway's error responses as the
// API's gateway responses reshape them (static headers, message templates),
// MOCK integrations with static answers (CORS preflights), and the proxy
// event and response formats. README.md lists what it reproduces and
// what it does not.
package gateway
