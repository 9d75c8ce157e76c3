// Package hello is the example backend behind the authorizer: an AWS_PROXY
// handler for GET /hello/{userId} that greets the caller the authorizer
// vouched for, and refuses to greet anyone else. With CORS_ALLOW_ORIGIN set
// its answers carry the CORS headers, which API Gateway never adds to a proxy
// integration's answer.
package hello
