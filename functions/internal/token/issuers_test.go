package token

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// TestIssuers: two issuers with different keys under the same kid. Each
// token verifies only with the keys of the issuer its "iss" names, and an
// unknown "iss" is refused before any key lookup.
func TestIssuers(t *testing.T) {
	const okta = "https://example.okta.com/oauth2/default"
	cognitoKey, oktaKey := jwttest.NewRSA("same-kid", 2048), jwttest.NewRSA("same-kid", 2048)
	cognitoKeys, oktaKeys := newKeyMap(cognitoKey), newKeyMap(oktaKey)
	cfg := &config.Authorizer{
		Issuers: []config.Issuer{
			{Name: "cognito", Issuer: iss, ClientIDs: []string{"client-1"}, UserIDClaim: "sub"},
			{Name: "okta", Issuer: okta, Audiences: []string{aud}, UserIDClaim: "uid"},
		},
		Algorithms: []string{"RS256"},
	}
	v, err := New(cfg, map[string]Keys{"cognito": cognitoKeys, "okta": oktaKeys}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	cog := claims("aud", nil, "client_id", "client-1")
	ok := claims("iss", okta, "uid", "00u1")
	with := func(c map[string]any, kv ...any) map[string]any { return jwttest.With(maps.Clone(c), kv...) }
	for _, tc := range []struct {
		name    string
		tok     string
		user    string
		issuer  string // the picked issuer's name, also when refused
		err     error
		lookups [2]int // cognito, okta
	}{
		{"cognito", cognitoKey.Mint(nil, cog), "user-1", "cognito", nil, [2]int{1, 0}},
		{"okta", oktaKey.Mint(nil, ok), "00u1", "okta", nil, [2]int{0, 1}},
		{"okta key, cognito iss", oktaKey.Mint(nil, cog), "", "cognito", ErrSignature, [2]int{1, 0}},
		{"cognito key, okta iss", cognitoKey.Mint(nil, ok), "", "okta", ErrSignature, [2]int{0, 1}},
		{"okta rules on a cognito-like token", oktaKey.Mint(nil, claims("iss", okta, "aud", nil, "client_id", "client-1", "uid", "u")), "", "okta", ErrAudience, [2]int{0, 1}},
		{"cognito rules on an okta token", cognitoKey.Mint(nil, claims("uid", "00u1")), "", "cognito", ErrClientID, [2]int{1, 0}},
		{"unknown iss", cognitoKey.Mint(nil, claims("iss", "https://evil.example")), "", "", ErrUnknownIssuer, [2]int{0, 0}},
		// Only the picked issuer's user-id claim is read and typed: the other
		// issuer's, of another type, does not refuse the token.
		{"okta token, cognito's sub not a string", oktaKey.Mint(nil, with(ok, "sub", 42)), "00u1", "okta", nil, [2]int{0, 1}},
		{"okta token, cognito's sub an object", oktaKey.Mint(nil, with(ok, "sub", map[string]any{"id": 1})), "00u1", "okta", nil, [2]int{0, 1}},
		{"cognito token, okta's uid an array", cognitoKey.Mint(nil, with(cog, "uid", []int{1})), "user-1", "cognito", nil, [2]int{1, 0}},
		{"okta token, its own uid not a string", oktaKey.Mint(nil, with(ok, "uid", 42)), "", "okta", ErrUserIDClaim, [2]int{0, 1}},
		{"cognito token, its own sub not a string", cognitoKey.Mint(nil, with(cog, "sub", 42, "uid", "00u1")), "", "cognito", ErrUserIDClaim, [2]int{1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			*cognitoKeys.lookups, *oktaKeys.lookups = 0, 0
			c, err := v.Verify(context.Background(), tc.tok)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if c.UserID != tc.user || c.IssuerName != tc.issuer {
				t.Fatalf("claims %+v", c)
			}
			if got := [2]int{*cognitoKeys.lookups, *oktaKeys.lookups}; got != tc.lookups {
				t.Fatalf("key lookups (cognito, okta) = %v, want %v", got, tc.lookups)
			}
		})
	}
	if !errors.Is(ErrUnknownIssuer, ErrIssuer) {
		t.Fatal("ErrUnknownIssuer is not an ErrIssuer")
	}
}
