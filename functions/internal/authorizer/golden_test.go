package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// goldenCase mints one TOKEN event. Every deny case is a valid token of its
// config with exactly one defect, so removing the check that catches the
// defect would let it through (where the defect does not also break the
// signature, which is the point of some cases).
type goldenCase struct {
	name  string // file: testdata/events/<cfg>_<allow|deny>_<name>.json
	cfg   string // "cognito" or "okta"
	allow bool
	auth  func(f *fixture) string // the authorizationToken
	arn   string                  // methodArn; default defaultARN
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
	c := func(name string, allow bool, auth func(f *fixture) string) goldenCase {
		return goldenCase{name: name, cfg: "cognito", allow: allow, auth: auth}
	}
	o := func(name string, allow bool, auth func(f *fixture) string) goldenCase {
		return goldenCase{name: name, cfg: "okta", allow: allow, auth: auth}
	}
	cogWith := func(kv ...any) func(f *fixture) string {
		return func(f *fixture) string { return bearer(f.rsa.Mint(nil, with(cognitoClaims(), kv...))) }
	}
	oktaWith := func(kv ...any) func(f *fixture) string {
		return func(f *fixture) string { return bearer(f.rsa.Mint(nil, with(oktaClaims(), kv...))) }
	}
	return []goldenCase{
		// Accepted.
		c("rs256_bearer", true, func(f *fixture) string { return bearer(cog(f)) }),
		c("bare_jwt", true, cog),
		c("scheme_lowercase", true, func(f *fixture) string { return "bearer " + cog(f) }),
		c("scheme_uppercase", true, func(f *fixture) string { return "BEARER " + cog(f) }),
		c("ps256", true, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"alg": "PS256", "kid": "rsa-ps"}, cognitoClaims()))
		}),
		c("es256", true, func(f *fixture) string { return bearer(f.ec.Mint(nil, cognitoClaims())) }),
		c("eddsa", true, func(f *fixture) string { return bearer(f.ed.Mint(nil, cognitoClaims())) }),
		c("key_without_alg_use", true, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": "rsa-bare"}, cognitoClaims()))
		}),
		c("exp_within_leeway", true, cogWith("exp", n-59)),
		c("nbf_within_leeway", true, cogWith("nbf", n+59)),
		c("fractional_dates", true, cogWith("exp", float64(n)+3600.5, "iat", float64(n)-0.25)),
		c("other_path_same_policy", true, func(f *fixture) string { return bearer(cog(f)) }),
		o("rs256", true, func(f *fixture) string { return bearer(okta(f)) }),
		o("aud_string", true, oktaWith("aud", "api://default")),
		o("aud_array_second", true, oktaWith("aud", []string{"api://other", "api://default"})),
		o("userid_email_like", true, oktaWith("uid", "first.last+tag@example.com")),

		// Rejected: algorithm and header.
		c("alg_none", false, func(f *fixture) string {
			return bearer(jwttest.Unsigned([]byte(`{"alg":"none","kid":"rsa-1","typ":"JWT"}`), mustJSON(cognitoClaims())))
		}),
		c("alg_none_signed", false, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", []byte(`{"alg":"none","kid":"rsa-1"}`), mustJSON(cognitoClaims())))
		}),
		c("hs256_rsa_public_key", false, func(f *fixture) string {
			return bearer(jwttest.SignHMAC("HS256", pubPEMBytes(f.rsa), hdr("HS256", "rsa-1"), mustJSON(cognitoClaims())))
		}),
		c("alg_not_allowed_rs384", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"alg": "RS384", "kid": "rsa-bare"}, cognitoClaims()))
		}),
		c("kid_missing", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": nil}, cognitoClaims()))
		}),
		c("kid_unknown", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": "rsa-9"}, cognitoClaims()))
		}),
		c("kid_wrong", false, func(f *fixture) string {
			return bearer(f.rsa2.Mint(jwttest.Header{"kid": "rsa-1"}, cognitoClaims()))
		}),
		c("kid_not_string", false, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", []byte(`{"alg":"RS256","kid":1}`), mustJSON(cognitoClaims())))
		}),
		c("header_jwk", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"jwk": f.keys["rsa-1"]}, cognitoClaims()))
		}),
		c("header_jku", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"jku": "https://attacker.example/jwks.json"}, cognitoClaims()))
		}),
		c("header_x5u", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"x5u": "https://attacker.example/cert.pem"}, cognitoClaims()))
		}),
		c("header_x5c", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"x5c": []string{"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"}}, cognitoClaims()))
		}),
		c("header_crit_unknown", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"crit": []string{"urn:example:ext"}, "urn:example:ext": true}, cognitoClaims()))
		}),
		c("header_b64_false", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"crit": []string{"b64"}, "b64": false}, cognitoClaims()))
		}),
		c("header_cty_nested_jwt", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"cty": "JWT"}, cognitoClaims()))
		}),
		c("header_duplicate_kid", false, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"rsa-9","kid":"rsa-1"}`), mustJSON(cognitoClaims())))
		}),
		c("header_duplicate_escaped", false, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"rsa-1","\u006bid":"rsa-1"}`), mustJSON(cognitoClaims())))
		}),
		c("header_not_object", false, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", []byte(`["RS256"]`), mustJSON(cognitoClaims())))
		}),

		// Rejected: key agreement.
		c("key_alg_mismatch", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": "rsa-384"}, cognitoClaims()))
		}),
		c("key_use_enc", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": "rsa-enc"}, cognitoClaims()))
		}),
		c("rsa_key_for_es256", false, func(f *fixture) string {
			return bearer(f.ec.Mint(jwttest.Header{"kid": "rsa-bare"}, cognitoClaims()))
		}),
		c("ec_key_for_rs256", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(jwttest.Header{"kid": "ec-bare"}, cognitoClaims()))
		}),

		// Rejected: structure and encoding.
		c("two_parts", false, func(f *fixture) string {
			p := jwttest.Parts(cog(f))
			return bearer(p[0] + "." + p[1])
		}),
		c("five_parts_jwe_shape", false, func(f *fixture) string {
			p := jwttest.Parts(cog(f))
			return bearer(p[0] + ".." + p[1] + "." + p[2] + ".AAAA")
		}),
		c("bad_base64_padding", false, func(f *fixture) string {
			p := jwttest.Parts(cog(f))
			return bearer(p[0] + "." + p[1] + "=." + p[2])
		}),
		c("bad_base64_std_alphabet", false, func(f *fixture) string {
			return bearer(strings.NewReplacer("-", "+", "_", "/").Replace(cog(f)))
		}),
		c("empty_signature", false, func(f *fixture) string {
			p := jwttest.Parts(cog(f))
			return bearer(p[0] + "." + p[1] + ".")
		}),
		c("tampered_payload", false, func(f *fixture) string {
			tok := cog(f)
			return bearer(replaceSegment(tok, 1, jwttest.Encode(mustJSON(with(cognitoClaims(), "sub", "admin")))))
		}),
		c("tampered_signature", false, func(f *fixture) string {
			tok := cog(f)
			return bearer(flip(tok, len(tok)-10))
		}),
		c("empty", false, func(*fixture) string { return "" }),
		c("bearer_only", false, func(*fixture) string { return "Bearer " }),
		c("other_scheme", false, func(f *fixture) string { return "Basic " + cog(f) }),
		c("whitespace_inside", false, func(f *fixture) string {
			p := jwttest.Parts(cog(f))
			return bearer(p[0] + ". " + p[1] + "." + p[2])
		}),
		c("payload_not_json", false, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", hdr("RS256", "rsa-1"), []byte(`not json`)))
		}),
		c("payload_trailing_data", false, func(f *fixture) string {
			return bearer(f.rsa.SignRaw("RS256", hdr("RS256", "rsa-1"), append(mustJSON(cognitoClaims()), []byte(`{}`)...)))
		}),
		c("payload_duplicate_sub", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(nil, rawClaims(cognitoClaims(), func(s string) string {
				return `{"sub":"admin",` + s[1:]
			})))
		}),
		c("payload_duplicate_exp", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(nil, rawClaims(cognitoClaims(), func(s string) string {
				return strings.Replace(s, `"exp":`, `"exp":1,"exp":`, 1)
			})))
		}),
		c("payload_invalid_utf8", false, func(f *fixture) string {
			return bearer(f.rsa.Mint(nil, rawClaims(cognitoClaims(), func(s string) string {
				return strings.Replace(s, `"users"`, "\"us\xffers\"", 1)
			})))
		}),

		// Rejected: claims.
		c("expired", false, cogWith("exp", n-61)),
		c("exp_missing", false, cogWith("exp", nil)),
		c("exp_string", false, cogWith("exp", "1767229200")),
		c("nbf_future", false, cogWith("nbf", n+61)),
		c("iat_future", false, cogWith("iat", n+61)),
		c("iss_wrong", false, cogWith("iss", cognitoIssuer+"/")),
		c("iss_missing", false, cogWith("iss", nil)),
		c("iss_not_string", false, cogWith("iss", []string{cognitoIssuer})),
		c("scope_missing", false, cogWith("scope", "write")),
		c("scope_prefix_only", false, cogWith("scope", "reader write")),
		c("client_id_wrong", false, cogWith("client_id", "client-2")),
		c("client_id_missing", false, cogWith("client_id", nil)),
		c("token_use_wrong", false, cogWith("token_use", "id")),
		c("userid_star", false, cogWith("sub", "user-*")),
		c("userid_slash", false, cogWith("sub", "user/1")),
		c("userid_question", false, cogWith("sub", "user?1")),
		c("userid_space", false, cogWith("sub", "user 1")),
		c("userid_empty", false, cogWith("sub", "")),
		c("userid_129_bytes", false, cogWith("sub", strings.Repeat("u", 129))),
		c("userid_lookalike_slash", false, cogWith("sub", "user\u22151")),
		c("userid_control", false, cogWith("sub", "user\n1")),
		c("userid_number", false, cogWith("sub", 12345)),
		c("userid_missing", false, cogWith("sub", nil)),
		o("aud_wrong", false, oktaWith("aud", "api://other")),
		o("aud_object", false, oktaWith("aud", map[string]any{"0": "api://default"})),
		o("aud_missing", false, oktaWith("aud", nil)),
		o("cid_wrong", false, oktaWith("cid", "0oa-other")),
		o("cid_good_client_id_bad", false, oktaWith("client_id", "0oa-other")),
		o("scp_missing_read", false, oktaWith("scp", []string{"openid"})),
		o("scp_string_not_array", false, oktaWith("scp", "read")),
		o("uid_slash", false, oktaWith("uid", "00u/abc")),

		// Rejected: methodArn (valid token).
		{name: "methodarn_missing_path", cfg: "cognito", auth: func(f *fixture) string { return bearer(cog(f)) },
			arn: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod"},
		{name: "methodarn_wildcard_account", cfg: "cognito", auth: func(f *fixture) string { return bearer(cog(f)) },
			arn: "arn:aws:execute-api:us-east-1:*:abcdef1234/prod/GET/hello/user-1"},
		{name: "methodarn_wrong_service", cfg: "cognito", auth: func(f *fixture) string { return bearer(cog(f)) },
			arn: "arn:aws:lambda:us-east-1:123456789012:abcdef1234/prod/GET/hello/user-1"},
		{name: "methodarn_empty", cfg: "cognito", auth: func(f *fixture) string { return bearer(cog(f)) }, arn: ""},
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func (g goldenCase) file() string {
	verdict := "deny"
	if g.allow {
		verdict = "allow"
	}
	return g.cfg + "_" + verdict + "_" + g.name + ".json"
}

// TestGolden replays every testdata/events file; with -update it first
// re-mints them (and the policies of accepted ones) from goldenCases.
func TestGolden(t *testing.T) {
	f := loadFixture(t)
	if *update {
		writeGolden(t, f)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden events (run go test -update): %v", err)
	}
	want := map[string]bool{}
	for _, g := range goldenCases() {
		want[filepath.Join("testdata", "events", g.file())] = true
	}
	for _, file := range files {
		if !want[file] {
			t.Errorf("%s has no case in goldenCases (stale; run -update)", file)
		}
		delete(want, file)
	}
	for file := range want {
		t.Errorf("%s missing (run go test -update)", file)
	}
	handlers := map[string]*Handler{}
	var logs bytes.Buffer
	for name := range configs() {
		handlers[name] = newHandler(t, f, name, &logs)
	}
	sort.Strings(files)
	for _, file := range files {
		base := filepath.Base(file)
		t.Run(strings.TrimSuffix(base, ".json"), func(t *testing.T) {
			parts := strings.SplitN(base, "_", 3)
			h, allow := handlers[parts[0]], parts[1] == "allow"
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var ev events.APIGatewayCustomAuthorizerRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatal(err)
			}
			logs.Reset()
			resp, err := h.Handle(context.Background(), ev)
			checkOneLogLine(t, &logs, ev.AuthorizationToken, allow)
			if !allow {
				if err == nil || err.Error() != "Unauthorized" {
					t.Fatalf("err = %v, want Unauthorized", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected rejection: %v; log: %s", err, logs.String())
			}
			got, _ := json.Marshal(resp)
			want, err := os.ReadFile(filepath.Join("testdata", "policies", base))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, compactJSON(t, want)) {
				t.Fatalf("policy:\n got %s\nwant %s", got, compactJSON(t, want))
			}
		})
	}
}

// checkOneLogLine asserts exactly one JSON log line with the verdict, and
// that no part of the token leaks into it.
func checkOneLogLine(t *testing.T, logs *bytes.Buffer, auth string, allow bool) {
	t.Helper()
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
		if arn == "" && !strings.HasPrefix(g.name, "methodarn_empty") {
			arn = defaultARN
		}
		if g.name == "other_path_same_policy" {
			arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/someone-else"
		}
		ev := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: g.auth(f), MethodArn: arn}
		b, _ := json.MarshalIndent(ev, "", "  ")
		if err := os.WriteFile(filepath.Join("testdata", "events", g.file()), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		if !g.allow {
			continue
		}
		resp, err := newHandler(t, f, g.cfg, nil).Handle(context.Background(), ev)
		if err != nil {
			t.Fatalf("%s: accepted case rejected: %v", g.name, err)
		}
		b, _ = json.MarshalIndent(resp, "", "  ")
		if err := os.WriteFile(filepath.Join("testdata", "policies", g.file()), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
