package awsenv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// The variables FromEnv reads. The Lambda service sets the region and
// credential variables; the endpoint ones are the SDK's standard overrides.
const (
	EnvRegion                    = "AWS_REGION"
	EnvDefaultRegion             = "AWS_DEFAULT_REGION"
	EnvAccessKeyID               = "AWS_ACCESS_KEY_ID"
	EnvSecretAccessKey           = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken              = "AWS_SESSION_TOKEN"
	EnvEndpointURL               = "AWS_ENDPOINT_URL"
	EnvEndpointURLDynamoDB       = "AWS_ENDPOINT_URL_DYNAMODB"
	EnvIgnoreConfiguredEndpoints = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
)

// ErrInvalidEnvironment: a variable FromEnv needs is missing or invalid.
var ErrInvalidEnvironment = errors.New("awsenv: invalid environment")

// FromEnv returns the configuration for a client of the DynamoDB service:
//
//   - Region: AWS_REGION, else AWS_DEFAULT_REGION.
//   - Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the optional
//     AWS_SESSION_TOKEN, as static credentials (the Lambda service sets the
//     role's credentials for the lifetime of the execution environment).
//   - BaseEndpoint: AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL, unless
//     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true, as the SDK resolves them.
//
// Everything else (HTTP client, retries) is left to the service client's
// defaults, which are those config.LoadDefaultConfig gives it too.
func FromEnv(getenv func(string) string) (aws.Config, error) {
	region := getenv(EnvRegion)
	if region == "" {
		region = getenv(EnvDefaultRegion)
	}
	if region == "" {
		return aws.Config{}, fmt.Errorf("read AWS region: %w: %s (or %s) is not set", ErrInvalidEnvironment, EnvRegion, EnvDefaultRegion)
	}
	id, secret := getenv(EnvAccessKeyID), getenv(EnvSecretAccessKey)
	for _, v := range [][2]string{{EnvAccessKeyID, id}, {EnvSecretAccessKey, secret}} {
		if v[1] == "" {
			return aws.Config{}, fmt.Errorf("read AWS credentials: %w: %s is not set", ErrInvalidEnvironment, v[0])
		}
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, getenv(EnvSessionToken)),
	}
	ignore := false
	switch v := getenv(EnvIgnoreConfiguredEndpoints); {
	case v == "":
	case strings.EqualFold(v, "true"):
		ignore = true
	case strings.EqualFold(v, "false"):
	default:
		return aws.Config{}, fmt.Errorf("read AWS endpoint: %w: %s = %.64q, want true or false", ErrInvalidEnvironment, EnvIgnoreConfiguredEndpoints, v)
	}
	if !ignore {
		for _, name := range []string{EnvEndpointURLDynamoDB, EnvEndpointURL} {
			if v := getenv(name); v != "" {
				cfg.BaseEndpoint = aws.String(v)
				break
			}
		}
	}
	return cfg, nil
}
