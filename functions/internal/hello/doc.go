// Package hello is the example backend behind the authorizer: an AWS_PROXY
// handler for GET /hello/{userId} that greets the caller the authorizer
// vouched for, and refuses to greet anyone else.
package hello
