// Command authorizer is the API Gateway TOKEN authorizer Lambda function.
// It only wires configuration to the internal packages.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/authorizer"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keystore"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	h, err := setup(context.Background(), log)
	if err != nil {
		// One line naming what is wrong; a failed cold start is visible in
		// CloudWatch and fails every request until the setting is fixed.
		log.Error("cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

func setup(ctx context.Context, log *slog.Logger) (*authorizer.Handler, error) {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	opts := keys.Options{
		Issuer:             cfg.Issuer,
		JWKSURL:            cfg.JWKSURL,
		TTL:                cfg.KeysCacheTTL,
		RefetchMinInterval: cfg.RefetchMinInterval,
		FetchTimeout:       cfg.JWKSFetchTimeout,
		Logger:             log,
	}
	if cfg.KeysTableName != "" {
		aws, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, err
		}
		opts.Store = keystore.NewFromConfig(aws, cfg.KeysTableName, keystore.PartitionKey(cfg.KeysSource()))
	}
	provider, err := keys.New(opts)
	if err != nil {
		return nil, err
	}
	// Loading keys at cold start takes the fetch off the first request; if
	// the issuer is down now, Key retries per request, so this is not fatal.
	if err := provider.Warm(ctx); err != nil {
		log.Warn("warm keys", slog.String("error", err.Error()))
	}
	verifier, err := token.NewVerifier(token.Config{
		Issuer:         cfg.Issuer,
		Audiences:      cfg.Audiences,
		ClientIDs:      cfg.ClientIDs,
		TokenUse:       cfg.TokenUse,
		RequiredScopes: cfg.RequiredScopes,
		UserIDClaim:    cfg.UserIDClaim,
		Algorithms:     cfg.AllowedAlgorithms,
		Leeway:         cfg.ClockSkew,
	}, provider)
	if err != nil {
		return nil, err
	}
	builder, err := policy.NewBuilder(cfg.AllowedRoutes)
	if err != nil {
		return nil, err
	}
	return authorizer.New(verifier, builder, log), nil
}
