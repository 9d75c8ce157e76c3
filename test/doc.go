// Package test holds the Terratest suites of the module. Every test file
// carries a build tag, so plain `go test ./test/...` compiles this package
// without running any of them:
//
//	go test -tags moto ./test/   module tests: examples/cognito applied to moto (module_test.go)
//	go test -tags e2e  ./test/   the whole path (e2e_test.go)
package test
