package token

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
)

func TestVerifyClaims(t *testing.T) {
	k := testKey
	keys := newKeyMap(k)
	cases := []struct {
		name   string
		cfg    func(*config.Authorizer)
		claims any // a map, or the whole payload as json.RawMessage
		want   *Claims
		err    error
	}{
		{"minimal", nil, claims(), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"scope and scp union", func(c *config.Authorizer) { c.RequiredScopes = []string{"a", "b"} },
			claims("scope", "a", "scp", []string{"b"}),
			&Claims{UserID: "user-1", Issuer: iss, IssuerName: "default", Scope: "a", Scopes: []string{"a", "b"}}, nil},
		{"scp joined", nil, claims("scp", []string{"x", "y"}),
			&Claims{UserID: "user-1", Issuer: iss, IssuerName: "default", Scope: "x y", Scopes: []string{"x", "y"}}, nil},
		{"scope split on spaces only", func(c *config.Authorizer) { c.RequiredScopes = []string{"read"} },
			claims("scope", "read\twrite"), nil, ErrScope},
		{"scope prefix", func(c *config.Authorizer) { c.RequiredScopes = []string{"read"} },
			claims("scope", "reader"), nil, ErrScope},
		{"client_id preferred", func(c *config.Authorizer) { c.Issuers[0].ClientIDs = []string{"c1", "c2"} },
			claims("client_id", "c1", "cid", "c2"), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default", ClientID: "c1"}, nil},
		{"cid only", func(c *config.Authorizer) { c.Issuers[0].ClientIDs = []string{"c2"} },
			claims("cid", "c2"), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default", ClientID: "c2"}, nil},
		{"client id missing", func(c *config.Authorizer) { c.Issuers[0].ClientIDs = []string{"c1"} },
			claims(), nil, ErrClientID},
		{"bad cid next to good client_id", func(c *config.Authorizer) { c.Issuers[0].ClientIDs = []string{"c1"} },
			claims("client_id", "c1", "cid", "c9"), nil, ErrClientID},
		{"client ids only, no aud", func(c *config.Authorizer) {
			c.Issuers[0].Audiences, c.Issuers[0].ClientIDs = nil, []string{"c1"}
		}, claims("aud", nil, "client_id", "c1"), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default", ClientID: "c1"}, nil},
		{"aud missing", nil, claims("aud", nil), nil, ErrAudience},
		{"aud array, one matches", nil, claims("aud", []string{"x", aud}), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"aud wrong type", nil, claims("aud", 5), nil, ErrClaims},
		{"aud null", nil, claims("aud", json.RawMessage(`null`)), nil, ErrClaims},
		{"aud null, client ids only", func(c *config.Authorizer) {
			c.Issuers[0].Audiences, c.Issuers[0].ClientIDs = nil, []string{"c1"}
		}, claims("aud", json.RawMessage(`null`), "client_id", "c1"), nil, ErrClaims},
		{"aud array with non-string", nil, claims("aud", []any{aud, 1}), nil, ErrClaims},
		{"custom user claim", func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "uid" },
			claims("uid", "u-9"), &Claims{UserID: "u-9", Issuer: iss, IssuerName: "default"}, nil},
		{"custom user claim missing", func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "uid" }, claims(), nil, ErrUserIDClaim},
		{"custom user claim null", func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "uid" }, claims("uid", json.RawMessage(`null`)), nil, ErrUserIDClaim},
		{"custom user claim array", func(c *config.Authorizer) { c.Issuers[0].UserIDClaim = "uid" }, claims("uid", []string{"u"}), nil, ErrUserIDClaim},
		{"sub number", nil, claims("sub", 5), nil, ErrUserIDClaim},
		{"sub missing", nil, claims("sub", nil), nil, ErrUserIDClaim},
		{"user claim escaped", nil, claims("sub", "\u0075ser-1"), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"exp missing", nil, claims("exp", nil), nil, ErrClaims},
		{"exp null", nil, claims("exp", json.RawMessage(`null`)), nil, ErrClaims},
		{"exp string", nil, claims("exp", "1"), nil, ErrClaims},
		{"exp huge exponent", nil, claims("exp", json.RawMessage(`1e400`)), nil, ErrClaims},
		{"exp past leeway", nil, claims("exp", now.Unix()-11), nil, ErrExpired},
		{"exp within leeway", nil, claims("exp", now.Unix()-9), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"nbf future", nil, claims("nbf", now.Unix()+11), nil, ErrNotYetValid},
		{"nbf as string", nil, claims("nbf", "1"), nil, ErrClaims},
		{"iat future", nil, claims("iat", now.Unix()+11), nil, ErrNotYetValid},
		{"iat leeway ok", nil, claims("iat", now.Unix()+9), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"iss other", nil, claims("iss", iss+"/"), nil, ErrUnknownIssuer},
		{"iss missing", nil, claims("iss", nil), nil, ErrUnknownIssuer},
		{"iss array", nil, claims("iss", []string{iss}), nil, ErrClaims},
		{"token_use missing", func(c *config.Authorizer) { c.Issuers[0].TokenUse = "access" }, claims(), nil, ErrTokenUse},
		{"token_use wrong", func(c *config.Authorizer) { c.Issuers[0].TokenUse = "access" }, claims("token_use", "id"), nil, ErrTokenUse},
		{"nested duplicate", nil, claims("ext", json.RawMessage(`{"a":1,"a":2}`)), nil, ErrClaims},
		{"nested too deep", nil, claims("ext", json.RawMessage(strings.Repeat("[", 32)+strings.Repeat("]", 32))), nil, ErrClaims},
		{"nested 31 deep", nil, claims("ext", json.RawMessage(strings.Repeat("[", 31)+strings.Repeat("]", 31))),
			&Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"nested duplicate in array", nil, claims("ext", json.RawMessage(`[1,{"a":1,"b":{"c":1,"c":2}}]`)), nil, ErrClaims},
		{"nested duplicate escaped", nil, claims("ext", json.RawMessage(`{"a":1,"\u0061":2}`)), nil, ErrClaims},
		{"nested objects too deep", nil, claims("ext", json.RawMessage(strings.Repeat(`{"a":`, 32)+"1"+strings.Repeat("}", 32))), nil, ErrClaims},
		{"nested objects 31 deep", nil, claims("ext", json.RawMessage(strings.Repeat(`{"a":`, 31)+"1"+strings.Repeat("}", 31))),
			&Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"braces in strings only", nil, claims("note", "{{[[", "ext", json.RawMessage(`{"a":"{"}`)),
			&Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"top-level duplicate escaped", nil, json.RawMessage(`{"iss":"` + iss + `","\u0069ss":"https://evil.example"}`), nil, ErrClaims},
		{"not an object", nil, json.RawMessage(`["iss"]`), nil, ErrClaims},
		{"trailing data", nil, json.RawMessage(`{"iss":"` + iss + `"} {}`), nil, ErrClaims},
		{"jti number", nil, claims("jti", 5), nil, ErrClaims},
		{"jti escaped string", nil, claims("jti", "a\"b"), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"client_id null is missing", func(c *config.Authorizer) { c.Issuers[0].ClientIDs = []string{"c1"} },
			claims("client_id", json.RawMessage(`null`)), nil, ErrClientID},
		{"nbf null is missing", nil, claims("nbf", json.RawMessage(`null`)), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
		{"iss with escapes", nil, claims("iss", json.RawMessage(`"https:\/\/issuer.example.com"`)), &Claims{UserID: "user-1", Issuer: iss, IssuerName: "default"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := oneIssuer()
			if tc.cfg != nil {
				tc.cfg(c)
			}
			got, err := newVerifier(t, c, keys).Verify(context.Background(), k.Mint(nil, tc.claims))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if tc.want != nil && !equalClaims(got, *tc.want) {
				t.Fatalf("got %+v, want %+v", got, *tc.want)
			}
		})
	}
}

func equalClaims(a, b Claims) bool {
	return a.UserID == b.UserID && a.Issuer == b.Issuer && a.IssuerName == b.IssuerName &&
		a.ClientID == b.ClientID && a.Scope == b.Scope && slices.Equal(a.Scopes, b.Scopes)
}

// TestClaimsOutliveRelease: the members map goes back to a pool after each
// token; nothing Verify returned may change when the next token reuses it.
func TestClaimsOutliveRelease(t *testing.T) {
	k := testKey
	v := newVerifier(t, oneIssuer(), newKeyMap(k))
	first, err := v.Verify(context.Background(), k.Mint(nil, claims("scope", "a b", "client_id", "c1", "sub", "user-1")))
	if err != nil {
		t.Fatal(err)
	}
	want := first
	want.Scopes = slices.Clone(first.Scopes)
	for range 3 {
		if _, err := v.Verify(context.Background(), k.Mint(nil, claims("scope", "x y", "client_id", "c9", "sub", "user-9"))); err != nil {
			t.Fatal(err)
		}
	}
	if !equalClaims(first, want) {
		t.Fatalf("claims changed: %+v, want %+v", first, want)
	}
}
