// Package policy builds the API Gateway authorizer response: it parses the
// incoming methodArn, checks that the user id is safe to embed in an
// execute-api resource ARN, and emits one Allow statement over the configured
// route templates.
//
// The policy depends only on the API (partition, region, account, API id,
// stage) and the user — never on the path that was requested — because API
// Gateway caches the policy per token and applies it to later requests for
// other paths.
//
// Allow returns the response as a value; AppendAllowJSON writes the same
// response directly as the JSON the Lambda runtime would have produced for
// it, which is what the function sends (json.go).
package policy
