// Command authorizer is a test TOKEN authorizer whose answer is driven by the
// token: allow-<uid> (Allow GET /hello/<uid>), any-<uid> (Allow every
// route of the stage, with the context keys of the module's authorizer:
// userId <uid>, issuerName test, scope "s1 s2"), deny (explicit Deny of
// everything), unauthorized (error "Unauthorized"), error (another error),
// garbage (not an authorizer response), sleep (past the timeout), exit (crash).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequest) (json.RawMessage, error) {
	// methodArn: arn:aws:execute-api:region:account:api/stage/VERB/path
	arn := ev.MethodArn
	base := arn
	if i := strings.Index(arn, "/"); i >= 0 {
		if j := strings.Index(arn[i+1:], "/"); j >= 0 {
			base = arn[:i+1+j] // …:api/stage
		}
	}
	tok := ev.AuthorizationToken
	switch {
	case strings.HasPrefix(tok, "allow-"):
		uid := strings.TrimPrefix(tok, "allow-")
		return marshal(map[string]any{
			"principalId": "user-" + uid,
			"policyDocument": map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Action": "execute-api:Invoke", "Effect": "Allow",
					"Resource": []string{base + "/GET/hello/" + uid},
				}},
			},
			"context": map[string]any{"uid": uid, "n": 42, "ok": true, "methodArn": arn},
		})
	case strings.HasPrefix(tok, "any-"):
		uid := strings.TrimPrefix(tok, "any-")
		return marshal(map[string]any{
			"principalId": uid,
			"policyDocument": map[string]any{
				"Version": "2012-10-17",
				"Statement": []any{map[string]any{
					"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": base + "/*",
				}},
			},
			"context": map[string]any{"userId": uid, "issuerName": "test", "scope": "s1 s2"},
		})
	case tok == "deny":
		return marshal(map[string]any{
			"principalId": "denied",
			"policyDocument": map[string]any{
				"Version":   "2012-10-17",
				"Statement": map[string]any{"Action": "execute-api:*", "Effect": "Deny", "Resource": "*"},
			},
		})
	case tok == "unauthorized":
		return nil, errors.New("Unauthorized")
	case tok == "error":
		return nil, errors.New("boom")
	case tok == "garbage":
		return marshal("garbage")
	case tok == "sleep":
		time.Sleep(time.Minute)
	case tok == "exit":
		os.Exit(3)
	}
	return nil, errors.New("Unauthorized")
}

func marshal(v any) (json.RawMessage, error) { return json.Marshal(v) }

func main() { lambda.Start(handle) }
