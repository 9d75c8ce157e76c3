// Package module holds the Terratest suites of the module against moto. Each
// example is applied, converged with a second apply (moto drops the
// authorizer's identity_validation_expression on create), read back through
// the AWS API, planned clean and destroyed, and moto is then checked to hold
// nothing of it:
//
//   - stack_test.go: that lifecycle, one for every test (fixture,
//     exampleStack, apply, destroy);
//   - module_test.go: examples/cognito, the whole stack;
//   - existing_api_test.go: examples/existing-api, modules/authorizer on a
//     caller's own REST API;
//   - okta_test.go: examples/okta against a loopback Okta-shaped issuer, the
//     deployed package run under the RIE with the environment moto holds;
//   - multi_tenant_test.go: examples/multi-tenant, groups, a tenant bound to
//     {tenantId} and forwarded claims as the authorizer and the integrations
//     hold them;
//   - consumer_test.go: the module from a git source without packages (the
//     plan names the build command), then packages built with
//     `go run <module>/cmd/package@<version>` from a file:// module proxy;
//   - iam_test.go, iam_plan_test.go: the least-privilege audits of the
//     applied roles and of the plans (every role, statement and Lambda
//     permission).
//
// Every test carries the moto build tag, so plain `go test ./test/...`
// compiles this package without running them:
//
//	go test -tags moto -count=1 -timeout 30m -run 'TestModule|TestIAM' -v ./test/module/
package module
