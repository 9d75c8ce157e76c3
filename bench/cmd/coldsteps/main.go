// Command coldsteps repeats, step by step, what the authorizer's main does
// at a cold start with keys in DynamoDB (functions/authorizer/main.go:
// settings, AWS SDK configuration, key provider, Warm, verifier, policy) and
// then answers one TOKEN event, timing each step from process start. (main
// runs Warm in the background, overlapping lambda.Start's handshake; here it
// runs inline so that the load is timed on its own.) The
// suite runs it as a fresh process many times to split the cold start.
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
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keystore"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
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
	provider, err := keys.New(keys.Options{
		Issuer: cfg.Issuer, JWKSURL: cfg.JWKSURL, TTL: cfg.KeysCacheTTL,
		RefetchMinInterval: cfg.RefetchMinInterval, FetchTimeout: cfg.JWKSFetchTimeout, Logger: log,
		Store: keystore.NewFromConfig(aws, cfg.KeysTableName, keystore.PartitionKey(cfg.KeysSource())),
	})
	if err != nil {
		fail(err)
	}
	mark("key_provider")
	if err := provider.Warm(ctx); err != nil {
		fail(err)
	}
	mark("warm_keys_getitem")
	v, err := token.NewVerifier(token.Config{
		Issuer: cfg.Issuer, Audiences: cfg.Audiences, ClientIDs: cfg.ClientIDs, TokenUse: cfg.TokenUse,
		RequiredScopes: cfg.RequiredScopes, UserIDClaim: cfg.UserIDClaim, Algorithms: cfg.AllowedAlgorithms, Leeway: cfg.ClockSkew,
	}, provider)
	if err != nil {
		fail(err)
	}
	pb, err := policy.NewBuilder(cfg.AllowedRoutes)
	if err != nil {
		fail(err)
	}
	h := authorizer.New(v, pb, log)
	mark("verifier_policy")
	resp, err := h.HandleJSON(ctx, events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer " + os.Getenv("TOKEN"), MethodArn: os.Getenv("METHOD_ARN"),
	})
	if err != nil {
		fail(err)
	}
	if len(resp.Bytes()) == 0 {
		fail(fmt.Errorf("empty response"))
	}
	mark("first_verdict")
	b, _ := json.Marshal(steps)
	fmt.Println(string(b))
}
