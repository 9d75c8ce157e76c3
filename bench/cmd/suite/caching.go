package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// cacheCalls is the number of requests per TTL setting.
const cacheCalls = 100

// caching sends cacheCalls requests of one user with one token through the
// local gateway (test/gateway) in front of the real authorizer and hello
// binaries under the emulator, once with the authorizer result TTL at 300 s
// and once at 0, and counts the authorizer's invocations.
func (s *suite) caching() error {
	c := &s.r.Caching
	*c = Caching{Calls: cacheCalls}
	emu, err := rie.Find()
	if err != nil {
		return err
	}
	bins, is, err := s.bootstrapsAndIssuer("authorizer", "hello")
	if err != nil {
		return err
	}
	authz, hello := bins[0], bins[1]
	env := envMap(s.authorizerEnv(is.direct, false))
	tok := s.r.Fixture.f.RS256.Tokens[0]
	sub, err := subject(tok)
	if err != nil {
		return err
	}
	for _, ttl := range []int{300, 0} {
		// Fresh functions per case, so each count starts at zero.
		af, err := rie.New(rie.Config{Name: "authorizer", Emulator: emu, Bootstrap: authz, Env: env, Timeout: 10 * time.Second, MemoryMB: 256}, 1)
		if err != nil {
			return err
		}
		hf, err := rie.New(rie.Config{Name: "hello", Emulator: emu, Bootstrap: hello, Timeout: 10 * time.Second, MemoryMB: 256}, 1)
		if err != nil {
			af.Close()
			return err
		}
		gw, err := gateway.NewFromModel(apiModel(time.Duration(ttl)*time.Second), map[string]gateway.Invoker{authzARN: af, helloARN: hf}, io.Discard)
		if err != nil {
			af.Close()
			hf.Close()
			return err
		}
		srv := httptest.NewServer(gw)
		ok := 0
		var firstErr error
		for i := 0; i < cacheCalls; i++ {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/prod/hello/"+sub, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				firstErr = err
				break
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ok++
			} else if firstErr == nil {
				firstErr = fmt.Errorf("status %d: %s", resp.StatusCode, trim(string(body), 300))
			}
		}
		srv.Close()
		inv := af.Stats().Invocations
		gwCalls := gw.AuthorizerInvocations()
		gw.Close()
		af.Close()
		hf.Close()
		expected := cacheCalls
		if ttl > 0 {
			expected = 1
		}
		c.Cases = append(c.Cases, CacheCase{TTLSeconds: ttl, Expected: expected, Invocations: inv, Status200: ok})
		logf("caching ttl=%ds: %d authorizer invocations (gateway counted %d), %d/%d answered 200", ttl, inv, gwCalls, ok, cacheCalls)
		if firstErr != nil {
			return fmt.Errorf("ttl %d: %w", ttl, firstErr)
		}
		if inv != int64(expected) {
			return fmt.Errorf("ttl %d: %d authorizer invocations, want %d", ttl, inv, expected)
		}
	}
	c.Measured = true
	c.How = fmt.Sprintf("%d `GET /prod/hello/{sub}` requests with one user's token through `test/gateway` (the local REST API: routing, TOKEN authorizer with its result cache keyed by the token, policy evaluation, AWS_PROXY integration) in front of the real authorizer and hello binaries (cmd/package's x86_64 zips) under `aws-lambda-rie`. The API model is built in the suite as the module deploys it (one resource, `CUSTOM` authorizer on the `Authorization` header) rather than loaded from a Terraform deployment into moto; invocations are counted by the emulator wrapper (`rie.Function.Stats`).", cacheCalls)
	return nil
}

const (
	authzARN = "arn:aws:lambda:us-east-1:123456789012:function:bench-authorizer"
	helloARN = "arn:aws:lambda:us-east-1:123456789012:function:bench-hello"
)

func apiModel(ttl time.Duration) *gateway.API {
	fn := func(arn, name string) *gateway.Function {
		return &gateway.Function{ARN: arn, Name: name, Runtime: "provided.al2023", Architecture: "x86_64", PackageType: "Zip",
			Handler: "bootstrap", Timeout: 10 * time.Second, MemoryMB: 256, Unchecked: true}
	}
	invoke := func(arn string) string {
		return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arn + "/invocations"
	}
	return &gateway.API{
		ID: "a1b2c3d4e5", Name: "bench", Stage: "prod", Region: "us-east-1", Account: "123456789012",
		Resources: []*gateway.Resource{{
			ID: "res1", Path: "/hello/{userId}",
			Methods: map[string]*gateway.Method{"GET": {
				HTTPMethod: "GET", AuthorizationType: "CUSTOM", AuthorizerID: "auth1",
				Integration: &gateway.Integration{Type: "AWS_PROXY", URI: invoke(helloARN), FunctionARN: helloARN, Timeout: 29 * time.Second},
			}},
		}},
		Authorizers: map[string]*gateway.Authorizer{"auth1": {
			ID: "auth1", Name: "jwt", Type: "TOKEN", IdentitySource: "method.request.header.Authorization",
			Header: "Authorization", TTL: ttl, URI: invoke(authzARN), FunctionARN: authzARN,
		}},
		Functions: map[string]*gateway.Function{authzARN: fn(authzARN, "bench-authorizer"), helloARN: fn(helloARN, "bench-hello")},
	}
}

func subject(tok string) (string, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("not a JWS")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var c struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return "", err
	}
	return c.Sub, nil
}
