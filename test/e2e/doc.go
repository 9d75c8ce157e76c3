// Package e2e is the whole path: examples/cognito applied by Terraform, real
// Cognito users and tokens, the real authorizer and hello binaries, API
// Gateway semantics. Its test carries the e2e build tag, so plain
// `go test ./test/...` compiles this package without running it.
//
//	E2E_TARGET=local (default): moto + the local gateway (test/gateway) running
//	  the packages under the Lambda Runtime Interface Emulator (test/rie).
//	E2E_TARGET=aws: the same against real AWS (credentials required; skipped
//	  without them), calling the real invoke URL.
//
//	go test -tags e2e -count=1 -timeout 30m -run TestE2E -v ./test/e2e/
//	E2E_TARGET=aws go test -tags e2e -count=1 -timeout 30m -run TestE2E -v ./test/e2e/
package e2e
