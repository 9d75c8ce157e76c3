// Command hello is the example backend Lambda function (AWS_PROXY) behind
// the authorizer. It only wires configuration to the internal package.
package main

import (
	"cmp"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/hello"
)

func main() {
	// LOG_LEVEL=debug adds each request's principal (personal data, so
	// never at a higher level); default info.
	var level slog.Level
	levelErr := level.UnmarshalText([]byte(cmp.Or(os.Getenv("LOG_LEVEL"), "info")))
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
	if levelErr != nil {
		log.Warn("LOG_LEVEL ignored", slog.String("error", levelErr.Error()))
	}
	// ISSUER_NAMES: the issuers whose users hello serves (empty: any).
	cfg, err := config.HelloFromEnv(os.Getenv)
	if err != nil {
		log.Error("cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	// CORS_ALLOW_ORIGIN: the browser origin of modules/rest-api's cors input.
	cors, err := hello.CORSFromEnv(os.Getenv)
	if err != nil {
		log.Error("cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(hello.New(log, cfg, cors).Handle)
}
