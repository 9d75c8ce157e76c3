package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidSetting is wrapped by every error FromEnv returns; the message
// names the environment variable at fault.
var ErrInvalidSetting = errors.New("invalid setting")

// UserIDPlaceholder is the token a route template must contain exactly once.
const UserIDPlaceholder = "{userId}"

// Defaults of the optional settings.
const (
	DefaultIssuerName          = "default"
	DefaultUserIDClaim         = "sub"
	DefaultKeysMaxStale        = 86400 * time.Second
	DefaultAllowedRoute        = "GET/hello/{userId}"
	DefaultAllowedAlgorithm    = "RS256"
	DefaultKeysCacheTTL        = 3600 * time.Second
	DefaultRefetchMinInterval  = 10 * time.Second
	DefaultClockSkew           = 60 * time.Second
	DefaultJWKSFetchTimeout    = 2000 * time.Millisecond
	maxDurationSeconds         = 7 * 24 * 3600
	maxFetchTimeoutMillisecond = 60_000
)

// SupportedAlgorithms are the JWS algorithms ALLOWED_ALGORITHMS may name.
// "none" and the HMAC family are absent on purpose: a verifier holding only
// public keys must never accept them.
var SupportedAlgorithms = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA",
}

// Issuer is one trusted token issuer.
type Issuer struct {
	Name        string   // "default" for the one-issuer form (ISSUER, ...)
	Issuer      string   // exact "iss"; https, or http only to a loopback host
	JWKSURL     string   // "" → OIDC discovery from Issuer; same URL rule as Issuer
	Audiences   []string // at least one of Audiences / ClientIDs is required
	ClientIDs   []string
	TokenUse    string // "" → token_use not checked
	UserIDClaim string // default DefaultUserIDClaim
}

// KeysSource is the document the key cache is keyed by: JWKSURL when set,
// otherwise the issuer (whose discovery document names the JWKS).
func (i Issuer) KeysSource() string {
	if i.JWKSURL != "" {
		return i.JWKSURL
	}
	return i.Issuer
}

// Route is one route a token may earn.
type Route struct {
	Route   string   // "VERB/path" as validated
	Scopes  []string // all required for this route
	Issuers []string // Issuer.Name values; empty = all issuers
}

// Authorizer holds the settings of the authorizer function.
type Authorizer struct {
	Issuers            []Issuer      // ISSUER, ... (one entry "default") or ISSUERS (JSON)
	Routes             []Route       // ROUTES (JSON) or ALLOWED_ROUTES (shorthand)
	RequiredScopes     []string      // REQUIRED_SCOPES, global
	Algorithms         []string      // ALLOWED_ALGORITHMS, default RS256
	KeysTableName      string        // KEYS_TABLE_NAME, "" → memory-only key cache
	KeysCacheTTL       time.Duration // KEYS_CACHE_TTL_SECONDS
	KeysMaxStale       time.Duration // KEYS_MAX_STALE_SECONDS; 0 = never past TTL
	RefetchMinInterval time.Duration // JWKS_REFETCH_MIN_INTERVAL_SECONDS; 0 = no window
	ClockSkew          time.Duration // CLOCK_SKEW_SECONDS
	JWKSFetchTimeout   time.Duration // JWKS_FETCH_TIMEOUT_MS
}

