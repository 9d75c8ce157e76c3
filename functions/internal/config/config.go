package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidSetting is wrapped by every error FromEnv returns; the message
// names the environment variable at fault.
var ErrInvalidSetting = errors.New("invalid setting")

// Defaults of the optional settings. They live here only: the Terraform
// variables default to null and the other packages take the typed result.
const (
	DefaultIssuerName         = "default" // name of the one-issuer form's entry
	DefaultUserIDClaim        = "sub"
	DefaultRoute              = "GET/hello/{userId}"
	DefaultAlgorithm          = "RS256"
	DefaultKeysCacheTTL       = 3600 * time.Second
	DefaultKeysMaxStale       = 86400 * time.Second
	DefaultRefetchMinInterval = 10 * time.Second
	DefaultClockSkew          = 60 * time.Second
	DefaultJWKSFetchTimeout   = 2000 * time.Millisecond
	DefaultMetricsNamespace   = "JWTAuthorizer"
)

// Bounds of the duration settings.
const (
	maxDurationSeconds      = 7 * 24 * 3600
	maxClockSkewSeconds     = 3600
	maxFetchTimeoutMillisec = 60_000
)

// SupportedAlgorithms are the JWS algorithms ALLOWED_ALGORITHMS may name; it
// is the one allow-list of the project. "none" and the HMAC family are absent
// on purpose: a verifier holding only public keys must never accept them.
var SupportedAlgorithms = []string{
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512", "EdDSA",
}

// Authorizer holds the settings of the authorizer function.
type Authorizer struct {
	Issuers            []Issuer      // ISSUER, ... (one entry "default") or ISSUERS (JSON)
	Routes             []Route       // ROUTES (JSON) or ALLOWED_ROUTES (shorthand)
	RequiredScopes     []string      // REQUIRED_SCOPES, every token must carry all of them
	Algorithms         []string      // ALLOWED_ALGORITHMS, default RS256
	KeysTableName      string        // KEYS_TABLE_NAME, "" → memory-only key cache
	KeysCacheTTL       time.Duration // KEYS_CACHE_TTL_SECONDS
	KeysMaxStale       time.Duration // KEYS_MAX_STALE_SECONDS; 0 = never serve keys past their TTL
	RefetchMinInterval time.Duration // JWKS_REFETCH_MIN_INTERVAL_SECONDS; 0 = no window, see doc.go
	ClockSkew          time.Duration // CLOCK_SKEW_SECONDS
	JWKSFetchTimeout   time.Duration // JWKS_FETCH_TIMEOUT_MS
	MetricsNamespace   string        // METRICS_NAMESPACE, the CloudWatch namespace of the EMF metrics
}

