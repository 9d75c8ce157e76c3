// Package e2e is the whole path: examples/cognito applied by Terraform, real
// Cognito users and tokens, the real authorizer and hello binaries, API
// Gateway semantics. TestE2EMultiIssuer does the same for
// examples/multi-issuer (local only): a loopback Okta-shaped issuer beside
// the pool, scopes and issuers per route, an open route, HTTP_PROXY routes to
// a loopback backend, an unconfigured issuer, and a route added to the map
// and applied (the stage's deployment id changes). Its tests carry the e2e
// build tag, so plain `go test ./test/...` compiles this package without
// running them.
//
//	E2E_TARGET=local (default): moto + the local gateway (test/gateway) running
//	  the packages under the Lambda Runtime Interface Emulator (test/rie).
//	E2E_TARGET=aws: the same against real AWS (credentials required; skipped
//	  without them), calling the real invoke URL.
//
//	go test -tags e2e -count=1 -timeout 30m -run TestE2E -v ./test/e2e/
//	E2E_TARGET=aws go test -tags e2e -count=1 -timeout 30m -run TestE2E -v ./test/e2e/
package e2e
