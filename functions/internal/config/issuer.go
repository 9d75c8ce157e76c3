package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// Issuer is one trusted token issuer. The token's unverified "iss" picks the
// entry by exact match; its keys are then the only ones tried.
type Issuer struct {
	Name        string   // "default" for the one-issuer form; ISSUERS names each entry
	Issuer      string   // exact "iss"; https, or http only to a loopback host
	JWKSURL     string   // "" → OIDC discovery from Issuer; same URL rule as Issuer
	Audiences   []string // at least one of Audiences / ClientIDs is set
	ClientIDs   []string
	TokenUse    string // "" → token_use not checked
	UserIDClaim string // default DefaultUserIDClaim

	// GroupsClaim holds the token's groups (an array of strings or one
	// space-separated string); nil: routes that name groups are never
	// earned through this issuer.
	GroupsClaim ClaimPath
	// PathClaims binds a path parameter to a claim, as {userId} is bound
	// to UserIDClaim: {"tenantId": "custom:tenant_id"}.
	PathClaims map[string]string
	// ContextClaims forwards claims to the backend: context key → claim.
	ContextClaims map[string]string
}

// KeysSource is the document the key cache is keyed by (the DynamoDB item):
// JWKSURL when set, otherwise the issuer, whose discovery document names the
// JWKS.
func (i Issuer) KeysSource() string {
	if i.JWKSURL != "" {
		return i.JWKSURL
	}
	return i.Issuer
}

// oneIssuerVars are the variables of the one-issuer form.
var oneIssuerVars = []string{"ISSUER", "JWKS_URL", "AUDIENCES", "CLIENT_IDS", "TOKEN_USE", "USER_ID_CLAIM"}

// issuerJSON is one ISSUERS entry as written.
type issuerJSON struct {
	Name        string   `json:"name"`
	Issuer      string   `json:"issuer"`
	JWKSURL     string   `json:"jwks_url"`
	Audiences   []string `json:"audiences"`
	ClientIDs   []string `json:"client_ids"`
	TokenUse    string   `json:"token_use"`
	UserIDClaim string   `json:"user_id_claim"`

	GroupsClaim   ClaimPath         `json:"groups_claim"`
	PathClaims    map[string]string `json:"path_claims"`
	ContextClaims map[string]string `json:"context_claims"`
}

func issuersFromEnv(getenv func(string) string) ([]Issuer, error) {
	raw := strings.TrimSpace(getenv("ISSUERS"))
	if raw == "" {
		return oneIssuer(getenv)
	}
	for _, v := range oneIssuerVars {
		if strings.TrimSpace(getenv(v)) != "" {
			return nil, invalid("ISSUERS", "set together with %s; use one form only", v)
		}
	}
	entries, err := decodeStrict[issuerJSON](raw, "name", "issuer", "jwks_url", "audiences", "client_ids", "token_use", "user_id_claim",
		"groups_claim", "path_claims", "context_claims")
	if err != nil {
		return nil, invalid("ISSUERS", "%v", err)
	}
	if len(entries) == 0 {
		return nil, invalid("ISSUERS", "no entries")
	}
	out := make([]Issuer, 0, len(entries))
	for n, e := range entries {
		iss := Issuer(e)
		if iss.UserIDClaim == "" {
			iss.UserIDClaim = DefaultUserIDClaim
		}
		if err := checkIssuer(iss); err != nil {
			return nil, invalid("ISSUERS", "entry %d: %v", n, err)
		}
		for _, prev := range out {
			switch {
			case prev.Name == iss.Name:
				return nil, invalid("ISSUERS", "entry %d: name %q used twice", n, iss.Name)
			case prev.Issuer == iss.Issuer:
				return nil, invalid("ISSUERS", "entry %d: issuer %q used twice", n, iss.Issuer)
			case prev.KeysSource() == iss.KeysSource():
				// The key cache files each issuer's keys under KeysSource.
				return nil, invalid("ISSUERS", "entry %d: %q shares its key source %q with %q", n, iss.Name, iss.KeysSource(), prev.Name)
			}
		}
		out = append(out, iss)
	}
	return out, nil
}