// FromEnv reads and validates the authorizer settings through getenv
// (os.Getenv in main, a map lookup in tests). Every error wraps
// ErrInvalidSetting and names the variable at fault.
func FromEnv(getenv func(string) string) (*Authorizer, error) {
	c := &Authorizer{}
	var err error
	if c.Issuers, err = issuersFromEnv(getenv); err != nil {
		return nil, err
	}
	if c.Routes, err = routesFromEnv(getenv, c.Issuers); err != nil {
		return nil, err
	}
	c.RequiredScopes = list(getenv("REQUIRED_SCOPES"))
	if err := checkScopes(c.RequiredScopes); err != nil {
		return nil, invalid("REQUIRED_SCOPES", "%v", err)
	}
	if c.Algorithms, err = algorithms(getenv("ALLOWED_ALGORITHMS")); err != nil {
		return nil, err
	}
	c.KeysTableName = strings.TrimSpace(getenv("KEYS_TABLE_NAME"))
	if c.MetricsNamespace, err = metricsNamespace(getenv("METRICS_NAMESPACE")); err != nil {
		return nil, err
	}
	durations := []struct {
		name   string
		unit   time.Duration
		lo, hi int64
		def    time.Duration
		dst    *time.Duration
	}{
		{"KEYS_CACHE_TTL_SECONDS", time.Second, 1, maxDurationSeconds, DefaultKeysCacheTTL, &c.KeysCacheTTL},
		{"KEYS_MAX_STALE_SECONDS", time.Second, 0, maxDurationSeconds, DefaultKeysMaxStale, &c.KeysMaxStale},
		{"JWKS_REFETCH_MIN_INTERVAL_SECONDS", time.Second, 0, maxDurationSeconds, DefaultRefetchMinInterval, &c.RefetchMinInterval},
		{"CLOCK_SKEW_SECONDS", time.Second, 0, maxClockSkewSeconds, DefaultClockSkew, &c.ClockSkew},
		{"JWKS_FETCH_TIMEOUT_MS", time.Millisecond, 1, maxFetchTimeoutMillisec, DefaultJWKSFetchTimeout, &c.JWKSFetchTimeout},
	}
	for _, d := range durations {
		if *d.dst, err = duration(d.name, getenv(d.name), d.unit, d.lo, d.hi, d.def); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// namespaceRE is CloudWatch's rule for a namespace: 1-255 of these
// characters, and "AWS/" is reserved.
var namespaceRE = regexp.MustCompile(`^[0-9A-Za-z._/#: -]{1,255}$`)

// metricsNamespace reads METRICS_NAMESPACE (default DefaultMetricsNamespace).
func metricsNamespace(v string) (string, error) {
	switch {
	case v == "":
		return DefaultMetricsNamespace, nil
	case !namespaceRE.MatchString(v) || strings.HasPrefix(v, "AWS/"):
		return "", invalid("METRICS_NAMESPACE", "%q: 1-255 of letters, digits and . - _ / # : space, not starting with AWS/", v)
	}
	return v, nil
}

// invalid builds the error of a setting: "read NAME: why: invalid setting".
func invalid(name, format string, args ...any) error {
	return fmt.Errorf("read %s: %s: %w", name, fmt.Sprintf(format, args...), ErrInvalidSetting)
}

// list splits a comma-separated value, trims each item and drops empty ones.
func list(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// checkScopes holds scopes to RFC 6749 §3.3's scope-token: visible ASCII but
// '"' and '\'. A space would split one scope into two in the "scope" claim.
func checkScopes(scopes []string) error {
	for _, s := range scopes {
		if s == "" {
			return errors.New("empty scope")
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
				return fmt.Errorf("scope %q has a forbidden byte %q", s, c)
			}
		}
	}
	return nil
}

func algorithms(v string) ([]string, error) {
	algs := list(v)
	if len(algs) == 0 {
		return []string{DefaultAlgorithm}, nil
	}
	for _, a := range algs {
		if !slices.Contains(SupportedAlgorithms, a) {
			return nil, invalid("ALLOWED_ALGORITHMS", "%q is not one of %s", a, strings.Join(SupportedAlgorithms, ","))
		}
	}
	return algs, nil
}

// duration reads a whole number of units in [lo, hi]; "" gives def.
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

// Hello holds the settings of the hello function.
type Hello struct {
	// IssuerNames (ISSUER_NAMES, comma-separated) are the configured names
	// of the issuers whose users hello serves; empty serves any. A user id
	// alone does not say whose path it is: two issuers may mint the same id
	// for different people, so hello checks the authorizer's issuerName too.
	IssuerNames []string
}

// HelloFromEnv reads the hello settings through getenv. Every error wraps
// ErrInvalidSetting and names the variable at fault.
func HelloFromEnv(getenv func(string) string) (*Hello, error) {
	names := list(getenv("ISSUER_NAMES"))
	for _, n := range names {
		// The rule of ISSUERS' names: a name it cannot hold never matches.
		if !validName(n) {
			return nil, invalid("ISSUER_NAMES", "name %q is not 1 to 64 of [A-Za-z0-9_-]", n)
		}
	}
	return &Hello{IssuerNames: names}, nil
}
