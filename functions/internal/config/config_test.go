package config

import (
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
)

// base is the smallest valid environment.
var base = map[string]string{"ISSUER": "https://issuer.example.com", "AUDIENCES": "api"}

// with returns base overridden by name/value pairs.
func with(kv ...string) map[string]string {
	m := maps.Clone(base)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func fromMap(m map[string]string) (*Authorizer, error) {
	return FromEnv(func(k string) string { return m[k] })
}

// rejectCase is an environment FromEnv must refuse, naming variable.
type rejectCase struct {
	name     string
	env      map[string]string
	variable string
}

func runRejects(t *testing.T, cases []rejectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := fromMap(tc.env)
			if !errors.Is(err, ErrInvalidSetting) {
				t.Fatalf("err = %v (config %+v), want ErrInvalidSetting", err, c)
			}
			if !strings.Contains(err.Error(), "read "+tc.variable+":") {
				t.Fatalf("error %q does not name %s", err, tc.variable)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c, err := fromMap(base)
	if err != nil {
		t.Fatal(err)
	}
	want := &Authorizer{
		Issuers: []Issuer{{
			Name: "default", Issuer: "https://issuer.example.com", Audiences: []string{"api"}, UserIDClaim: "sub",
		}},
		Routes:             []Route{{Route: "GET/hello/{userId}"}},
		Algorithms:         []string{"RS256"},
		KeysCacheTTL:       time.Hour,
		KeysMaxStale:       24 * time.Hour,
		RefetchMinInterval: 10 * time.Second,
		ClockSkew:          time.Minute,
		JWKSFetchTimeout:   2 * time.Second,
		MetricsNamespace:   DefaultMetricsNamespace,
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
}

func TestOneIssuerForm(t *testing.T) {
	c, err := fromMap(map[string]string{
		"ISSUER":          " https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc ",
		"JWKS_URL":        "https://example.com/jwks.json",
		"AUDIENCES":       "a, b,,",
		"CLIENT_IDS":      " c1 ,c2",
		"TOKEN_USE":       "access",
		"USER_ID_CLAIM":   "uid",
		"REQUIRED_SCOPES": "read, write",
		"ALLOWED_ROUTES":  "GET/hello/{userId}, POST/users/{userId}/items",
		"KEYS_TABLE_NAME": "keys",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Issuer{{
		Name: "default", Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
		JWKSURL: "https://example.com/jwks.json", Audiences: []string{"a", "b"}, ClientIDs: []string{"c1", "c2"},
		TokenUse: "access", UserIDClaim: "uid",
	}}
	if !reflect.DeepEqual(c.Issuers, want) {
		t.Errorf("issuers %+v", c.Issuers)
	}
	if !reflect.DeepEqual(c.Routes, []Route{{Route: "GET/hello/{userId}"}, {Route: "POST/users/{userId}/items"}}) {
		t.Errorf("routes %+v", c.Routes)
	}
	if !reflect.DeepEqual(c.RequiredScopes, []string{"read", "write"}) || c.KeysTableName != "keys" {
		t.Errorf("scopes %q, table %q", c.RequiredScopes, c.KeysTableName)
	}
	if got := c.Issuers[0].KeysSource(); got != "https://example.com/jwks.json" {
		t.Errorf("KeysSource = %q, want the JWKS URL", got)
	}
	if got := (Issuer{Issuer: "https://i"}).KeysSource(); got != "https://i" {
		t.Errorf("KeysSource = %q, want the issuer", got)
	}
}

func TestDurations(t *testing.T) {
	cases := []struct {
		variable, value string
		get             func(*Authorizer) time.Duration
		want            time.Duration
	}{
		{"KEYS_CACHE_TTL_SECONDS", "60", func(c *Authorizer) time.Duration { return c.KeysCacheTTL }, time.Minute},
		{"KEYS_MAX_STALE_SECONDS", "0", func(c *Authorizer) time.Duration { return c.KeysMaxStale }, 0},
		{"KEYS_MAX_STALE_SECONDS", "3600", func(c *Authorizer) time.Duration { return c.KeysMaxStale }, time.Hour},
		{"JWKS_REFETCH_MIN_INTERVAL_SECONDS", "0", func(c *Authorizer) time.Duration { return c.RefetchMinInterval }, 0},
		{"JWKS_REFETCH_MIN_INTERVAL_SECONDS", "30", func(c *Authorizer) time.Duration { return c.RefetchMinInterval }, 30 * time.Second},
		{"CLOCK_SKEW_SECONDS", "0", func(c *Authorizer) time.Duration { return c.ClockSkew }, 0},
		{"CLOCK_SKEW_SECONDS", " 5 ", func(c *Authorizer) time.Duration { return c.ClockSkew }, 5 * time.Second},
		{"JWKS_FETCH_TIMEOUT_MS", "500", func(c *Authorizer) time.Duration { return c.JWKSFetchTimeout }, 500 * time.Millisecond},
	}
	for _, tc := range cases {
		c, err := fromMap(with(tc.variable, tc.value))
		if err != nil {
			t.Errorf("%s=%q: %v", tc.variable, tc.value, err)
			continue
		}
		if got := tc.get(c); got != tc.want {
			t.Errorf("%s=%q: got %v, want %v", tc.variable, tc.value, got, tc.want)
		}
	}
}

func TestAlgorithms(t *testing.T) {
	c, err := fromMap(with("ALLOWED_ALGORITHMS", "RS256, ES256,EdDSA"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Algorithms, []string{"RS256", "ES256", "EdDSA"}) {
		t.Fatalf("algorithms %q", c.Algorithms)
	}
}

func TestRejectSettings(t *testing.T) {
	runRejects(t, []rejectCase{
		{"alg none", with("ALLOWED_ALGORITHMS", "none"), "ALLOWED_ALGORITHMS"},
		{"alg HS256", with("ALLOWED_ALGORITHMS", "RS256,HS256"), "ALLOWED_ALGORITHMS"},
		{"alg lower case", with("ALLOWED_ALGORITHMS", "rs256"), "ALLOWED_ALGORITHMS"},
		{"required scope with a space", with("REQUIRED_SCOPES", "a b"), "REQUIRED_SCOPES"},
		{"required scope with a quote", with("REQUIRED_SCOPES", `a"b`), "REQUIRED_SCOPES"},
		{"required scope not ASCII", with("REQUIRED_SCOPES", "l\u00e9ger"), "REQUIRED_SCOPES"},
		{"ttl zero", with("KEYS_CACHE_TTL_SECONDS", "0"), "KEYS_CACHE_TTL_SECONDS"},
		{"ttl with unit", with("KEYS_CACHE_TTL_SECONDS", "1h"), "KEYS_CACHE_TTL_SECONDS"},
		{"ttl over a week", with("KEYS_CACHE_TTL_SECONDS", "604801"), "KEYS_CACHE_TTL_SECONDS"},
		{"max stale negative", with("KEYS_MAX_STALE_SECONDS", "-1"), "KEYS_MAX_STALE_SECONDS"},
		{"max stale text", with("KEYS_MAX_STALE_SECONDS", "a day"), "KEYS_MAX_STALE_SECONDS"},
		{"refetch negative", with("JWKS_REFETCH_MIN_INTERVAL_SECONDS", "-1"), "JWKS_REFETCH_MIN_INTERVAL_SECONDS"},
		{"skew over an hour", with("CLOCK_SKEW_SECONDS", "3601"), "CLOCK_SKEW_SECONDS"},
		{"timeout zero", with("JWKS_FETCH_TIMEOUT_MS", "0"), "JWKS_FETCH_TIMEOUT_MS"},
		{"timeout over a minute", with("JWKS_FETCH_TIMEOUT_MS", "60001"), "JWKS_FETCH_TIMEOUT_MS"},
		{"namespace reserved by AWS", with("METRICS_NAMESPACE", "AWS/Lambda"), "METRICS_NAMESPACE"},
		{"namespace with a quote", with("METRICS_NAMESPACE", `JWT"Authorizer`), "METRICS_NAMESPACE"},
		{"namespace over 255", with("METRICS_NAMESPACE", strings.Repeat("n", 256)), "METRICS_NAMESPACE"},
	})
}
