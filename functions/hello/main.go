// Command hello is the example backend Lambda function (AWS_PROXY) behind
// the authorizer. It only wires configuration to the internal package.
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/hello"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if _, err := config.HelloFromEnv(os.Getenv); err != nil {
		log.Error("cold start failed", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(hello.New(log).Handle)
}
