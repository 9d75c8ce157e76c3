package authorizer

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// RFC 8725 attack refusals that the golden matrix (golden_test.go) does not
// already hold. Each case pairs the attack with its control: the same
// construction without the defect, which must be allowed. So every attack
// token is otherwise valid (it would pass if the check that catches it were
// removed) and the only thing tested is that check; the attack's answer must
// be exactly "Unauthorized" with one deny log line and no part of the token
// in the log.
//
// Already covered by the golden matrix (not repeated here): RS256→HS256 with
// the DER public key as HMAC secret (hs256_rsa_public_key), alg none
// (alg_none, alg_none_signed), RS384 not allowed (alg_not_allowed_rs384), key
// alg ≠ token alg (key_alg_mismatch), exp as string (exp_string), aud as
// object (okta aud_object), iss as array (iss_not_string), sub as number
// (userid_number), duplicate kid in the header (header_duplicate_kid,
// header_duplicate_escaped), duplicate sub/exp in the payload, cty JWT
// (header_cty_nested_jwt), crit unknown (header_crit_unknown), b64:false with
// crit (header_b64_false), empty signature (empty_signature), the look-alike
// slash (userid_lookalike_slash), JWE shape (five_parts_jwe_shape).

type attackCase struct {
	name    string
	cfg     string   // "cognito" (default) or "okta"
	algs    []string // verifier allow-list override (nil: the config's)
	attack  func(f *fixture) string
	control func(f *fixture) string // nil: the plain valid token of cfg
	reason  error                   // the sentinel the refusal wraps
}

var (
	otherIssuerOnce sync.Once
	otherIssuerKey  *jwttest.Key
)

// otherIssuer is another issuer's key that happens to share our kid "rsa-1".
func otherIssuer() *jwttest.Key {
	otherIssuerOnce.Do(func() { otherIssuerKey = jwttest.NewRSA("rsa-1", 2048) })
	return otherIssuerKey
}

