// Command echo is a test AWS_PROXY handler that answers with the event it
// received as the body. The query parameter mode changes the answer: error
// (a function error), garbage (not a proxy response), b64 (a base64 body),
// env (the value of the environment variable named by var), sleep (past the
// timeout).
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	switch ev.QueryStringParameters["mode"] {
	case "error":
		return nil, errors.New("handler failed")
	case "garbage":
		return map[string]any{"hello": "world"}, nil
	case "b64":
		return events.APIGatewayProxyResponse{StatusCode: 201, Body: base64.StdEncoding.EncodeToString([]byte("bin\x00ary")), IsBase64Encoded: true,
			Headers: map[string]string{"Content-Type": "application/octet-stream"}}, nil
	case "env":
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: os.Getenv(ev.QueryStringParameters["var"])}, nil
	case "sleep":
		time.Sleep(time.Minute)
	}
	return events.APIGatewayProxyResponse{
		StatusCode:        200,
		Headers:           map[string]string{"Content-Type": "application/json", "X-Echo": "1"},
		MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}},
		Body:              string(raw),
	}, nil
}

func main() { lambda.Start(handle) }
