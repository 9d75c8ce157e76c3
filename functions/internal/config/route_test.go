package config

import (
	"reflect"
	"strings"
	"testing"
)

// routes is base with ROUTES set to the given entries.
func routes(entries ...string) map[string]string {
	return with("ROUTES", "["+strings.Join(entries, ",")+"]")
}

// twoIssuerRoutes is two issuers with ROUTES set to the given entries.
func twoIssuerRoutes(entries ...string) map[string]string {
	m := issuers(okta, cognito)
	m["ROUTES"] = "[" + strings.Join(entries, ",") + "]"
	return m
}

func TestRoutes(t *testing.T) {
	c, err := fromMap(twoIssuerRoutes(
		`{"route":"GET/users/{userId}/orders/{orderId}","scopes":["orders.read"],"issuers":["cognito"]}`,
		`{"route":"POST/users/{userId}/orders","scopes":["orders.write","orders.read"],"issuers":["okta"]}`,
		`{"route":"GET/catalog/*"}`,
		`{"route":"GET/status","issuers":["okta"]}`,
	))
	if err != nil {
		t.Fatal(err)
	}
	want := []Route{
		{Route: "GET/users/{userId}/orders/{orderId}", Scopes: []string{"orders.read"}, Issuers: []string{"cognito"}},
		{Route: "POST/users/{userId}/orders", Scopes: []string{"orders.write", "orders.read"}, Issuers: []string{"okta"}},
		{Route: "GET/catalog/*"},
		{Route: "GET/status", Issuers: []string{"okta"}},
	}
	if !reflect.DeepEqual(c.Routes, want) {
		t.Fatalf("got  %+v\nwant %+v", c.Routes, want)
	}
}

func TestValidateRoute(t *testing.T) {
	good := []string{
		"GET/", "GET/hello/{userId}", "POST/users/{userId}/items", "PUT/{userId}", "PATCH/a/{userId}/b/{itemId}",
		"DELETE/users/{userId}/*", "HEAD/files/*", "GET/orders/{orderId}", "GET/a.b/c-d_e:f", "GET/{_a}/x", "GET/v1/{a}/x/{b_2}",
		"GET/tenants/acme/users/{userId}/*",
	}
	for _, r := range good {
		if err := ValidateRoute(r); err != nil {
			t.Errorf("%q rejected: %v", r, err)
		}
	}
	bad := []string{
		"", "GET", "/hello/{userId}", "get/hello/{userId}", "FETCH/hello/{userId}", "*/hello/{userId}",
		"OPTIONS/hello/{userId}", "ANY/hello/{userId}",
		"GET/{userId}/{userId}", "GET/{tenant}/{userId}", "GET/{tenant}/users/{userId}/*", "GET/a{userId}", "GET/{userId}b", "GET/{userid}", "GET/{USERID}",
		"GET//a", "GET/a//b", "GET/a/", "GET/.", "GET/a/../b",
		"GET/*", "GET/a/*/b", "GET/{orderId}/*", "GET/a*", "GET/a/**", "GET/{proxy+}", "GET/a/{proxy+}",
		"GET/{}", "GET/{a-b}", "GET/{a", "GET/a}", "GET/{{a}}",
		"GET/a?b", "GET/a b", "GET/a~b", "GET/a,b", "GET/a;b", "GET/a=b", "GET/a@b", "GET/(a)", "GET/[a]", "GET/a|b", "GET/{1abc}", "GET/a\tb", "GET/a\x00", "GET/a\x7f", "GET/caf\u00e9", "GET/a\u2215b",
	}
	for _, r := range bad {
		if err := ValidateRoute(r); err == nil {
			t.Errorf("%q accepted", r)
		}
	}
}

func TestRejectRoutes(t *testing.T) {
	runRejects(t, []rejectCase{
		{"both forms", with("ROUTES", `[{"route":"GET/a/{userId}"}]`, "ALLOWED_ROUTES", "GET/b/{userId}"), "ROUTES"},
		{"bad shorthand route", with("ALLOWED_ROUTES", "GET/hello/{userId}, */x/{userId}"), "ALLOWED_ROUTES"},
		{"bad route", routes(`{"route":"OPTIONS/a"}`), "ROUTES"},
		{"empty array", routes(), "ROUTES"},
		{"unknown member", routes(`{"route":"GET/a","scope":["x"]}`), "ROUTES"},
		{"member in another case", routes(`{"Route":"GET/a"}`), "ROUTES"},
		{"member twice", routes(`{"route":"GET/a","route":"GET/b"}`), "ROUTES"},
		{"not JSON", with("ROUTES", "GET/a"), "ROUTES"},
		{"scope with a space", routes(`{"route":"GET/a","scopes":["a b"]}`), "ROUTES"},
		{"empty scope", routes(`{"route":"GET/a","scopes":[""]}`), "ROUTES"},
		{"unknown issuer", routes(`{"route":"GET/a","issuers":["okta"]}`), "ROUTES"},
		{"open route covers user route", routes(`{"route":"GET/users/{userId}"}`, `{"route":"GET/users/*"}`), "ROUTES"},
		{"open shorthand covers user route", with("ALLOWED_ROUTES", "GET/{a}/orders,GET/users/{userId}/orders"), "ALLOWED_ROUTES"},
		{"user route without issuers", twoIssuerRoutes(`{"route":"GET/users/{userId}"}`), "ROUTES"},
		{"default route with two issuers", map[string]string{"ISSUERS": "[" + okta + "," + cognito + "]"}, "ROUTES"},
		{"shorthand user route with two issuers", map[string]string{"ISSUERS": "[" + okta + "," + cognito + "]", "ALLOWED_ROUTES": "GET/a/{userId}"}, "ALLOWED_ROUTES"},
	})
	// The same open route is fine on its own, and with one issuer a user
	// route may leave its issuers out.
	for _, m := range []map[string]string{
		routes(`{"route":"GET/users/*"}`, `{"route":"GET/users/me"}`),
		routes(`{"route":"GET/users/{userId}"}`, `{"route":"GET/users/me"}`),
		twoIssuerRoutes(`{"route":"GET/users/{userId}","issuers":["okta"]}`, `{"route":"GET/status"}`),
	} {
		if _, err := fromMap(m); err != nil {
			t.Errorf("%v rejected: %v", m["ROUTES"], err)
		}
	}
}