func attackCases() []attackCase {
	valid := func(f *fixture) string { return f.rsa.Mint(nil, cognitoClaims()) }
	claims := func(kv ...any) map[string]any { return jwttest.With(cognitoClaims(), kv...) }
	withClaims := func(kv ...any) func(f *fixture) string {
		return func(f *fixture) string { return f.rsa.Mint(nil, claims(kv...)) }
	}
	oktaWithClaims := func(kv ...any) func(f *fixture) string {
		return func(f *fixture) string { return f.rsa.Mint(nil, jwttest.With(oktaClaims(), kv...)) }
	}
	// raw signs exactly header and payload text with rsa-1 (RS256).
	raw := func(header, payload string) func(f *fixture) string {
		return func(f *fixture) string { return f.rsa.SignRaw("RS256", []byte(header), []byte(payload)) }
	}
	payload := string(mustJSON(cognitoClaims()))
	hmacWith := func(alg string, secret func(f *fixture) []byte) func(f *fixture) string {
		return func(f *fixture) string {
			return jwttest.SignHMAC(alg, secret(f), []byte(`{"alg":"`+alg+`","kid":"rsa-1","typ":"JWT"}`), mustJSON(cognitoClaims()))
		}
	}
	pemKey := func(f *fixture) []byte {
		der, _ := x509.MarshalPKIXPublicKey(f.rsa.Public())
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	jwkJSON := func(f *fixture) []byte { b, _ := json.Marshal(f.keys["rsa-1"]); return b }
	nModulus := func(f *fixture) []byte {
		var j struct{ N string }
		_ = json.Unmarshal(jwkJSON(f), &j)
		return []byte(j.N)
	}
	kid := func(k string) func(f *fixture) string {
		return func(f *fixture) string { return f.rsa.Mint(jwttest.Header{"kid": k}, cognitoClaims()) }
	}
	header := func(h jwttest.Header) func(f *fixture) string {
		return func(f *fixture) string { return f.rsa.Mint(h, cognitoClaims()) }
	}
	nested := func(depth int) string {
		return strings.Repeat("[", depth) + strings.Repeat("]", depth)
	}
	return []attackCase{
		// Algorithm substitution.
		{name: "hs256_pem_public_key_as_secret", reason: token.ErrAlgorithm, attack: hmacWith("HS256", pemKey)},
		{name: "hs256_jwk_json_as_secret", reason: token.ErrAlgorithm, attack: hmacWith("HS256", jwkJSON)},
		{name: "hs256_modulus_as_secret", reason: token.ErrAlgorithm, attack: hmacWith("HS256", nModulus)},
		{name: "hs384_pem_public_key_as_secret", reason: token.ErrAlgorithm, attack: hmacWith("HS384", pemKey)},
		{name: "hs512_pem_public_key_as_secret", reason: token.ErrAlgorithm, attack: hmacWith("HS512", pemKey)},
		{name: "ps256_not_allowed", reason: token.ErrAlgorithm, algs: []string{"RS256"},
			attack: func(f *fixture) string {
				return f.rsa.Mint(jwttest.Header{"alg": "PS256", "kid": "rsa-bare"}, cognitoClaims())
			},
			control: func(f *fixture) string {
				return f.rsa.Mint(jwttest.Header{"alg": "RS256", "kid": "rsa-bare"}, cognitoClaims())
			}},
		{name: "es256_not_allowed", reason: token.ErrAlgorithm, algs: []string{"RS256"},
			attack:  func(f *fixture) string { return f.ec.Mint(jwttest.Header{"kid": "ec-bare"}, cognitoClaims()) },
			control: func(f *fixture) string { return f.rsa.Mint(jwttest.Header{"kid": "rsa-bare"}, cognitoClaims()) }},
		{name: "eddsa_not_allowed", reason: token.ErrAlgorithm, algs: []string{"RS256", "ES256"},
			attack:  func(f *fixture) string { return f.ed.Mint(nil, cognitoClaims()) },
			control: func(f *fixture) string { return f.ec.Mint(nil, cognitoClaims()) }},
		{name: "header_ps256_key_rs256", reason: token.ErrKey, // both allowed; the key says RS256
			attack: func(f *fixture) string {
				return f.rsa.Mint(jwttest.Header{"alg": "PS256", "kid": "rsa-1"}, cognitoClaims())
			}},
		{name: "header_rs256_key_ps256", reason: token.ErrKey,
			attack: func(f *fixture) string {
				return f.rsa.Mint(jwttest.Header{"alg": "RS256", "kid": "rsa-ps"}, cognitoClaims())
			},
			control: func(f *fixture) string {
				return f.rsa.Mint(jwttest.Header{"alg": "PS256", "kid": "rsa-ps"}, cognitoClaims())
			}},
		{name: "header_es256_key_eddsa", reason: token.ErrKey,
			attack:  func(f *fixture) string { return f.ec.Mint(jwttest.Header{"kid": "ed-1"}, cognitoClaims()) },
			control: func(f *fixture) string { return f.ed.Mint(nil, cognitoClaims()) }},
		{name: "alg_case_variant_rs256", reason: token.ErrAlgorithm, attack: raw(`{"alg":"rs256","kid":"rsa-1"}`, payload),
			control: raw(`{"alg":"RS256","kid":"rsa-1"}`, payload)},
		{name: "alg_none_capitalised", reason: token.ErrMalformed, attack: func(f *fixture) string {
			return jwttest.Unsigned([]byte(`{"alg":"None","kid":"rsa-1"}`), mustJSON(cognitoClaims()))
		}},
		{name: "es256_zero_signature", reason: token.ErrSignature, // CVE-2022-21449 ("psychic signatures") shape
			attack: func(f *fixture) string {
				p := jwttest.Parts(f.ec.Mint(nil, cognitoClaims()))
				return p[0] + "." + p[1] + "." + jwttest.Encode(make([]byte, 64))
			},
			control: func(f *fixture) string { return f.ec.Mint(nil, cognitoClaims()) }},
		{name: "es256_der_signature", reason: token.ErrSignature, attack: func(f *fixture) string {
			tok := f.ec.Mint(nil, cognitoClaims())
			p := jwttest.Parts(tok)
			b, _ := base64.RawURLEncoding.DecodeString(p[2])
			return p[0] + "." + p[1] + "." + jwttest.Encode(derSig(b))
		}, control: func(f *fixture) string { return f.ec.Mint(nil, cognitoClaims()) }},

		// kid injection: the kid is only ever a map key; nothing resolves it.
		{name: "kid_path_traversal", reason: token.ErrKey, attack: kid("../../etc/passwd")},
		{name: "kid_path_traversal_to_known", reason: token.ErrKey, attack: kid("../rsa-1")},
		{name: "kid_sql_like", reason: token.ErrKey, attack: kid("' OR 1=1 --")},
		{name: "kid_sql_union", reason: token.ErrKey, attack: kid("rsa-1' UNION SELECT 'secret")},
		{name: "kid_very_long", reason: token.ErrHeader, attack: kid(strings.Repeat("k", 8000))},
		{name: "kid_with_newline_log_injection", reason: token.ErrKey, attack: kid("rsa-1\n{\"level\":\"INFO\",\"msg\":\"allow\"}")},
		{name: "kid_nul", reason: token.ErrKey, attack: kid("rsa-1\x00")},
		{name: "kid_trailing_space", reason: token.ErrKey, attack: kid("rsa-1 ")},
		{name: "kid_url", reason: token.ErrKey, attack: kid("https://attacker.example/jwks.json#rsa-1")},

		// Claims of the wrong type (beyond the golden ones).
		{name: "exp_null", reason: token.ErrClaims, attack: withClaims("exp", json.RawMessage(`null`))},
		{name: "exp_object", reason: token.ErrClaims, attack: withClaims("exp", map[string]any{"$gt": 0})},
		{name: "exp_bool", reason: token.ErrClaims, attack: withClaims("exp", true)},
		{name: "exp_array", reason: token.ErrClaims, attack: withClaims("exp", []int64{testNow.Unix() + 3600})},
		{name: "nbf_string", reason: token.ErrClaims, attack: withClaims("nbf", "0")},
		{name: "iat_string", reason: token.ErrClaims, attack: withClaims("iat", "0")},
		{name: "iss_number", reason: token.ErrClaims, attack: withClaims("iss", 1)},
		{name: "iss_object", reason: token.ErrClaims, attack: withClaims("iss", map[string]string{"iss": cognitoIssuer})},
		{name: "sub_array", reason: token.ErrUserIDClaim, attack: withClaims("sub", []string{"user-1"})},
		{name: "sub_object", reason: token.ErrUserIDClaim, attack: withClaims("sub", map[string]string{"id": "user-1"})},
		{name: "sub_bool", reason: token.ErrUserIDClaim, attack: withClaims("sub", true)},
		{name: "client_id_number", reason: token.ErrClaims, attack: withClaims("client_id", 1)},
		{name: "client_id_array", reason: token.ErrClaims, attack: withClaims("client_id", []string{"client-1"})},
		{name: "token_use_array", reason: token.ErrClaims, attack: withClaims("token_use", []string{"access"})},
		{name: "scope_number", reason: token.ErrClaims, attack: withClaims("scope", 1)},
		{name: "scope_array_of_numbers", reason: token.ErrClaims, attack: withClaims("scope", []int{1})},
		{name: "scope_object", reason: token.ErrClaims, attack: withClaims("scope", map[string]string{"read": "read"})},
		{name: "okta_aud_number", reason: token.ErrClaims, cfg: "okta", attack: oktaWithClaims("aud", 1)},
		{name: "okta_aud_array_of_arrays", reason: token.ErrClaims, cfg: "okta", attack: oktaWithClaims("aud", [][]string{{"api://default"}})},
		{name: "okta_uid_array", reason: token.ErrUserIDClaim, cfg: "okta", attack: oktaWithClaims("uid", []string{"00u1abcdEFGH"})},
		{name: "okta_scp_array_of_numbers", reason: token.ErrClaims, cfg: "okta", attack: oktaWithClaims("scp", []int{1})},

		// Duplicate JSON keys (beyond the golden ones).
		{name: "header_duplicate_alg", reason: token.ErrHeader, attack: raw(`{"alg":"none","alg":"RS256","kid":"rsa-1"}`, payload),
			control: raw(`{"alg":"RS256","kid":"rsa-1"}`, payload)},
		{name: "header_duplicate_alg_escaped", reason: token.ErrHeader, attack: raw(`{"alg":"RS256","\u0061lg":"RS256","kid":"rsa-1"}`, payload),
			control: raw(`{"alg":"RS256","kid":"rsa-1"}`, payload)},
		{name: "header_duplicate_typ", reason: token.ErrHeader, attack: raw(`{"alg":"RS256","kid":"rsa-1","typ":"JWT","typ":"JWT"}`, payload),
			control: raw(`{"alg":"RS256","kid":"rsa-1","typ":"JWT"}`, payload)},
		{name: "payload_duplicate_iss", reason: token.ErrClaims, attack: raw(`{"alg":"RS256","kid":"rsa-1"}`, `{"iss":"https://evil.example",`+payload[1:]),
			control: raw(`{"alg":"RS256","kid":"rsa-1"}`, payload)},
		{name: "payload_duplicate_sub_escaped", reason: token.ErrClaims, attack: raw(`{"alg":"RS256","kid":"rsa-1"}`, `{"\u0073ub":"admin",`+payload[1:]),
			control: raw(`{"alg":"RS256","kid":"rsa-1"}`, payload)},
		{name: "payload_duplicate_client_id", reason: token.ErrClaims, attack: raw(`{"alg":"RS256","kid":"rsa-1"}`, `{"client_id":"client-1",`+payload[1:]),
			control: raw(`{"alg":"RS256","kid":"rsa-1"}`, payload)},
		{name: "payload_duplicate_nested_key", reason: token.ErrClaims, attack: raw(`{"alg":"RS256","kid":"rsa-1"}`, `{"ext":{"a":1,"a":2},`+payload[1:]),
			control: raw(`{"alg":"RS256","kid":"rsa-1"}`, `{"ext":{"a":1},`+payload[1:])},

		// Nested JWTs.
		{name: "cty_jwt_lowercase", reason: token.ErrHeader, attack: header(jwttest.Header{"cty": "jwt"})},
		{name: "cty_jwt_with_inner_token_payload", reason: token.ErrHeader, attack: func(f *fixture) string {
			inner := f.rsa.Mint(nil, cognitoClaims())
			return f.rsa.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"rsa-1","cty":"JWT"}`), []byte(inner))
		}},
		{name: "payload_is_a_jwt_without_cty", reason: token.ErrClaims, attack: func(f *fixture) string {
			inner := f.rsa.Mint(nil, cognitoClaims())
			return f.rsa.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"rsa-1"}`), []byte(inner))
		}},

		// Unicode look-alikes in the user id (the id names a resource path).
		{name: "userid_cyrillic_a", reason: policy.ErrUserID, attack: withClaims("sub", "user-\u0430"), control: withClaims("sub", "user-a")},
		{name: "userid_cyrillic_whole", reason: policy.ErrUserID, attack: withClaims("sub", "\u0430dmin"), control: withClaims("sub", "admin")},
		{name: "userid_fullwidth", reason: policy.ErrUserID, attack: withClaims("sub", "\uff55ser-1")},
		{name: "userid_fullwidth_digit", reason: policy.ErrUserID, attack: withClaims("sub", "user-\uff11")},
		{name: "userid_zero_width_joiner", reason: policy.ErrUserID, attack: withClaims("sub", "user\u200d-1")},
		{name: "userid_zero_width_space", reason: policy.ErrUserID, attack: withClaims("sub", "user-1\u200b")},
		{name: "userid_combining_mark", reason: policy.ErrUserID, attack: withClaims("sub", "user-1\u0301")},
		{name: "userid_rtl_override", reason: policy.ErrUserID, attack: withClaims("sub", "\u202euser-1")},
		{name: "userid_bom", reason: policy.ErrUserID, attack: withClaims("sub", "\ufeffuser-1")},
		{name: "userid_escaped_slash_json", reason: policy.ErrUserID, attack: raw(`{"alg":"RS256","kid":"rsa-1"}`, strings.Replace(payload, `"sub":"user-1"`, `"sub":"user\/..\/admin"`, 1))},
		// Dot segments: the id is substituted into every route template
		// (POST/users/{userId}/items → POST/users/../items).
		{name: "userid_dot_dot", reason: policy.ErrUserID, attack: withClaims("sub", ".."), control: withClaims("sub", "u..1")},
		{name: "userid_dot", reason: policy.ErrUserID, attack: withClaims("sub", "."), control: withClaims("sub", "u.1")},
		{name: "userid_percent_encoded_slash", reason: policy.ErrUserID, attack: withClaims("sub", "user%2F1")},

		// Oversized or deep headers.
		{name: "header_over_token_cap", reason: token.ErrMalformed, attack: header(jwttest.Header{"x-pad": strings.Repeat("a", token.MaxTokenBytes)}),
			control: header(jwttest.Header{"x-pad": strings.Repeat("a", 100)})},
		{name: "header_4KiB_of_unknown_members", reason: token.ErrHeader, attack: header(jwttest.Header{"x-pad": strings.Repeat("a", 4096)}),
			control: header(jwttest.Header{"x-pad": strings.Repeat("a", 100)})},
		{name: "header_nested_too_deep", reason: token.ErrHeader, attack: raw(`{"alg":"RS256","kid":"rsa-1","x":`+nested(40)+`}`, payload),
			control: raw(`{"alg":"RS256","kid":"rsa-1","x":`+nested(3)+`}`, payload)},
		{name: "payload_nested_too_deep", reason: token.ErrClaims, attack: raw(`{"alg":"RS256","kid":"rsa-1"}`, `{"x":`+nested(40)+`,`+payload[1:]),
			control: raw(`{"alg":"RS256","kid":"rsa-1"}`, `{"x":`+nested(3)+`,`+payload[1:])},

		// Another issuer's key sharing our kid.
		{name: "other_issuer_same_kid_own_iss", reason: token.ErrUnknownIssuer, attack: func(*fixture) string {
			return otherIssuer().Mint(nil, jwttest.With(cognitoClaims(), "iss", "https://evil.example"))
		}},
		{name: "other_issuer_same_kid_our_iss", reason: token.ErrSignature, attack: func(*fixture) string { return otherIssuer().Mint(nil, cognitoClaims()) }},
		{name: "our_key_other_iss", reason: token.ErrUnknownIssuer, attack: withClaims("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other")},
		{name: "iss_prefix_of_ours", reason: token.ErrUnknownIssuer, attack: withClaims("iss", cognitoIssuer[:len(cognitoIssuer)-1])},
		{name: "iss_unicode_lookalike", reason: token.ErrUnknownIssuer, attack: withClaims("iss", strings.Replace(cognitoIssuer, "amazonaws", "\u0430mazonaws", 1))},

		// crit, b64.
		{name: "crit_b64_true", reason: token.ErrHeader, attack: header(jwttest.Header{"crit": []string{"b64"}, "b64": true})},
		{name: "crit_empty", reason: token.ErrHeader, attack: header(jwttest.Header{"crit": []string{}})},
		{name: "crit_registered_exp", reason: token.ErrHeader, attack: header(jwttest.Header{"crit": []string{"exp"}, "exp": testNow.Unix() + 3600})},
		{name: "b64_false_without_crit", reason: token.ErrHeader, attack: header(jwttest.Header{"b64": false})},
		{name: "b64_false_unencoded_payload", reason: token.ErrMalformed, attack: func(f *fixture) string {
			h := jwttest.Encode([]byte(`{"alg":"RS256","kid":"rsa-1","b64":false,"crit":["b64"]}`))
			p := string(mustJSON(cognitoClaims()))
			sig := f.rsa.Signature("RS256", []byte(h+"."+p))
			return h + "." + p + "." + jwttest.Encode(sig)
		}},
		{name: "b64_false_detached_payload", reason: token.ErrMalformed, attack: func(f *fixture) string {
			h := jwttest.Encode([]byte(`{"alg":"RS256","kid":"rsa-1","b64":false,"crit":["b64"]}`))
			sig := f.rsa.Signature("RS256", []byte(h+"."+payload))
			return h + ".." + jwttest.Encode(sig)
		}},

		// JWS JSON serialization (RFC 7515 §7.2), with a valid signature.
		{name: "json_serialization_flattened", reason: token.ErrMalformed, attack: func(f *fixture) string {
			p := jwttest.Parts(valid(f))
			b, _ := json.Marshal(map[string]string{"protected": p[0], "payload": p[1], "signature": p[2]})
			return string(b)
		}},
		{name: "json_serialization_general", reason: token.ErrMalformed, attack: func(f *fixture) string {
			p := jwttest.Parts(valid(f))
			b, _ := json.Marshal(map[string]any{"payload": p[1], "signatures": []map[string]string{{"protected": p[0], "signature": p[2]}}})
			return string(b)
		}},
		{name: "json_serialization_two_signatures", reason: token.ErrMalformed, attack: func(f *fixture) string {
			p := jwttest.Parts(valid(f))
			q := jwttest.Parts(f.rsa2.Mint(nil, cognitoClaims()))
			b, _ := json.Marshal(map[string]any{"payload": p[1], "signatures": []map[string]string{
				{"protected": q[0], "signature": q[2]}, {"protected": p[0], "signature": p[2]}}})
			return string(b)
		}},

		// Signatures that are not this token's.
		{name: "signature_of_another_token", reason: token.ErrSignature, attack: func(f *fixture) string {
			a := jwttest.Parts(valid(f))
			b := jwttest.Parts(f.rsa.Mint(nil, jwttest.With(cognitoClaims(), "sub", "user-2")))
			return a[0] + "." + a[1] + "." + b[2]
		}},
		{name: "signature_of_same_claims_other_header", reason: token.ErrSignature, attack: func(f *fixture) string {
			a := jwttest.Parts(f.rsa.Mint(jwttest.Header{"typ": "at+jwt"}, cognitoClaims()))
			b := jwttest.Parts(valid(f))
			return b[0] + "." + b[1] + "." + a[2]
		}},
		{name: "signature_truncated", reason: token.ErrMalformed, attack: func(f *fixture) string { tok := valid(f); return tok[:len(tok)-4] }},
		{name: "signature_extended", reason: token.ErrSignature, attack: func(f *fixture) string { return valid(f) + "AAAA" }},
		{name: "signature_whitespace", reason: token.ErrMalformed, attack: func(f *fixture) string {
			p := jwttest.Parts(valid(f))
			return p[0] + "." + p[1] + "." + p[2][:8] + "\t" + p[2][8:]
		}},
		{name: "trailing_dot", reason: token.ErrMalformed, attack: func(f *fixture) string { return valid(f) + "." }},
		{name: "empty_signature_with_dot", reason: token.ErrMalformed, attack: func(f *fixture) string {
			p := jwttest.Parts(valid(f))
			return p[0] + "." + p[1] + ".."
		}},
	}
}