// oneIssuer reads ISSUER, JWKS_URL, ... into the entry named "default".
func oneIssuer(getenv func(string) string) ([]Issuer, error) {
	iss := Issuer{
		Name:        DefaultIssuerName,
		Issuer:      strings.TrimSpace(getenv("ISSUER")),
		JWKSURL:     strings.TrimSpace(getenv("JWKS_URL")),
		Audiences:   list(getenv("AUDIENCES")),
		ClientIDs:   list(getenv("CLIENT_IDS")),
		TokenUse:    strings.TrimSpace(getenv("TOKEN_USE")),
		UserIDClaim: strings.TrimSpace(getenv("USER_ID_CLAIM")),
	}
	if iss.UserIDClaim == "" {
		iss.UserIDClaim = DefaultUserIDClaim
	}
	if iss.Issuer == "" {
		return nil, invalid("ISSUER", "required (or ISSUERS)")
	}
	if err := checkURL(iss.Issuer); err != nil {
		return nil, invalid("ISSUER", "%v", err)
	}
	if iss.JWKSURL != "" {
		if err := checkURL(iss.JWKSURL); err != nil {
			return nil, invalid("JWKS_URL", "%v", err)
		}
	}
	if len(iss.Audiences) == 0 && len(iss.ClientIDs) == 0 {
		return nil, invalid("AUDIENCES", "set AUDIENCES or CLIENT_IDS: a token minted for another app of the issuer must not pass (RFC 8725 §3.9)")
	}
	if err := CheckClaimName(iss.UserIDClaim); err != nil {
		return nil, invalid("USER_ID_CLAIM", "%v", err)
	}
	return []Issuer{iss}, nil
}

// checkIssuer checks one ISSUERS entry.
func checkIssuer(i Issuer) error {
	if !validName(i.Name) {
		return fmt.Errorf("name %q is not 1 to 64 of [A-Za-z0-9_-]", i.Name)
	}
	if err := checkURL(i.Issuer); err != nil {
		return fmt.Errorf("%s: issuer: %w", i.Name, err)
	}
	if i.JWKSURL != "" {
		if err := checkURL(i.JWKSURL); err != nil {
			return fmt.Errorf("%s: jwks_url: %w", i.Name, err)
		}
	}
	if len(i.Audiences) == 0 && len(i.ClientIDs) == 0 {
		return fmt.Errorf("%s: set audiences or client_ids: a token minted for another app of the issuer must not pass (RFC 8725 §3.9)", i.Name)
	}
	if err := CheckClaimName(i.UserIDClaim); err != nil {
		return fmt.Errorf("%s: user_id_claim: %w", i.Name, err)
	}
	for _, v := range append(append([]string{}, i.Audiences...), i.ClientIDs...) {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%s: empty audience or client id", i.Name)
		}
	}
	return checkClaimMaps(i)
}

// checkURL is the one rule for ISSUER and JWKS_URL (and each ISSUERS
// entry's issuer and jwks_url): an https URL, or an http URL whose host is
// loopback (127.0.0.0/8, ::1 or localhost), for tests and local runs. Keys
// fetched over plain http from anywhere else could be swapped on the way.
// Only visible ASCII is allowed: "iss" is compared byte for byte.
func checkURL(v string) error {
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] >= 0x7f {
			return fmt.Errorf("%q: byte %d is not visible ASCII", v, i)
		}
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%q is not an absolute URL", v)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%q: http is allowed only to a loopback host; use https", v)
	}
	return fmt.Errorf("%q: scheme must be https", v)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validName reports whether s is 1 to 64 of [A-Za-z0-9_-]: issuer names go
// into logs and the authorizer context, so they stay plain.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// reservedClaims are the claims the verifier reads for its own checks: the
// registered ones (RFC 7519 §4.1) and the client, scope and token_use claims.
// None of them names a user, so none is a user_id_claim; "sub" is.
var reservedClaims = []string{"iss", "aud", "exp", "nbf", "iat", "jti", "scp", "scope", "client_id", "cid", "token_use"}

// CheckClaimName checks a user-id claim name: 1 to 64 of [A-Za-z0-9_.:/-]
// (sub, uid, email, username, custom:tenant_user-id, https://example.com/uid),
// and none of reservedClaims. modules/authorizer states the same rule at
// plan; token.New applies it again for verifiers built without FromEnv.
func CheckClaimName(s string) error {
	if err := checkClaimChars(s); err != nil {
		return err
	}
	if slices.Contains(reservedClaims, s) {
		return fmt.Errorf("claim name %q is a registered or scope claim (%s), never a user id", s, strings.Join(reservedClaims, " "))
	}
	return nil
}
