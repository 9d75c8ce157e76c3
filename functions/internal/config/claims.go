package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4/json"
)

// Limits of the claims an issuer maps to groups, path parameters and the
// authorizer context. modules/authorizer states the same at plan.
const (
	MaxGroupsClaimDepth = 4  // names of a nested groups claim
	MaxPathClaims       = 8  // entries of path_claims
	MaxContextClaims    = 16 // entries of context_claims
)

// ReservedContextKeys are the context keys the authorizer always sets and
// those API Gateway adds ($context.authorizer.principalId,
// integrationLatency); no context_claims entry may override them (compared
// without case, so that a backend reading headers never meets two spellings
// of one key).
var ReservedContextKeys = []string{"userId", "scope", "clientId", "issuer", "issuerName", "principalId", "integrationLatency"}

// ClaimPath names a claim, nested when it holds more than one name:
// ["realm_access", "roles"] is the member "roles" of the object claim
// "realm_access". Names are never split on dots: Auth0's
// "https://example.com/roles" is one name. In JSON it is one string or an
// array of strings.
type ClaimPath []string

// UnmarshalJSON reads one name or an array of names.
func (p *ClaimPath) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*p = ClaimPath{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("a claim path is a string or an array of strings")
	}
	*p = list
	return nil
}

// checkClaimChars is the character rule of every claim name the
// configuration holds: 1 to 64 of [A-Za-z0-9_.:/-].
func checkClaimChars(s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("claim name %q is not 1 to 64 characters", s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.:/-", c) >= 0) {
			return fmt.Errorf("claim name %q: byte %d is not a letter, digit or one of _ . : / -", s, i)
		}
	}
	return nil
}

// checkClaimMaps checks an issuer's groups_claim, path_claims and
// context_claims.
func checkClaimMaps(i Issuer) error {
	if i.GroupsClaim != nil && (len(i.GroupsClaim) == 0 || len(i.GroupsClaim) > MaxGroupsClaimDepth) {
		return fmt.Errorf("%s: groups_claim: 1 to %d names", i.Name, MaxGroupsClaimDepth)
	}
	for _, n := range i.GroupsClaim {
		if err := checkClaimChars(n); err != nil {
			return fmt.Errorf("%s: groups_claim: %w", i.Name, err)
		}
	}
	if len(i.PathClaims) > MaxPathClaims {
		return fmt.Errorf("%s: path_claims: at most %d entries", i.Name, MaxPathClaims)
	}
	for param, claim := range i.PathClaims {
		if err := checkParam(param); err != nil || len(param) > 64 {
			return fmt.Errorf("%s: path_claims: %q is not a parameter name of 1 to 64 of [A-Za-z_][A-Za-z0-9_]* other than userId", i.Name, param)
		}
		// A bound parameter is written into the policy as a user id is.
		if err := CheckClaimName(claim); err != nil {
			return fmt.Errorf("%s: path_claims: %s: %w", i.Name, param, err)
		}
	}
	if len(i.ContextClaims) > MaxContextClaims {
		return fmt.Errorf("%s: context_claims: at most %d entries", i.Name, MaxContextClaims)
	}
	for key, claim := range i.ContextClaims {
		if !validContextKey(key) {
			return fmt.Errorf("%s: context_claims: key %q is not 1 to 64 of [A-Za-z0-9_]", i.Name, key)
		}
		if slices.ContainsFunc(ReservedContextKeys, func(r string) bool { return strings.EqualFold(r, key) }) {
			return fmt.Errorf("%s: context_claims: key %q is set by the authorizer (%s)", i.Name, key, strings.Join(ReservedContextKeys, " "))
		}
		if err := checkClaimChars(claim); err != nil {
			return fmt.Errorf("%s: context_claims: %s: %w", i.Name, key, err)
		}
	}
	return nil
}

// validContextKey: context keys become $context.authorizer.<key> in mapping
// expressions and headers of the backend, so they stay plain.
func validContextKey(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// BoundParams returns the parameter names issuers bind to a claim
// (path_claims), sorted, without userId, which every issuer binds.
func BoundParams(issuers []Issuer) []string {
	var out []string
	for _, i := range issuers {
		for p := range i.PathClaims {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