func newAttackHandler(t testing.TB, f *fixture, cfg string, algs []string, log *bytes.Buffer) *Handler {
	t.Helper()
	c := *configs()[cfg]
	if algs != nil {
		c.Algorithms = algs
	}
	return newHandlerWith(t, f, &c, log, slog.LevelDebug)
}

// TestAttackRefusals: each attack is refused for its own reason (errors.Is)
// and reaches the caller as exactly "Unauthorized"; its control passes.
func TestAttackRefusals(t *testing.T) {
	f := loadFixture(t)
	seen := map[string]bool{}
	for _, c := range attackCases() {
		if seen[c.name] {
			t.Fatalf("duplicate case %s", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			if cfg == "" {
				cfg = "cognito"
			}
			var logs bytes.Buffer
			h := newAttackHandler(t, f, cfg, c.algs, &logs)
			event := func(tok string) events.APIGatewayCustomAuthorizerRequest {
				logs.Reset()
				return events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: defaultARN}
			}
			control := c.control
			if control == nil {
				control = func(f *fixture) string {
					if cfg == "okta" {
						return f.rsa.Mint(nil, oktaClaims())
					}
					return f.rsa.Mint(nil, cognitoClaims())
				}
			}
			if v := h.decide(context.Background(), event(control(f))); v.reason != nil {
				t.Fatalf("control token refused (the case would not isolate its check): %v", v.reason)
			}
			ev := event(c.attack(f))
			if v := h.decide(context.Background(), ev); c.reason == nil || !errors.Is(v.reason, c.reason) {
				t.Fatalf("reason = %v, want %v", v.reason, c.reason)
			}
			checkOneLogLine(t, &logs, ev.AuthorizationToken, c.reason)
			resp, err := h.Handle(context.Background(), ev)
			if err == nil || err.Error() != "Unauthorized" {
				t.Fatalf("attack accepted or wrong error: err=%v resp=%+v", err, resp)
			}
			if resp.PrincipalID != "" || resp.PolicyDocument.Statement != nil || resp.Context != nil {
				t.Fatalf("a refusal carries a response: %+v", resp)
			}
		})
	}
}

