// Package module holds the Terratest suites of the module against moto:
// examples/cognito applied, read back through the AWS API, planned clean and
// destroyed (module_test.go), and the IAM least-privilege audits of the
// applied roles and of the plan (iam_test.go, iam_plan_test.go). Every test
// carries the moto build tag, so plain `go test ./test/...` compiles this
// package without running them:
//
//	go test -tags moto -count=1 -timeout 30m -run 'TestModule|TestIAM' -v ./test/module/
package module