// FromEnv reads the authorizer settings through getenv (os.Getenv in main,
// a map lookup in tests).
func FromEnv(getenv func(string) string) (*Authorizer, error) {
	c := &Authorizer{}
	var err error
	iss := Issuer{Name: DefaultIssuerName}
	if iss.Issuer, err = issuer(getenv("ISSUER")); err != nil {
		return nil, err
	}
	if iss.JWKSURL, err = optionalURL("JWKS_URL", getenv("JWKS_URL")); err != nil {
		return nil, err
	}
	iss.Audiences = List(getenv("AUDIENCES"))
	iss.ClientIDs = List(getenv("CLIENT_IDS"))
	iss.TokenUse = strings.TrimSpace(getenv("TOKEN_USE"))
	iss.UserIDClaim = strings.TrimSpace(getenv("USER_ID_CLAIM"))
	if iss.UserIDClaim == "" {
		iss.UserIDClaim = DefaultUserIDClaim
	}
	c.Issuers = []Issuer{iss}
	c.RequiredScopes = List(getenv("REQUIRED_SCOPES"))
	for _, s := range c.RequiredScopes {
		if strings.ContainsAny(s, " \t") {
			return nil, invalid("REQUIRED_SCOPES", "scope %q contains whitespace", s)
		}
	}
	if c.Routes, err = routes(getenv("ALLOWED_ROUTES")); err != nil {
		return nil, err
	}
	if c.Algorithms, err = algorithms(getenv("ALLOWED_ALGORITHMS")); err != nil {
		return nil, err
	}
	c.KeysTableName = strings.TrimSpace(getenv("KEYS_TABLE_NAME"))
	if c.KeysCacheTTL, err = duration("KEYS_CACHE_TTL_SECONDS", getenv("KEYS_CACHE_TTL_SECONDS"), time.Second, 1, maxDurationSeconds, DefaultKeysCacheTTL); err != nil {
		return nil, err
	}
	if c.KeysMaxStale, err = duration("KEYS_MAX_STALE_SECONDS", getenv("KEYS_MAX_STALE_SECONDS"), time.Second, 0, maxDurationSeconds, DefaultKeysMaxStale); err != nil {
		return nil, err
	}
	if c.RefetchMinInterval, err = duration("JWKS_REFETCH_MIN_INTERVAL_SECONDS", getenv("JWKS_REFETCH_MIN_INTERVAL_SECONDS"), time.Second, 0, maxDurationSeconds, DefaultRefetchMinInterval); err != nil {
		return nil, err
	}
	if c.ClockSkew, err = duration("CLOCK_SKEW_SECONDS", getenv("CLOCK_SKEW_SECONDS"), time.Second, 0, 3600, DefaultClockSkew); err != nil {
		return nil, err
	}
	if c.JWKSFetchTimeout, err = duration("JWKS_FETCH_TIMEOUT_MS", getenv("JWKS_FETCH_TIMEOUT_MS"), time.Millisecond, 1, maxFetchTimeoutMillisecond, DefaultJWKSFetchTimeout); err != nil {
		return nil, err
	}
	return c, nil
}

// List splits a comma-separated value, trims each item and drops empty ones.
func List(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func invalid(name, format string, args ...any) error {
	return fmt.Errorf("read %s: %s: %w", name, fmt.Sprintf(format, args...), ErrInvalidSetting)
}

func issuer(v string) (string, error) {
	// Not trimmed beyond surrounding spaces: "iss" is compared byte for byte,
	// so a trailing slash matters and must be configured as the issuer emits it.
	v = strings.TrimSpace(v)
	if v == "" {
		return "", invalid("ISSUER", "required")
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return "", invalid("ISSUER", "%q is not an http(s) URL", v)
	}
	return v, nil
}

func optionalURL(name, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return "", invalid(name, "%q is not an http(s) URL", v)
	}
	return v, nil
}

func routes(v string) ([]Route, error) {
	list := List(v)
	if len(list) == 0 {
		return []Route{{Route: DefaultAllowedRoute}}, nil
	}
	var out []Route
	for _, r := range list {
		if err := ValidateRoute(r); err != nil {
			return nil, invalid("ALLOWED_ROUTES", "%v", err)
		}
		out = append(out, Route{Route: r})
	}
	return out, nil
}

var verbs = map[string]bool{
	"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
	"HEAD": true, "OPTIONS": true, "*": true,
}

// ValidateRoute checks a route template "VERB/path" with exactly one
// {userId}. The path may not hold "*" or "?" outside what the template says,
// because they are wildcards in an execute-api resource ARN.
func ValidateRoute(r string) error {
	verb, path, ok := strings.Cut(r, "/")
	if !ok || !verbs[verb] {
		return fmt.Errorf("route %q must start with an HTTP verb and a slash", r)
	}
	if strings.Count(path, UserIDPlaceholder) != 1 {
		return fmt.Errorf("route %q must contain %s exactly once", r, UserIDPlaceholder)
	}
	rest := strings.Replace(path, UserIDPlaceholder, "", 1)
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c <= ' ' || c >= 0x7f || c == '?' || c == '{' || c == '}' || c == '*' {
			return fmt.Errorf("route %q has a forbidden character %q", r, c)
		}
	}
	if strings.Contains(path, "//") {
		return fmt.Errorf("route %q has an empty path segment", r)
	}
	return nil
}

func algorithms(v string) ([]string, error) {
	list := List(v)
	if len(list) == 0 {
		return []string{DefaultAllowedAlgorithm}, nil
	}
	for _, a := range list {
		ok := false
		for _, s := range SupportedAlgorithms {
			ok = ok || a == s
		}
		if !ok {
			return nil, invalid("ALLOWED_ALGORITHMS", "%q is not one of %s", a, strings.Join(SupportedAlgorithms, ","))
		}
	}
	return list, nil
}

func duration(name, v string, unit time.Duration, lo, hi int64, def time.Duration) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, invalid(name, "%q is not an integer in [%d, %d]", v, lo, hi)
	}
	return time.Duration(n) * unit, nil
}

// Hello holds the settings of the hello function; it has none yet, and the
// type exists so main stays "config + wiring" like the authorizer's.
type Hello struct{}

// HelloFromEnv reads the hello settings.
func HelloFromEnv(func(string) string) (*Hello, error) { return &Hello{}, nil }
