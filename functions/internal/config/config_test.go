package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"ISSUER": "https://issuer.example.com"}))
	if err != nil {
		t.Fatal(err)
	}
	want := &Authorizer{
		Issuers:            []Issuer{{Name: "default", Issuer: "https://issuer.example.com", UserIDClaim: "sub"}},
		Routes:             []Route{{Route: "GET/hello/{userId}"}},
		Algorithms:         []string{"RS256"},
		KeysCacheTTL:       time.Hour,
		KeysMaxStale:       24 * time.Hour,
		RefetchMinInterval: 10 * time.Second,
		ClockSkew:          time.Minute,
		JWKSFetchTimeout:   2 * time.Second,
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
	if c.Issuers[0].KeysSource() != c.Issuers[0].Issuer {
		t.Fatal("KeysSource should fall back to issuer")
	}
}

func TestAll(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		"ISSUER":                            " https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc ",
		"JWKS_URL":                          "https://example.com/jwks.json",
		"AUDIENCES":                         "a, b,,",
		"CLIENT_IDS":                        " c1 ,c2",
		"TOKEN_USE":                         "access",
		"REQUIRED_SCOPES":                   "read, write",
		"USER_ID_CLAIM":                     "uid",
		"ALLOWED_ROUTES":                    "GET/hello/{userId}, POST/users/{userId}/items",
		"ALLOWED_ALGORITHMS":                "RS256,ES256,EdDSA",
		"KEYS_TABLE_NAME":                   "keys",
		"KEYS_CACHE_TTL_SECONDS":            "60",
		"JWKS_REFETCH_MIN_INTERVAL_SECONDS": "0",
		"CLOCK_SKEW_SECONDS":                "5",
		"JWKS_FETCH_TIMEOUT_MS":             "500",
	}))
	if err != nil {
		t.Fatal(err)
	}
	i := c.Issuers[0]
	if i.Issuer != "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc" ||
		!reflect.DeepEqual(i.Audiences, []string{"a", "b"}) ||
		!reflect.DeepEqual(i.ClientIDs, []string{"c1", "c2"}) ||
		!reflect.DeepEqual(c.RequiredScopes, []string{"read", "write"}) ||
		!reflect.DeepEqual(c.Routes, []Route{{Route: "GET/hello/{userId}"}, {Route: "POST/users/{userId}/items"}}) ||
		!reflect.DeepEqual(c.Algorithms, []string{"RS256", "ES256", "EdDSA"}) ||
		i.UserIDClaim != "uid" || i.TokenUse != "access" || c.KeysTableName != "keys" ||
		c.KeysCacheTTL != time.Minute || c.RefetchMinInterval != 0 || c.ClockSkew != 5*time.Second ||
		c.JWKSFetchTimeout != 500*time.Millisecond || i.KeysSource() != "https://example.com/jwks.json" {
		t.Fatalf("unexpected %+v", c)
	}
}

func TestInvalid(t *testing.T) {
	cases := []struct{ name, key, value string }{
		{"missing issuer", "ISSUER", ""},
		{"issuer not url", "ISSUER", "issuer"},
		{"jwks url", "JWKS_URL", "ftp://x"},
		{"alg none", "ALLOWED_ALGORITHMS", "none"},
		{"alg hs256", "ALLOWED_ALGORITHMS", "RS256,HS256"},
		{"route no placeholder", "ALLOWED_ROUTES", "GET/hello"},
		{"route two placeholders", "ALLOWED_ROUTES", "GET/{userId}/{userId}"},
		{"route no verb", "ALLOWED_ROUTES", "/hello/{userId}"},
		{"route bad verb", "ALLOWED_ROUTES", "FETCH/hello/{userId}"},
		{"route wildcard", "ALLOWED_ROUTES", "GET/*/{userId}"},
		{"route query", "ALLOWED_ROUTES", "GET/a?/{userId}"},
		{"route space", "ALLOWED_ROUTES", "GET/a b/{userId}"},
		{"scope space", "REQUIRED_SCOPES", "a b"},
		{"ttl zero", "KEYS_CACHE_TTL_SECONDS", "0"},
		{"ttl text", "KEYS_CACHE_TTL_SECONDS", "1h"},
		{"refetch negative", "JWKS_REFETCH_MIN_INTERVAL_SECONDS", "-1"},
		{"skew huge", "CLOCK_SKEW_SECONDS", "99999"},
		{"timeout zero", "JWKS_FETCH_TIMEOUT_MS", "0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]string{"ISSUER": "https://issuer.example.com"}
			m[tc.key] = tc.value
			_, err := FromEnv(env(m))
			if !errors.Is(err, ErrInvalidSetting) {
				t.Fatalf("err = %v, want ErrInvalidSetting", err)
			}
			if !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("error %q does not name %s", err, tc.key)
			}
		})
	}
}

func TestList(t *testing.T) {
	if got := List(" a ,, b ,"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatal(got)
	}
	if got := List(""); got != nil {
		t.Fatal(got)
	}
}
