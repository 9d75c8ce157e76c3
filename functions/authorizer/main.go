// Command authorizer is the API Gateway TOKEN authorizer Lambda function.
// It only wires the settings to authorizer.FromConfig and the runtime.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/authorizer"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
)

func main() {
	level, levelErr := logLevel(os.Getenv("LOG_LEVEL"))
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
	// The EMF metric records that are lines of their own are written
	// whatever LOG_LEVEL says.
	metricsLog := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if levelErr != nil {
		log.Warn("LOG_LEVEL ignored", slog.String("error", levelErr.Error()))
	}
	h, warmed, err := setup(context.Background(), log, metricsLog)
	if err != nil {
		// One line naming what is wrong; a failed cold start is visible in
		// CloudWatch and fails every request until the setting is fixed.
		log.Error("cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	// The first invocation waits for the cold start's key load (it would
	// wait for the keys anyway), so its write-back to DynamoDB lands before
	// the environment can be frozen.
	lambda.Start(func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		select {
		case <-warmed:
		case <-ctx.Done():
		}
		return h.Handle(ctx, req)
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

// setup reads the settings and builds the handler; warmed is closed when
// the cold start's key load has ended.
func setup(ctx context.Context, log, metricsLog *slog.Logger) (*authorizer.Handler, <-chan struct{}, error) {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return nil, nil, err
	}
	return authorizer.FromConfig(ctx, cfg, authorizer.Deps{Logger: log, MetricsLogger: metricsLog})
}
