package authorizer

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// TestRejectionsAreIsolated shows that deny cases are otherwise-valid
// tokens: with the one check that catches each disabled (a config change,
// a fixed methodArn, or go-jose on its own without our header and key
// rules), the same golden event passes.
func TestRejectionsAreIsolated(t *testing.T) {
	f := loadFixture(t)
	withCfg := func(edit func(*config.Authorizer)) func(t *testing.T, cfg string, ev events.APIGatewayCustomAuthorizerRequest) {
		return func(t *testing.T, cfg string, ev events.APIGatewayCustomAuthorizerRequest) {
			c := *configs()[cfg]
			c.Issuers = slices.Clone(c.Issuers)
			edit(&c)
			if v := newHandlerWith(t, f, &c, nil, slog.LevelInfo).decide(context.Background(), ev); v.reason != nil {
				t.Fatalf("still rejected with the check disabled: %v", v.reason)
			}
		}
	}
	// verifiedOnly: everything but the user-id safety check passes.
	verifiedOnly := func(t *testing.T, cfg string, ev events.APIGatewayCustomAuthorizerRequest) {
		c := configs()[cfg]
		v, _ := token.New(c, keysOf(f, c), func() time.Time { return testNow })
		raw, _ := token.Extract(ev.AuthorizationToken)
		if _, err := v.Verify(context.Background(), raw); err != nil {
			t.Fatalf("token fails before the user id check: %v", err)
		}
	}
	// goJoseAlone: go-jose with the key the kid names accepts the token, so
	// only our stricter header/key/JSON rules reject it. (Duplicate header
	// keys are absent: go-jose refuses those itself; ours is a second line.)
	goJoseAlone := func(t *testing.T, _ string, ev events.APIGatewayCustomAuthorizerRequest) {
		raw, _ := token.Extract(ev.AuthorizationToken)
		jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
		if err != nil {
			t.Fatalf("go-jose parse: %v", err)
		}
		kid := jws.Signatures[0].Header.KeyID
		if _, err := jws.Verify(f.keys[kid].Key); err != nil {
			t.Fatalf("go-jose verify: %v", err)
		}
	}
	// encodingJSONAccepts: the standard decoder takes the duplicate keys.
	encodingJSONAccepts := func(t *testing.T, cfg string, ev events.APIGatewayCustomAuthorizerRequest) {
		goJoseAlone(t, cfg, ev)
		raw, _ := token.Extract(ev.AuthorizationToken)
		jws, _ := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
		var m map[string]any
		if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &m); err != nil {
			t.Fatalf("encoding/json rejects it too: %v", err)
		}
	}
	goodARN := func(t *testing.T, cfg string, ev events.APIGatewayCustomAuthorizerRequest) {
		ev.MethodArn = defaultARN
		withCfg(func(*config.Authorizer) {})(t, cfg, ev)
	}
	checks := map[string]func(*testing.T, string, events.APIGatewayCustomAuthorizerRequest){
		"cognito_deny_client_id_wrong":       withCfg(func(c *config.Authorizer) { c.Issuers[0].ClientIDs = nil }),
		"cognito_deny_client_id_missing":     withCfg(func(c *config.Authorizer) { c.Issuers[0].ClientIDs = nil }),
		"cognito_deny_token_use_wrong":       withCfg(func(c *config.Authorizer) { c.Issuers[0].TokenUse = "" }),
		"cognito_deny_scope_missing":         withCfg(func(c *config.Authorizer) { c.RequiredScopes = nil }),
		"cognito_deny_scope_prefix_only":     withCfg(func(c *config.Authorizer) { c.RequiredScopes = nil }),
		"cognito_deny_iss_wrong":             withCfg(func(c *config.Authorizer) { c.Issuers[0].Issuer = cognitoIssuer + "/" }),
		"cognito_deny_expired":               withCfg(func(c *config.Authorizer) { c.ClockSkew = 2 * time.Minute }),
		"cognito_deny_nbf_future":            withCfg(func(c *config.Authorizer) { c.ClockSkew = 2 * time.Minute }),
		"cognito_deny_iat_future":            withCfg(func(c *config.Authorizer) { c.ClockSkew = 2 * time.Minute }),
		"cognito_deny_alg_not_allowed_rs384": withCfg(func(c *config.Authorizer) { c.Algorithms = append(c.Algorithms, "RS384") }),
		"okta_deny_aud_wrong":                withCfg(func(c *config.Authorizer) { c.Issuers[0].Audiences = nil }),
		"okta_deny_aud_missing":              withCfg(func(c *config.Authorizer) { c.Issuers[0].Audiences = nil }),
		"okta_deny_cid_wrong":                withCfg(func(c *config.Authorizer) { c.Issuers[0].ClientIDs = nil }),
		"okta_deny_cid_good_client_id_bad":   withCfg(func(c *config.Authorizer) { c.Issuers[0].ClientIDs = nil }),
		"okta_deny_scp_missing_read":         withCfg(func(c *config.Authorizer) { c.RequiredScopes = nil }),
		"multi_deny_no_route_earned": withCfg(func(c *config.Authorizer) {
			c.Routes = append(slices.Clone(c.Routes), config.Route{Route: "GET/me/{userId}", Issuers: []string{"cognito"}})
		}),
		"cognito_deny_methodarn_missing_path":     goodARN,
		"cognito_deny_methodarn_wildcard_account": goodARN,
		"cognito_deny_methodarn_wrong_service":    goodARN,
		"cognito_deny_methodarn_empty":            goodARN,
		"cognito_deny_header_jku":                 goJoseAlone,
		"cognito_deny_header_x5u":                 goJoseAlone,
		"cognito_deny_header_cty_nested_jwt":      goJoseAlone,
		"cognito_deny_key_alg_mismatch":           goJoseAlone,
		"cognito_deny_key_use_enc":                goJoseAlone,
		"cognito_deny_payload_duplicate_sub":      encodingJSONAccepts,
		"cognito_deny_payload_duplicate_exp":      encodingJSONAccepts,
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*_deny_*.json"))
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		if strings.Contains(name, "_deny_userid_") || name == "okta_deny_uid_slash" {
			if name != "cognito_deny_userid_number" && name != "cognito_deny_userid_missing" {
				checks[name] = verifiedOnly
			}
		}
	}
	for name, check := range checks {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "events", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var ev goldenEvent
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatal(err)
			}
			check(t, strings.SplitN(name, "_", 2)[0], ev.APIGatewayCustomAuthorizerRequest)
		})
	}
}
