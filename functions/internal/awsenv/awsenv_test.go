package awsenv

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	creds := map[string]string{EnvRegion: "eu-west-1", EnvAccessKeyID: "AKID", EnvSecretAccessKey: "SECRET"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range creds {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	tests := []struct {
		name     string
		env      map[string]string
		region   string
		token    string
		endpoint string // "" = none
		errVar   string // the variable the error names; "" = no error
	}{
		{name: "lambda", env: with(EnvSessionToken, "TOKEN"), region: "eu-west-1", token: "TOKEN"},
		{name: "no session token", env: creds, region: "eu-west-1"},
		{name: "default region", env: with(EnvRegion, "", EnvDefaultRegion, "us-east-2"), region: "us-east-2"},
		{name: "region wins", env: with(EnvDefaultRegion, "us-east-2"), region: "eu-west-1"},
		{name: "no region", env: with(EnvRegion, ""), errVar: EnvRegion},
		{name: "no key id", env: with(EnvAccessKeyID, ""), errVar: EnvAccessKeyID},
		{name: "no secret", env: with(EnvSecretAccessKey, ""), errVar: EnvSecretAccessKey},
		{name: "global endpoint", env: with(EnvEndpointURL, "http://127.0.0.1:5000"), region: "eu-west-1", endpoint: "http://127.0.0.1:5000"},
		{name: "service endpoint", env: with(EnvEndpointURLDynamoDB, "http://127.0.0.1:6000"), region: "eu-west-1", endpoint: "http://127.0.0.1:6000"},
		{name: "service endpoint wins", env: with(EnvEndpointURL, "http://127.0.0.1:5000", EnvEndpointURLDynamoDB, "http://127.0.0.1:6000"), region: "eu-west-1", endpoint: "http://127.0.0.1:6000"},
		{name: "endpoints ignored", env: with(EnvEndpointURL, "http://127.0.0.1:5000", EnvEndpointURLDynamoDB, "http://127.0.0.1:6000", EnvIgnoreConfiguredEndpoints, "TRUE"), region: "eu-west-1"},
		{name: "endpoints not ignored", env: with(EnvEndpointURL, "http://127.0.0.1:5000", EnvIgnoreConfiguredEndpoints, "false"), region: "eu-west-1", endpoint: "http://127.0.0.1:5000"},
		{name: "bad ignore flag", env: with(EnvIgnoreConfiguredEndpoints, "yes"), errVar: EnvIgnoreConfiguredEndpoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := FromEnv(func(k string) string { return tt.env[k] })
			if tt.errVar != "" {
				if !errors.Is(err, ErrInvalidEnvironment) || !strings.Contains(err.Error(), tt.errVar) {
					t.Fatalf("err = %v, want ErrInvalidEnvironment naming %s", err, tt.errVar)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Region != tt.region {
				t.Errorf("region = %q, want %q", cfg.Region, tt.region)
			}
			got := ""
			if cfg.BaseEndpoint != nil {
				got = *cfg.BaseEndpoint
			}
			if got != tt.endpoint {
				t.Errorf("endpoint = %q, want %q", got, tt.endpoint)
			}
			c, err := cfg.Credentials.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessKeyID != "AKID" || c.SecretAccessKey != "SECRET" || c.SessionToken != tt.token {
				t.Errorf("credentials = %+v", c)
			}
		})
	}
}
