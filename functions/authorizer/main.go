// Command authorizer is the API Gateway TOKEN authorizer Lambda function.
// It only wires configuration to the internal packages.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/authorizer"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/awsenv"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keystore"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

func main() {
	level, levelErr := logLevel(os.Getenv("LOG_LEVEL"))
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
	if levelErr != nil {
		log.Warn("LOG_LEVEL ignored", slog.String("error", levelErr.Error()))
	}
	h, warmed, err := setup(context.Background(), log)
	if err != nil {
		// One line naming what is wrong; a failed cold start is visible in
		// CloudWatch and fails every request until the setting is fixed.
		log.Error("cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	// HandleJSON returns the policy already rendered as JSON, which the
	// runtime sends as it is: the same bytes its encoder wrote for Handle.
	// The first invocation waits for the cold start's key load to end (it
	// would wait for the keys anyway); see setup.
	lambda.Start(func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (*authorizer.Response, error) {
		select {
		case <-warmed:
		case <-ctx.Done():
		}
		return h.HandleJSON(ctx, req)
	})
}

// logLevel reads LOG_LEVEL (debug, info, warn, error; default info). Denies
// log at warn; debug adds one line per allow (see package authorizer).
func logLevel(s string) (slog.Level, error) {
	var l slog.Level
	if s == "" {
		return slog.LevelInfo, nil
	}
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo, err
	}
	return l, nil
}

// setup wires the handler and starts loading the keys. warmed is closed
// when that load has ended, the write-back of an issuer fetch to DynamoDB
// included.
func setup(ctx context.Context, log *slog.Logger) (h *authorizer.Handler, warmed <-chan struct{}, err error) {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return nil, nil, err
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
		// The region and the role's credentials from the Lambda environment;
		// config.LoadDefaultConfig would link SSO, STS and more for nothing.
		aws, err := awsenv.FromEnv(os.Getenv)
		if err != nil {
			return nil, nil, err
		}
		opts.Store = keystore.NewFromConfig(aws, cfg.KeysTableName, keystore.PartitionKey(cfg.KeysSource()))
	}
	provider, err := keys.New(opts)
	if err != nil {
		return nil, nil, err
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
		return nil, nil, err
	}
	builder, err := policy.NewBuilder(cfg.AllowedRoutes)
	if err != nil {
		return nil, nil, err
	}
	// Loading keys at cold start takes the fetch off the first request. It
	// runs while lambda.Start does the runtime handshake; the first
	// invocation waits for warmed (it would wait for the keys anyway), so a
	// write-back of an issuer fetch lands before the environment can be
	// frozen after the first response, and the next cold start finds the
	// item. If the issuer is down now, Key retries per request, so a failure
	// is not fatal.
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := provider.Warm(ctx); err != nil {
			log.Warn("warm keys", slog.String("error", err.Error()))
		}
	}()
	return authorizer.New(verifier, builder, log), done, nil
}
