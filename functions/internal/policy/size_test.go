package policy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// maxResultBytes is API Gateway's quota on a Lambda authorizer's result
// (Service Quotas L-20859C74, "AWS Lambda authorizer result size", 8 KB, not
// adjustable).
const maxResultBytes = 8 * 1024

// fiftyRoutes is a 50-route API as teams write them: per-user resources
// with scoped sub-resources, and catalog routes under literal prefixes.
func fiftyRoutes() []config.Route {
	var routes []config.Route
	for i := range 10 {
		res := fmt.Sprintf("resource-%02d", i)
		routes = append(routes,
			config.Route{Route: "GET/users/{userId}/" + res, Scopes: []string{res + ".read"}},
			config.Route{Route: "PUT/users/{userId}/" + res, Scopes: []string{res + ".write"}},
			config.Route{Route: "DELETE/users/{userId}/" + res + "/{itemId}", Scopes: []string{res + ".write"}},
			config.Route{Route: "GET/catalog/" + res + "/{itemId}", Scopes: []string{"catalog.read"}},
			config.Route{Route: "POST/catalog/" + res + "/{itemId}/reviews", Scopes: []string{"catalog.read", "reviews.write"}},
		)
	}
	return routes
}

// TestPolicySizeFiftyRoutes measures the largest answer for 50 routes: every
// route appears once, in the Allow or in the Deny, so the largest is the
// token that earns every user route with the longest user id it can have.
// docs/security.md quotes the numbers this logs (go test -v -run
// TestPolicySizeFiftyRoutes ./functions/internal/policy/).
func TestPolicySizeFiftyRoutes(t *testing.T) {
	b := mustBuilder(t, fiftyRoutes())
	// A long real prefix: the longest region name, a 10-character API id and
	// a 10-character stage.
	arn := mustARN(t, "arn:aws:execute-api:ap-southeast-2:123456789012:abcdefghij/production/GET/x")
	var all []string
	for i := range 10 {
		all = append(all, fmt.Sprintf("resource-%02d.read", i), fmt.Sprintf("resource-%02d.write", i))
	}
	cases := []struct {
		name string
		id   token.Claims
		fits bool // asserted; the others are measured and logged
	}{
		{"no scope, 36-byte id (a Cognito sub)", token.Claims{UserID: strings.Repeat("a", 36)}, true},
		{"every scope, 36-byte id", token.Claims{UserID: strings.Repeat("a", 36), Scopes: append(all, "catalog.read", "reviews.write")}, true},
		{"every scope, 128-byte id (the longest ValidUserID accepts)", token.Claims{UserID: strings.Repeat("a", MaxUserIDBytes), Scopes: append(all, "catalog.read", "reviews.write")}, false},
	}
	for _, tc := range cases {
		tc.id.Scope, tc.id.IssuerName = strings.Join(tc.id.Scopes, " "), "cognito"
		out, err := json.Marshal(respond(b, arn, tc.id))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes (quota %d)", tc.name, len(out), maxResultBytes)
		if tc.fits && len(out) > maxResultBytes {
			t.Errorf("%s: %d bytes, over API Gateway's %d", tc.name, len(out), maxResultBytes)
		}
	}
}
