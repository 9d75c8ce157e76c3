// Package awsenv builds the AWS SDK configuration a Lambda function gets
// from its environment, without the SDK's config package.
//
// config.LoadDefaultConfig resolves shared config files, profiles, SSO, web
// identity, IMDS and more; linking it brings in the SSO, SSO-OIDC, STS and
// sign-in clients and their package initialisation, which a Lambda function
// never uses: the Lambda service always sets the region and the execution
// role's credentials as environment variables. FromEnv reads only those
// (and the SDK's standard endpoint overrides, which the tests use to point
// the client at moto), and fails with an error naming the missing or
// invalid variable. Errors wrap ErrInvalidEnvironment.
package awsenv
