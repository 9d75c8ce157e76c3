package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/metrics"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/emftest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// goldenCase mints one TOKEN event. Every deny case is a valid token of its
// config with exactly one defect, so removing the check that catches the
// defect would let it through (where the defect does not also break the
// signature, which is the point of some cases).
type goldenCase struct {
	name   string                  // file: testdata/events/<cfg>_<allow|deny>_<name>.json
	cfg    string                  // a key of configs()
	reason error                   // nil: allowed; else the sentinel the denial wraps
	auth   func(f *fixture) string // the authorizationToken
	arn    string                  // methodArn; default defaultARN
}

func bearer(s string) string { return "Bearer " + s }

func goldenCases() []goldenCase {
	hdr := func(alg, kid string) []byte {
		b, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"})
		return b
	}
	cog := func(f *fixture) string { return f.rsa.Mint(nil, cognitoClaims()) }
	okta := func(f *fixture) string { return f.rsa.Mint(nil, oktaClaims()) }
	n := testNow.Unix()
	c := func(name string, reason error, auth func(f *fixture) string) goldenCase {
		return goldenCase{name: name, cfg: "cognito", reason: reason, auth: auth}
	}
	o := func(name string, reason error, auth func(f *fixture) string) goldenCase {
		return goldenCase{name: name, cfg: "okta", reason: reason, auth: auth}
	}
	m := func(name string, reason error, auth func(f *fixture) string) goldenCase {
		return goldenCase{name: name, cfg: "multi", reason: reason, auth: auth}
	}
	rsa1 := func(f *fixture) *jwttest.Key { return f.rsa }
	rsa2 := func(f *fixture) *jwttest.Key { return f.rsa2 }
	multiClaims := func(key func(*fixture) *jwttest.Key, claims func() map[string]any, kv ...any) func(f *fixture) string {
		return func(f *fixture) string {
			return bearer(key(f).Mint(jwttest.Header{"kid": "rsa-1"}, jwttest.With(claims(), kv...)))
		}
	}
	cogWith := func(kv ...any) func(f *fixture) string {
		return func(f *fixture) string { return bearer(f.rsa.Mint(nil, jwttest.With(cognitoClaims(), kv...))) }
	}
	oktaWith := func(kv ...any) func(f *fixture) string {
		return func(f *fixture) string { return bearer(f.rsa.Mint(nil, jwttest.With(oktaClaims(), kv...))) }
	}
	// Issue 20: groups, a tenant-bound path, forwarded claims.
	saasARN := "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/tenants/t-1/orders"
	s := func(name string, reason error, kv ...any) goldenCase {
		return goldenCase{name: name, cfg: "saas", reason: reason, arn: saasARN, auth: func(f *fixture) string {
			claims := jwttest.With(cognitoClaims(), "custom:tenant_id", "t-1", "email", "a@example.com", "email_verified", true)
			return bearer(f.rsa.Mint(nil, jwttest.With(claims, kv...)))
		}}
	}
	k := func(name string, reason error, kv ...any) goldenCase {
		return goldenCase{name: name, cfg: "keycloak", reason: reason, auth: cogWith(kv...),
			arn: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/admin/reports"}
	}
	return []goldenCase{
		// Accepted.
		c("rs256_bearer", nil, func(f *fixture) string { return bearer(cog(f)) }),
		c("bare_jwt", nil, cog),
		c("scheme_lowercase", nil, func(f *fixture) string { return "bearer " + cog(f) }),
		c("scheme_uppercase", nil, func(f *fixture) string { return "BEARER " + cog(f) }),
		c("ps256", nil, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"alg": "PS256", "kid": "rsa-ps"}, cognitoClaims()))
		}),
		c("es256", nil, func(f *fixture) string { return bearer(f.ec.Mint(nil, cognitoClaims())) }),
		c("eddsa", nil, func(f *fixture) string { return bearer(f.ed.Mint(nil, cognitoClaims())) }),
		c("key_without_alg_use", nil, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": "rsa-bare"}, cognitoClaims()))
		}),
		c("scope_array", nil, cogWith("scope", []string{"read", "write"})),
		o("scp_string", nil, oktaWith("scp", "read openid")), // Entra ID sends scp so
		c("exp_within_leeway", nil, cogWith("exp", n-59)),
		c("nbf_within_leeway", nil, cogWith("nbf", n+59)),
		c("fractional_dates", nil, cogWith("exp", float64(n)+3600.5, "iat", float64(n)-0.25)),
		c("other_path_same_policy", nil, func(f *fixture) string { return bearer(cog(f)) }),
		o("rs256", nil, func(f *fixture) string { return bearer(okta(f)) }),
		o("aud_string", nil, oktaWith("aud", "api://default")),
		o("aud_array_second", nil, oktaWith("aud", []string{"api://other", "api://default"})),
		o("userid_email_like", nil, oktaWith("uid", "first.last+tag@example.com")),

		// Rejected: algorithm and header.
		c("alg_none", token.ErrMalformed, func(f *fixture) string {
			return bearer(jwttest.Unsigned([]byte(`{"alg":"none","kid":"rsa-1","typ":"JWT"}`), mustJSON(cognitoClaims())))
		}),
		c("alg_none_signed", token.ErrAlgorithm, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", []byte(`{"alg":"none","kid":"rsa-1"}`), mustJSON(cognitoClaims())))
		}),
		c("hs256_rsa_public_key", token.ErrAlgorithm, func(f *fixture) string {
			return bearer(jwttest.SignHMAC("HS256", pubPEMBytes(f.rsa), hdr("HS256", "rsa-1"), mustJSON(cognitoClaims())))
		}),
		c("alg_not_allowed_rs384", token.ErrAlgorithm, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"alg": "RS384", "kid": "rsa-bare"}, cognitoClaims()))
		}),
		c("kid_missing", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": nil}, cognitoClaims()))
		}),
		c("kid_unknown", token.ErrKey, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": "rsa-9"}, cognitoClaims()))
		}),
		c("kid_wrong", token.ErrSignature, func(f *fixture) string {
			return bearer(f.rsa2.Mint(jwttest.Header{"kid": "rsa-1"}, cognitoClaims()))
		}),
		c("kid_not_string", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", []byte(`{"alg":"RS256","kid":1}`), mustJSON(cognitoClaims())))
		}),
		c("header_jwk", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"jwk": f.keys["rsa-1"]}, cognitoClaims()))
		}),
		c("header_jku", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"jku": "https://attacker.example/jwks.json"}, cognitoClaims()))
		}),
		c("header_x5u", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"x5u": "https://attacker.example/cert.pem"}, cognitoClaims()))
		}),
		c("header_x5c", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"x5c": []string{"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"}}, cognitoClaims()))
		}),
		c("header_crit_unknown", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"crit": []string{"urn:example:ext"}, "urn:example:ext": true}, cognitoClaims()))
		}),
		c("header_b64_false", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"crit": []string{"b64"}, "b64": false}, cognitoClaims()))
		}),
		c("header_cty_nested_jwt", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"cty": "JWT"}, cognitoClaims()))
		}),
		c("header_duplicate_kid", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"rsa-9","kid":"rsa-1"}`), mustJSON(cognitoClaims())))
		}),
		c("header_duplicate_escaped", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"rsa-1","\u006bid":"rsa-1"}`), mustJSON(cognitoClaims())))
		}),
		c("header_not_object", token.ErrHeader, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", []byte(`["RS256"]`), mustJSON(cognitoClaims())))
		}),

		// Rejected: key agreement.
		c("key_alg_mismatch", token.ErrKey, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": "rsa-384"}, cognitoClaims()))
		}),
		c("key_use_enc", token.ErrKey, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": "rsa-enc"}, cognitoClaims()))
		}),
		c("rsa_key_for_es256", token.ErrKey, func(f *fixture) string {
			return bearer(f.ec.Mint(jwttest.Header{"kid": "rsa-bare"}, cognitoClaims()))
		}),
		c("ec_key_for_rs256", token.ErrKey, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": "ec-bare"}, cognitoClaims()))
		}),

		// Rejected: structure and encoding.
		c("two_parts", token.ErrMalformed, func(f *fixture) string {
			p := jwttest.Parts(cog(f))
			return bearer(p[0] + "." + p[1])
		}),
		c("five_parts_jwe_shape", token.ErrMalformed, func(f *fixture) string {
			p := jwttest.Parts(cog(f))
			return bearer(p[0] + ".." + p[1] + "." + p[2] + ".AAAA")
		}),
		c("bad_base64_padding", token.ErrMalformed, func(f *fixture) string {
			p := jwttest.Parts(cog(f))
			return bearer(p[0] + "." + p[1] + "=." + p[2])
		}),
		c("bad_base64_std_alphabet", token.ErrMalformed, func(f *fixture) string {
			return bearer(strings.NewReplacer("-", "+", "_", "/").Replace(cog(f)))
		}),
		c("empty_signature", token.ErrMalformed, func(f *fixture) string {
			p := jwttest.Parts(cog(f))
			return bearer(p[0] + "." + p[1] + ".")
		}),
		c("tampered_payload", token.ErrSignature, func(f *fixture) string {
			tok := cog(f)
			return bearer(replaceSegment(tok, 1, jwttest.Encode(mustJSON(jwttest.With(cognitoClaims(), "sub", "admin")))))
		}),
		c("tampered_signature", token.ErrSignature, func(f *fixture) string {
			tok := cog(f)
			return bearer(flip(tok, len(tok)-10))
		}),
		c("empty", token.ErrMissing, func(*fixture) string { return "" }),
		c("bearer_only", token.ErrMissing, func(*fixture) string { return "Bearer " }),
		c("other_scheme", token.ErrMalformed, func(f *fixture) string { return "Basic " + cog(f) }),
		c("whitespace_inside", token.ErrMalformed, func(f *fixture) string {
			p := jwttest.Parts(cog(f))
			return bearer(p[0] + ". " + p[1] + "." + p[2])
		}),
		c("payload_not_json", token.ErrClaims, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", hdr("RS256", "rsa-1"), []byte(`not json`)))
		}),
		c("payload_trailing_data", token.ErrClaims, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", hdr("RS256", "rsa-1"), append(mustJSON(cognitoClaims()), []byte(`{}`)...)))
		}),
		c("payload_duplicate_sub", token.ErrClaims, func(f *fixture) string {
			return bearer(f.rsa.Mint(nil, rawClaims(cognitoClaims(), func(s string) string {
				return `{"sub":"admin",` + s[1:]
			})))
		}),
		c("payload_duplicate_exp", token.ErrClaims, func(f *fixture) string {
			return bearer(f.rsa.Mint(nil, rawClaims(cognitoClaims(), func(s string) string {
				return strings.Replace(s, `"exp":`, `"exp":1,"exp":`, 1)
			})))
		}),
		c("payload_invalid_utf8", token.ErrMalformed, func(f *fixture) string {
			return bearer(f.rsa.Mint(nil, rawClaims(cognitoClaims(), func(s string) string {
				return strings.Replace(s, `"users"`, "\"us\xffers\"", 1)
			})))
		}),

		// Rejected: claims.
		c("expired", token.ErrExpired, cogWith("exp", n-61)),
		c("exp_missing", token.ErrClaims, cogWith("exp", nil)),
		c("exp_string", token.ErrClaims, cogWith("exp", "1767229200")),
		c("nbf_future", token.ErrNotYetValid, cogWith("nbf", n+61)),
		c("iat_future", token.ErrNotYetValid, cogWith("iat", n+61)),
		c("iss_wrong", token.ErrUnknownIssuer, cogWith("iss", cognitoIssuer+"/")),
		c("iss_missing", token.ErrUnknownIssuer, cogWith("iss", nil)),
		c("iss_not_string", token.ErrClaims, cogWith("iss", []string{cognitoIssuer})),
		c("scope_missing", token.ErrScope, cogWith("scope", "write")),
		c("scope_prefix_only", token.ErrScope, cogWith("scope", "reader write")),
		c("client_id_wrong", token.ErrClientID, cogWith("client_id", "client-2")),
		c("client_id_missing", token.ErrClientID, cogWith("client_id", nil)),
		c("token_use_wrong", token.ErrTokenUse, cogWith("token_use", "id")),
		c("userid_star", policy.ErrUserID, cogWith("sub", "user-*")),
		c("userid_slash", policy.ErrUserID, cogWith("sub", "user/1")),
		c("userid_question", policy.ErrUserID, cogWith("sub", "user?1")),
		c("userid_space", policy.ErrUserID, cogWith("sub", "user 1")),
		c("userid_empty", policy.ErrUserID, cogWith("sub", "")),
		c("userid_129_bytes", policy.ErrUserID, cogWith("sub", strings.Repeat("u", 129))),
		c("userid_lookalike_slash", policy.ErrUserID, cogWith("sub", "user\u22151")),
		c("userid_control", policy.ErrUserID, cogWith("sub", "user\n1")),
		c("userid_number", token.ErrUserIDClaim, cogWith("sub", 12345)),
		c("userid_missing", token.ErrUserIDClaim, cogWith("sub", nil)),
		o("aud_wrong", token.ErrAudience, oktaWith("aud", "api://other")),
		o("aud_object", token.ErrClaims, oktaWith("aud", map[string]any{"0": "api://default"})),
		o("aud_missing", token.ErrAudience, oktaWith("aud", nil)),
		o("cid_wrong", token.ErrClientID, oktaWith("cid", "0oa-other")),
		o("cid_good_client_id_bad", token.ErrClientID, oktaWith("client_id", "0oa-other")),
		o("scp_missing_read", token.ErrScope, oktaWith("scp", []string{"openid"})),
		o("scp_number", token.ErrClaims, oktaWith("scp", 1)),
		o("scp_array_of_numbers", token.ErrClaims, oktaWith("scp", []int{1})),
		o("uid_slash", policy.ErrUserID, oktaWith("uid", "00u/abc")),

		// Rejected: methodArn (valid token).
		{name: "methodarn_missing_path", cfg: "cognito", reason: policy.ErrMethodARN, auth: func(f *fixture) string { return bearer(cog(f)) },
			arn: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod"},
		{name: "methodarn_wildcard_account", cfg: "cognito", reason: policy.ErrMethodARN, auth: func(f *fixture) string { return bearer(cog(f)) },
			arn: "arn:aws:execute-api:us-east-1:*:abcdef1234/prod/GET/hello/user-1"},
		{name: "methodarn_wrong_service", cfg: "cognito", reason: policy.ErrMethodARN, auth: func(f *fixture) string { return bearer(cog(f)) },
			arn: "arn:aws:lambda:us-east-1:123456789012:abcdef1234/prod/GET/hello/user-1"},
		{name: "methodarn_empty", cfg: "cognito", reason: policy.ErrMethodARN, auth: func(f *fixture) string { return bearer(cog(f)) }, arn: ""},

		// Issue 10: the policy does not depend on the requested path, so a
		// path with odd bytes gets the caller's normal policy (the gateway
		// answers 403 where it does not allow).
		{name: "path_with_space_and_non_ascii", cfg: "cognito", auth: func(f *fixture) string { return bearer(cog(f)) },
			arn: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/us er-\u00e9"},

		// Rejected: other spellings of the same bytes (non-zero unused bits
		// in a segment's last character), which go-jose alone accepts.
		c("noncanonical_header", token.ErrMalformed, func(f *fixture) string { return bearer(respell(cog(f), 0)) }),
		c("noncanonical_payload", token.ErrMalformed, func(f *fixture) string {
			// A payload whose encoding ends with unused bits.
			claims := cognitoClaims()
			for pad := ""; ; pad += "x" {
				tok := f.rsa.Mint(nil, jwttest.With(claims, "pad", pad))
				if len(jwttest.Parts(tok)[1])%4 != 0 {
					return bearer(respell(tok, 1))
				}
			}
		}),
		c("noncanonical_signature", token.ErrMalformed, func(f *fixture) string { return bearer(respell(cog(f), 2)) }),

		// Two issuers sharing the kid "rsa-1" with different keys (Cognito:
		// rsa-1, Okta: rsa-2), routes with scopes and issuers (configs).
		m("cognito_hello_and_items", nil, multiClaims(rsa1, cognitoClaims, "scope", "read hello write")),
		m("okta_hello_only", nil, multiClaims(rsa2, oktaClaims, "scp", []string{"read", "hello", "write"})),
		m("open_route_orders", nil, multiClaims(rsa1, cognitoClaims, "scope", "read orders.read")),
		m("no_route_earned", policy.ErrNoRoute, multiClaims(rsa1, cognitoClaims, "scope", "read")),
		m("unknown_issuer", token.ErrUnknownIssuer, multiClaims(rsa1, cognitoClaims, "iss", "https://evil.example")),
		m("okta_key_cognito_iss", token.ErrSignature, multiClaims(rsa2, cognitoClaims, "scope", "read hello")),
		m("cognito_key_okta_iss", token.ErrSignature, multiClaims(rsa1, oktaClaims, "scp", []string{"read", "hello"})),
		m("required_scope_missing", token.ErrScope, multiClaims(rsa1, cognitoClaims, "scope", "hello")),

		// Groups, tenants and forwarded claims (issue 20).
		s("member_own_tenant", nil),
		s("admin_own_tenant", nil, "cognito:groups", []string{"users", "admins"}),
		s("admin_groups_string", nil, "cognito:groups", "users admins"),
		s("groups_missing_tenant_only", nil, "cognito:groups", nil),
		s("groups_empty_string", nil, "cognito:groups", ""),
		s("context_object_left_out", nil, "email", map[string]any{"primary": "a@example.com"}),
		s("context_too_long_left_out", nil, "email", strings.Repeat("a", token.MaxContextValueBytes)+"@example.com"),
		s("tenant_missing", policy.ErrNoRoute, "custom:tenant_id", nil),
		s("groups_number", token.ErrGroupsClaim, "cognito:groups", 1),
		s("groups_array_of_numbers", token.ErrGroupsClaim, "cognito:groups", []int{1}),
		s("groups_object", token.ErrGroupsClaim, "cognito:groups", map[string]any{"admins": true}),
		s("tenant_number", token.ErrPathClaim, "custom:tenant_id", 7),
		s("tenant_star", policy.ErrPathValue, "custom:tenant_id", "*"),
		s("tenant_slash", policy.ErrPathValue, "custom:tenant_id", "t-1/orders/x"),
		s("tenant_empty", policy.ErrPathValue, "custom:tenant_id", ""),
		k("nested_role", nil, "realm_access", map[string]any{"roles": []string{"auditor"}}),
		k("nested_missing", policy.ErrNoRoute, "realm_access", map[string]any{"other": []string{"admin"}}),
		k("nested_parent_missing", policy.ErrNoRoute),
		k("dotted_name_not_nested", policy.ErrNoRoute, "realm_access.roles", []string{"admin"}),
		k("nested_empty_string", policy.ErrNoRoute, "realm_access", map[string]any{"roles": ""}),
		k("nested_parent_string", token.ErrGroupsClaim, "realm_access", "admin"),
		k("nested_wrong_type", token.ErrGroupsClaim, "realm_access", map[string]any{"roles": true}),
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// respell spells segment seg of tok with its last character's unused bits
// set: other text, the same bytes under a lenient base64url decoder.
func respell(tok string, seg int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	p := strings.Split(tok, ".")
	s := p[seg]
	if len(s)%4 == 0 {
		panic("segment has no unused bits")
	}
	p[seg] = s[:len(s)-1] + string(alphabet[strings.IndexByte(alphabet, s[len(s)-1])|1])
	return strings.Join(p, ".")
}

func (g goldenCase) file() string {
	verdict := "deny"
	if g.reason == nil {
		verdict = "allow"
	}
	return g.cfg + "_" + verdict + "_" + g.name + ".json"
}

// reasons names the sentinels a golden event may expect.
var reasons = func() map[string]error {
	m := map[string]error{}
	for _, e := range []struct {
		pkg  string
		errs map[string]error
	}{
		{"token", map[string]error{"ErrMissing": token.ErrMissing, "ErrMalformed": token.ErrMalformed,
			"ErrHeader": token.ErrHeader, "ErrAlgorithm": token.ErrAlgorithm, "ErrKey": token.ErrKey,
			"ErrSignature": token.ErrSignature, "ErrClaims": token.ErrClaims, "ErrExpired": token.ErrExpired,
			"ErrNotYetValid": token.ErrNotYetValid, "ErrUnknownIssuer": token.ErrUnknownIssuer,
			"ErrAudience": token.ErrAudience, "ErrClientID": token.ErrClientID, "ErrTokenUse": token.ErrTokenUse,
			"ErrScope": token.ErrScope, "ErrUserIDClaim": token.ErrUserIDClaim,
			"ErrGroupsClaim": token.ErrGroupsClaim, "ErrPathClaim": token.ErrPathClaim}},
		{"policy", map[string]error{"ErrMethodARN": policy.ErrMethodARN, "ErrUserID": policy.ErrUserID,
			"ErrNoRoute": policy.ErrNoRoute, "ErrPathValue": policy.ErrPathValue}},
		{"authorizer", map[string]error{"ErrEventType": ErrEventType}},
	} {
		for name, err := range e.errs {
			m[e.pkg+"."+name] = err
		}
	}
	return m
}()

// reasonName is the name reasons holds err under.
func reasonName(err error) string {
	for name, e := range reasons {
		if e == err {
			return name
		}
	}
	panic(fmt.Sprintf("no name for %v", err))
}

// goldenEvent is a testdata/events file: the TOKEN event and, for a denial,
// the name of the sentinel error it must wrap.
type goldenEvent struct {
	events.APIGatewayCustomAuthorizerRequest
	Reason string `json:"reason,omitempty"`
}

// goldenEventFiles lists the golden events, testdata/events/*.json.
func goldenEventFiles() ([]string, error) {
	return filepath.Glob(filepath.Join("testdata", "events", "*.json"))
}

// readGoldenEvent reads one golden event file.
func readGoldenEvent(t testing.TB, file string) goldenEvent {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	var ev goldenEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return ev
}

// TestGolden replays every testdata/events file; with -update it first
// re-mints them (and the responses) from goldenCases. A denial must wrap the
// file's reason (errors.Is) and reach the caller as exactly "Unauthorized",
// except policy.ErrNoRoute, the valid token that earns no route: its explicit Deny
// (403) is a response like an Allow, compared with testdata/policies.
func TestGolden(t *testing.T) {
	f := loadFixture(t)
	if *update {
		writeGolden(t, f)
	}
	files, err := goldenEventFiles()
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden events (run go test -update): %v", err)
	}
	want := map[string]goldenCase{}
	for _, g := range goldenCases() {
		want[filepath.Join("testdata", "events", g.file())] = g
	}
	for _, file := range files {
		if _, ok := want[file]; !ok {
			t.Errorf("%s has no case in goldenCases (stale; run -update)", file)
		}
	}
	var logs bytes.Buffer
	handlers := map[string]*Handler{}
	for name := range configs() {
		handlers[name] = newTestHandler(t, f, name, &logs)
	}
	for file, g := range want {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			ev := readGoldenEvent(t, file)
			wantReason := reasons[ev.Reason]
			if (ev.Reason == "") != (g.reason == nil) || ev.Reason != "" && wantReason != g.reason {
				t.Fatalf("file reason %q, case reason %v (run -update)", ev.Reason, g.reason)
			}
			h := handlers[g.cfg]
			logs.Reset()
			v := h.decide(context.Background(), ev.APIGatewayCustomAuthorizerRequest)
			checkOneLogLine(t, &logs, ev.AuthorizationToken, g.reason)
			if !errors.Is(v.reason, wantReason) || (v.reason == nil) != (wantReason == nil) {
				t.Fatalf("reason = %v, want %v", v.reason, wantReason)
			}
			resp, err := h.Handle(context.Background(), ev.APIGatewayCustomAuthorizerRequest)
			if g.reason != nil && g.reason != policy.ErrNoRoute {
				if err == nil || err.Error() != "Unauthorized" || resp.PrincipalID != "" {
					t.Fatalf("caller sees %+v, %v; want only Unauthorized", resp, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(resp)
			policy, err := os.ReadFile(filepath.Join("testdata", "policies", filepath.Base(file)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, compactJSON(t, policy)) {
				t.Fatalf("response:\n got %s\nwant %s", got, compactJSON(t, policy))
			}
		})
	}
}

// checkOneLogLine asserts exactly one JSON log line with the verdict, and
// that no part of the token leaks into it.
// checkOneLogLine checks the one line of a verdict: "allow" when reason is
// nil, else "deny", an EMF record whose Reason is the sentinel's stable name
// and whose Result is deny for policy.ErrNoRoute, unauthorized otherwise;
// never the token.
func checkOneLogLine(t *testing.T, logs *bytes.Buffer, auth string, reason error) {
	t.Helper()
	allow := reason == nil
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one log line, got %d: %s", len(lines), logs.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("log line is not JSON: %v", err)
	}
	want := "deny"
	if allow {
		want = "allow"
	}
	if rec["msg"] != want {
		t.Fatalf("log msg = %v, want %s", rec["msg"], want)
	}
	if !allow && rec["reason"] == "" {
		t.Fatal("deny without reason")
	}
	if !allow {
		emf, err := emftest.Parse([]byte(lines[0]))
		if err != nil || emf == nil {
			t.Fatalf("deny line is not an EMF record (%v): %s", err, lines[0])
		}
		name, _ := reasonOf(reason)
		result := "unauthorized"
		if reason == policy.ErrNoRoute {
			result = "deny"
		}
		if emf.Members["Reason"] != name || emf.Members["Result"] != result || name == metrics.Other {
			t.Fatalf("deny line: Reason %v, Result %v; want %s, %s", emf.Members["Reason"], emf.Members["Result"], name, result)
		}
	}
	for _, seg := range strings.Split(strings.TrimPrefix(auth, "Bearer "), ".") {
		if len(seg) >= 16 && strings.Contains(lines[0], seg) {
			t.Fatalf("log line contains the token")
		}
	}
}

func writeGolden(t *testing.T, f *fixture) {
	for _, dir := range []string{"events", "policies"} {
		old, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		for _, p := range old {
			os.Remove(p)
		}
		if err := os.MkdirAll(filepath.Join("testdata", dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range goldenCases() {
		arn := g.arn
		if arn == "" && g.name != "methodarn_empty" {
			arn = defaultARN
		}
		if g.name == "other_path_same_policy" {
			arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/someone-else"
		}
		ev := goldenEvent{APIGatewayCustomAuthorizerRequest: events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: g.auth(f), MethodArn: arn}}
		if g.reason != nil {
			ev.Reason = reasonName(g.reason)
		}
		b, _ := json.MarshalIndent(ev, "", "  ")
		if err := os.WriteFile(filepath.Join("testdata", "events", g.file()), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		if g.reason != nil && g.reason != policy.ErrNoRoute {
			continue
		}
		resp, err := newTestHandler(t, f, g.cfg, nil).Handle(context.Background(), ev.APIGatewayCustomAuthorizerRequest)
		if err != nil {
			t.Fatalf("%s: refused: %v", g.name, err)
		}
		b, _ = json.MarshalIndent(resp, "", "  ")
		if err := os.WriteFile(filepath.Join("testdata", "policies", g.file()), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
