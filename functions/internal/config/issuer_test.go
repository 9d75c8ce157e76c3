package config

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const okta = `{"name":"okta","issuer":"https://okta.example.com","audiences":["api://orders"]}`
const cognito = `{"name":"cognito","issuer":"https://cognito.example.com","client_ids":["c1"],"token_use":"access","user_id_claim":"username"}`

// issuers is an environment holding only ISSUERS.
func issuers(entries ...string) map[string]string {
	return map[string]string{
		"ISSUERS": "[" + strings.Join(entries, ",") + "]",
		"ROUTES":  `[{"route":"GET/catalog/*"}]`,
	}
}

func TestIssuers(t *testing.T) {
	c, err := fromMap(issuers(okta, cognito))
	if err != nil {
		t.Fatal(err)
	}
	want := []Issuer{
		{Name: "okta", Issuer: "https://okta.example.com", Audiences: []string{"api://orders"}, UserIDClaim: "sub"},
		{Name: "cognito", Issuer: "https://cognito.example.com", ClientIDs: []string{"c1"}, TokenUse: "access", UserIDClaim: "username"},
	}
	if !reflect.DeepEqual(c.Issuers, want) {
		t.Fatalf("got  %+v\nwant %+v", c.Issuers, want)
	}
}

func TestIssuerURL(t *testing.T) {
	good := []string{
		"https://issuer.example.com", "https://issuer.example.com/", "https://issuer.example.com:8443/tenant",
		"http://localhost:9000", "http://LOCALHOST", "http://127.0.0.1:8080/realms/a", "http://127.9.9.9", "http://[::1]:8080",
	}
	for _, u := range good {
		if err := checkURL(u); err != nil {
			t.Errorf("%q rejected: %v", u, err)
		}
		// The same rule holds for each place a URL is set.
		if _, err := fromMap(with("ISSUER", u, "JWKS_URL", u+"/jwks")); err != nil {
			t.Errorf("ISSUER/JWKS_URL %q rejected: %v", u, err)
		}
		if _, err := fromMap(issuers(`{"name":"a","issuer":"` + u + `","jwks_url":"` + u + `/jwks","audiences":["x"]}`)); err != nil {
			t.Errorf("ISSUERS %q rejected: %v", u, err)
		}
	}
	bad := []string{
		"issuer.example.com", "ftp://issuer.example.com", "https://", "https:issuer", "https:///path",
		"http://issuer.example.com", "http://10.0.0.1", "http://localhost.example.com", "http://127.0.0.1.nip.io",
		"http://[::2]", "http://0.0.0.0", "https://issuer.example.com/a b", "//issuer.example.com",
	}
	for _, u := range bad {
		runRejects(t, []rejectCase{
			{"ISSUER " + u, with("ISSUER", u), "ISSUER"},
			{"JWKS_URL " + u, with("JWKS_URL", u), "JWKS_URL"},
			{"ISSUERS issuer " + u, issuers(`{"name":"a","issuer":"` + u + `","audiences":["x"]}`), "ISSUERS"},
			{"ISSUERS jwks_url " + u, issuers(`{"name":"a","issuer":"https://a","jwks_url":"` + u + `","audiences":["x"]}`), "ISSUERS"},
		})
	}
}

