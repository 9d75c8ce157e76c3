// Command coldsteps repeats, step by step, what the authorizer's main does
// at a cold start with keys in DynamoDB (functions/authorizer/main.go:
// settings, then authorizer.FromConfig, here with the AWS SDK configuration
// made beforehand so that it is timed on its own) and then answers one
// TOKEN event, timing each step from process start: settings, sdk_config,
// setup (FromConfig: key providers, verifier, policy; the key load starts
// in the background), warm_keys_getitem (waiting for that load, as the
// first invocation does), first_verdict. The suite runs it as a fresh
// process many times to split the cold start.
// Output: one JSON object {"step": ms since the previous step, …}.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/authorizer"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/awsenv"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
)

func main() {
	steps := map[string]float64{}
	last := time.Now()
	mark := func(name string) {
		now := time.Now()
		steps[name] = float64(now.Sub(last).Microseconds()) / 1000
		last = now
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "coldsteps:", err)
		os.Exit(1)
	}
	ctx := context.Background()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		fail(err)
	}
	mark("settings")
	aws, err := awsenv.FromEnv(os.Getenv)
	if err != nil {
		fail(err)
	}
	mark("sdk_config")
	h, warmed, err := authorizer.FromConfig(ctx, cfg, authorizer.Deps{Logger: log, AWS: &aws})
	if err != nil {
		fail(err)
	}
	mark("setup")
	<-warmed
	mark("warm_keys_getitem")
	resp, err := h.Handle(ctx, events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer " + os.Getenv("TOKEN"), MethodArn: os.Getenv("METHOD_ARN"),
	})
	if err != nil {
		fail(err)
	}
	// The runtime's encoding of the response is part of the first verdict.
	if b, err := json.Marshal(resp); err != nil || len(b) == 0 {
		fail(fmt.Errorf("encode response: %v", err))
	}
	mark("first_verdict")
	b, _ := json.Marshal(steps)
	fmt.Println(string(b))
}
