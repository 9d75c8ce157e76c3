// Command verdictonce is the Go side of the like-for-like cold-start
// harness (no emulator): it starts, reads the authorizer settings from the
// environment like the Lambda does (ISSUER, JWKS_URL, AUDIENCES, CLIENT_IDS,
// REQUIRED_SCOPES, …), loads the keys from the JWKS URL, answers one TOKEN
// event (TOKEN, METHOD_ARN) with this project's authorizer code, prints the
// response as one JSON line, and exits. node/verdict-once.mjs is its peer.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/authorizer"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
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
	ctx := context.Background()
	h, warmed, err := authorizer.FromConfig(ctx, cfg, authorizer.Deps{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	<-warmed
	resp, err := h.Handle(ctx, events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer " + os.Getenv("TOKEN"), MethodArn: os.Getenv("METHOD_ARN"),
	})
	if err != nil {
		return err
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(b, '\n'))
	return err
}