func TestRejectIssuers(t *testing.T) {
	runRejects(t, []rejectCase{
		{"no issuer", map[string]string{"AUDIENCES": "api"}, "ISSUER"},
		{"neither audiences nor client ids", map[string]string{"ISSUER": "https://i"}, "AUDIENCES"},
		{"both forms: ISSUER", with("ISSUERS", "["+okta+"]"), "ISSUERS"},
		{"both forms: JWKS_URL", map[string]string{"ISSUERS": "[" + okta + "]", "JWKS_URL": "https://j"}, "ISSUERS"},
		{"both forms: USER_ID_CLAIM", map[string]string{"ISSUERS": "[" + okta + "]", "USER_ID_CLAIM": "uid"}, "ISSUERS"},
		{"entry without audiences or client ids", issuers(`{"name":"a","issuer":"https://a"}`), "ISSUERS"},
		{"empty audience", issuers(`{"name":"a","issuer":"https://a","audiences":[""]}`), "ISSUERS"},
		{"duplicate name", issuers(okta, `{"name":"okta","issuer":"https://other","audiences":["x"]}`), "ISSUERS"},
		{"duplicate issuer", issuers(okta, `{"name":"b","issuer":"https://okta.example.com","jwks_url":"https://b/jwks","audiences":["x"]}`), "ISSUERS"},
		{"shared key source", issuers(okta, `{"name":"b","issuer":"https://b","jwks_url":"https://okta.example.com","audiences":["x"]}`), "ISSUERS"},
		{"no name", issuers(`{"issuer":"https://a","audiences":["x"]}`), "ISSUERS"},
		{"name with a space", issuers(`{"name":"a b","issuer":"https://a","audiences":["x"]}`), "ISSUERS"},
		{"name too long", issuers(`{"name":"` + strings.Repeat("a", 65) + `","issuer":"https://a","audiences":["x"]}`), "ISSUERS"},
		{"unknown member", issuers(`{"name":"a","issuer":"https://a","audience":["x"]}`), "ISSUERS"},
		{"member in another case", issuers(`{"Name":"a","issuer":"https://a","audiences":["x"]}`), "ISSUERS"},
		{"member twice", issuers(`{"name":"a","name":"b","issuer":"https://a","audiences":["x"]}`), "ISSUERS"},
		{"audiences not a list", issuers(`{"name":"a","issuer":"https://a","audiences":"x"}`), "ISSUERS"},
		{"null entry", issuers(`null`), "ISSUERS"},
		{"empty array", map[string]string{"ISSUERS": "[]"}, "ISSUERS"},
		{"object, not array", map[string]string{"ISSUERS": okta}, "ISSUERS"},
		{"trailing data", map[string]string{"ISSUERS": "[" + okta + "] x"}, "ISSUERS"},
		{"user id claim with a quote", with("USER_ID_CLAIM", `u"id`), "USER_ID_CLAIM"},
		{"user id claim with a comma", with("USER_ID_CLAIM", "uid,omitempty"), "USER_ID_CLAIM"},
		{"user id claim with a backslash", with("USER_ID_CLAIM", `u\id`), "USER_ID_CLAIM"},
		{"user id claim with a space", with("USER_ID_CLAIM", "user id"), "USER_ID_CLAIM"},
		{"user id claim too long", with("USER_ID_CLAIM", strings.Repeat("c", 65)), "USER_ID_CLAIM"},
		{"entry user id claim with a comma", issuers(`{"name":"a","issuer":"https://a","audiences":["x"],"user_id_claim":"uid,string"}`), "ISSUERS"},
	})
	// Without ISSUER nor ISSUERS, the message says what is missing.
	if _, err := fromMap(map[string]string{"AUDIENCES": "api"}); err == nil || !strings.Contains(err.Error(), "required") {
		t.Errorf("err = %v, want ISSUER required", err)
	}
	if !validName(strings.Repeat("a", 64)) || !validName("Okta_workforce-1") {
		t.Error("valid names rejected")
	}
}

// TestClaimName: the user_id_claim rule, in both forms (USER_ID_CLAIM and an
// ISSUERS entry). modules/authorizer/tests/validation.tftest.hcl states the
// same cases at plan.
func TestClaimName(t *testing.T) {
	good := []string{
		"sub", "uid", "email", "username", "oid", "custom:tenant_user-id", "https://example.com/uid",
		"a.b", "A_1", strings.Repeat("c", 64),
	}
	for _, name := range good {
		if err := CheckClaimName(name); err != nil {
			t.Errorf("%q rejected: %v", name, err)
		}
		if _, err := fromMap(with("USER_ID_CLAIM", name)); err != nil {
			t.Errorf("USER_ID_CLAIM %q rejected: %v", name, err)
		}
		if _, err := fromMap(issuers(`{"name":"a","issuer":"https://a","audiences":["x"],"user_id_claim":"` + name + `"}`)); err != nil {
			t.Errorf("ISSUERS user_id_claim %q rejected: %v", name, err)
		}
	}
	bad := []string{
		// Registered and scope claims: none names a user.
		"iss", "aud", "exp", "nbf", "iat", "jti", "scp", "scope", "client_id", "cid", "token_use",
		// Outside the alphabet or too long.
		strings.Repeat("c", 65), "user id", "uid,string", `u"id`, `u\id`, "u\tid", "üid", "uid*", "uid@x", "uid+",
	}
	for _, name := range bad {
		if CheckClaimName(name) == nil {
			t.Errorf("%q accepted", name)
		}
		runRejects(t, []rejectCase{
			{"USER_ID_CLAIM " + name, with("USER_ID_CLAIM", name), "USER_ID_CLAIM"},
			{"ISSUERS user_id_claim " + name, issuers(`{"name":"a","issuer":"https://a","audiences":["x"],"user_id_claim":` + strconv.Quote(name) + `}`), "ISSUERS"},
		})
	}
	// The message says what is wrong.
	if err := CheckClaimName("client_id"); err == nil || !strings.Contains(err.Error(), "never a user id") {
		t.Errorf("err = %v, want the reserved-claim reason", err)
	}
}