// derSig re-encodes a raw r||s ECDSA signature as ASN.1 DER, the form JWS
// forbids (RFC 7518 §3.4) and some libraries wrongly accept.
func derSig(raw []byte) []byte {
	half := len(raw) / 2
	b, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:half]), new(big.Int).SetBytes(raw[half:])})
	return b
}

// FuzzSignedToken fuzzes header and payload behind a VALID signature (the
// fixture's Ed25519 key signs whatever the fuzzer produces), which FuzzHandle
// cannot reach: its inputs almost never verify. Invariants: no panic, every
// failure is exactly "Unauthorized", and an Allow happens only when an
// independent reading of the same bytes with encoding/json agrees that the
// header is {"alg":"EdDSA","kid":"ed-1"} without forbidden members and the
// claims satisfy the cognito config.
func FuzzSignedToken(f *testing.F) {
	fx := loadFixture(f)
	h := newTestHandler(f, fx, "cognito", nil)
	f.Add(`{"alg":"EdDSA","kid":"ed-1","typ":"JWT"}`, string(mustJSON(cognitoClaims())))
	f.Add(`{"alg":"EdDSA","kid":"ed-1"}`, `{"iss":"`+cognitoIssuer+`","sub":"u","exp":1e12,"client_id":"client-1","token_use":"access","scope":"read"}`)
	f.Add(`{"alg":"EdDSA","kid":"ed-1","kid":"ed-1"}`, `{"sub":"a","sub":"b"}`)
	f.Add(`{"alg":"EdDSA","kid":"ed-1","crit":["b64"],"b64":false}`, `{"exp":"1"}`)
	for _, c := range attackCases() {
		if c.cfg == "" {
			p := jwttest.Parts(c.attack(fx))
			if len(p) == 3 {
				hb, err1 := base64.RawURLEncoding.DecodeString(p[0])
				pb, err2 := base64.RawURLEncoding.DecodeString(p[1])
				if err1 == nil && err2 == nil {
					f.Add(strings.Replace(string(hb), `"RS256"`, `"EdDSA"`, 1), string(pb))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, header, payload string) {
		tok := fx.ed.SignRaw("EdDSA", []byte(header), []byte(payload))
		resp, err := h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: defaultARN,
		})
		if err != nil {
			if err.Error() != "Unauthorized" || resp.PrincipalID != "" {
				t.Fatalf("failure is %q / %+v", err, resp)
			}
			return
		}
		var hd map[string]any
		if json.Unmarshal([]byte(header), &hd) != nil || hd["alg"] != "EdDSA" || hd["kid"] != "ed-1" {
			t.Fatalf("allowed with header %q", header)
		}
		for _, k := range []string{"jwk", "jku", "x5u", "x5c", "crit", "b64", "cty", "zip", "enc"} {
			if _, ok := hd[k]; ok {
				t.Fatalf("allowed with forbidden header member %s: %q", k, header)
			}
		}
		var c map[string]any
		if json.Unmarshal([]byte(payload), &c) != nil {
			t.Fatalf("allowed a payload encoding/json rejects: %q", payload)
		}
		exp, _ := c["exp"].(float64)
		if c["iss"] != cognitoIssuer || float64(testNow.Unix()) >= exp+60 || c["sub"] != resp.PrincipalID ||
			!clientOK(c) || c["token_use"] != "access" || !slices.Contains(scopesOf(c), "read") {
			t.Fatalf("allowed claims that encoding/json reads differently: %q → %+v", payload, resp)
		}
		if policy.ValidUserID(resp.PrincipalID) != nil {
			t.Fatalf("allowed unsafe user id %q", resp.PrincipalID)
		}
	})
}

// scopesOf: every scope of "scope" and "scp", each a space-delimited string
// or an array of strings.
func scopesOf(c map[string]any) []string {
	var all []string
	for _, name := range []string{"scope", "scp"} {
		switch v := c[name].(type) {
		case string:
			for _, s := range strings.Split(v, " ") {
				if s != "" {
					all = append(all, s)
				}
			}
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok {
					all = append(all, s)
				}
			}
		}
	}
	return all
}

// clientOK: client_id (Cognito) or cid (Okta) present, and every one present
// is the configured client.
func clientOK(c map[string]any) bool {
	id, hasID := c["client_id"]
	cid, hasCID := c["cid"]
	return (hasID || hasCID) && (!hasID || id == "client-1") && (!hasCID || cid == "client-1")
}
