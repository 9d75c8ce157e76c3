// Command verdictonce is the Go side of the like-for-like cold-start
// harness (no emulator): it starts, reads the authorizer settings from the
// environment like the Lambda does (ISSUER, JWKS_URL, AUDIENCES, CLIENT_IDS,
// REQUIRED_SCOPES, …), loads the keys from the JWKS URL, answers one TOKEN
// event (TOKEN, METHOD_ARN) with this project's authorizer code, prints the
// response as one JSON line, and exits. node/verdict-once.mjs is its peer.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/authorizer"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "verdictonce:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	kp, err := keys.New(keys.Options{
		Issuer: cfg.Issuer, JWKSURL: cfg.JWKSURL, TTL: cfg.KeysCacheTTL,
		RefetchMinInterval: cfg.RefetchMinInterval, FetchTimeout: cfg.JWKSFetchTimeout,
	})
	if err != nil {
		return err
	}
	v, err := token.NewVerifier(token.Config{
		Issuer: cfg.Issuer, Audiences: cfg.Audiences, ClientIDs: cfg.ClientIDs, TokenUse: cfg.TokenUse,
		RequiredScopes: cfg.RequiredScopes, UserIDClaim: cfg.UserIDClaim,
		Algorithms: cfg.AllowedAlgorithms, Leeway: cfg.ClockSkew,
	}, kp)
	if err != nil {
		return err
	}
	pb, err := policy.NewBuilder(cfg.AllowedRoutes)
	if err != nil {
		return err
	}
	h := authorizer.New(v, pb, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	resp, err := h.HandleJSON(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer " + os.Getenv("TOKEN"), MethodArn: os.Getenv("METHOD_ARN"),
	})
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(resp.Bytes(), '\n'))
	return err
}
