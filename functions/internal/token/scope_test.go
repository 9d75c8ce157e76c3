package token

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
)

// TestScopeForms: "scope" and "scp" each as one space-delimited string or as
// an array of strings; any other type refuses the token (ErrClaims).
func TestScopeForms(t *testing.T) {
	k := testKey
	v := newVerifier(t, oneIssuer(func(c *config.Authorizer) { c.RequiredScopes = []string{"a"} }), newKeyMap(k))
	cases := []struct {
		name   string
		kv     []any
		scope  string
		scopes []string
		err    error
	}{
		{"scope string", []any{"scope", "a b"}, "a b", []string{"a", "b"}, nil},
		{"scope array", []any{"scope", []string{"a", "b"}}, "a b", []string{"a", "b"}, nil},
		{"scp string (Entra ID)", []any{"scp", "a b"}, "a b", []string{"a", "b"}, nil},
		{"scp array (Okta)", []any{"scp", []string{"a", "b"}}, "a b", []string{"a", "b"}, nil},
		{"scope string, scp array", []any{"scope", "a", "scp", []string{"b"}}, "a", []string{"a", "b"}, nil},
		{"scope array, scp string", []any{"scope", []string{"b"}, "scp", "a c"}, "b", []string{"b", "a", "c"}, nil},
		{"extra spaces", []any{"scp", "  a   b "}, "  a   b ", []string{"a", "b"}, nil},
		{"array element kept whole", []any{"scope", []string{"a", "b c"}}, "a b c", []string{"a", "b c"}, nil},
		{"scope null is missing", []any{"scope", json.RawMessage(`null`), "scp", "a"}, "a", []string{"a"}, nil},
		{"string split on spaces only", []any{"scp", "a\tb"}, "", nil, ErrScope},
		{"empty array", []any{"scope", []string{}}, "", nil, ErrScope},
		{"empty string", []any{"scp", ""}, "", nil, ErrScope},

		{"scope number", []any{"scope", 1}, "", nil, ErrClaims},
		{"scope bool", []any{"scope", true}, "", nil, ErrClaims},
		{"scope object", []any{"scope", map[string]string{"a": "a"}}, "", nil, ErrClaims},
		{"scope array with a number", []any{"scope", []any{"a", 1}}, "", nil, ErrClaims},
		{"scope array with an object", []any{"scope", []any{"a", map[string]string{}}}, "", nil, ErrClaims},
		{"scope array of arrays", []any{"scope", [][]string{{"a"}}}, "", nil, ErrClaims},
		{"scp number", []any{"scp", 1}, "", nil, ErrClaims},
		{"scp object", []any{"scp", map[string]string{"a": "a"}}, "", nil, ErrClaims},
		{"scp array of numbers", []any{"scp", []int{1}}, "", nil, ErrClaims},
		{"scp array with a bool", []any{"scp", []any{"a", true}}, "", nil, ErrClaims},
		{"scp wrong next to a good scope", []any{"scope", "a", "scp", 1}, "", nil, ErrClaims},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), k.Mint(nil, claims(tc.kv...)))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err == nil && (c.Scope != tc.scope || !slices.Equal(c.Scopes, tc.scopes)) {
				t.Fatalf("scope %q %q, want %q %q", c.Scope, c.Scopes, tc.scope, tc.scopes)
			}
		})
	}
}
