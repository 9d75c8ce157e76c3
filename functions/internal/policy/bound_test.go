package policy

import (
	"errors"
	"reflect"
	"testing"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// tenantRoutes: a tenant's orders, an admins-only delete, a user's own
// files under the tenant.
var tenantRoutes = []config.Route{
	{Route: "GET/tenants/{tenantId}/orders"},
	{Route: "DELETE/tenants/{tenantId}/orders/{orderId}", Groups: []string{"admins", "owners"}},
	{Route: "GET/tenants/{tenantId}/users/{userId}/*"},
}

func TestGroupsAndBoundParameters(t *testing.T) {
	b, err := NewBuilder(tenantRoutes, "tenantId")
	if err != nil {
		t.Fatal(err)
	}
	arn := mustARN(t, prefix+"GET/tenants/t-1/orders")
	member := token.Claims{UserID: "u-1", Bound: map[string]string{"tenantId": "t-1"}, Groups: []string{"users"}}
	admin := member
	admin.Groups = []string{"users", "owners"}
	for _, tc := range []struct {
		name         string
		c            token.Claims
		allow, deny  []string
		wantNoRoutes bool
	}{
		{"member", member,
			[]string{prefix + "GET/tenants/t-1/orders", prefix + "GET/tenants/t-1/users/u-1/*"},
			[]string{prefix + "DELETE/tenants/*/orders/*"}, false},
		{"admin by a second group", admin,
			[]string{prefix + "GET/tenants/t-1/orders", prefix + "DELETE/tenants/t-1/orders/*", prefix + "GET/tenants/t-1/users/u-1/*"},
			nil, false},
		{"no tenant claim earns no tenant route", token.Claims{UserID: "u-1", Groups: []string{"admins"}}, nil, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := b.Response(arn, tc.c)
			if tc.wantNoRoutes {
				if !errors.Is(err, ErrNoRoute) {
					t.Fatalf("err = %v, want ErrNoRoute", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			st := resp.PolicyDocument.Statement
			if !reflect.DeepEqual(st[0].Resource, tc.allow) {
				t.Errorf("allow %q\nwant  %q", st[0].Resource, tc.allow)
			}
			var deny []string
			if len(st) > 1 {
				deny = st[1].Resource
			}
			if !reflect.DeepEqual(deny, tc.deny) {
				t.Errorf("deny %q\nwant %q", deny, tc.deny)
			}
		})
	}
	// A bound value is written into the resource as a user id is: the
	// same rule refuses it.
	for _, v := range []string{"*", "t-1/orders", "", "..", "t\u22151", "t 1"} {
		c := member
		c.Bound = map[string]string{"tenantId": v}
		if _, err := b.Response(arn, c); !errors.Is(err, ErrPathValue) {
			t.Errorf("tenant %q: err = %v, want ErrPathValue", v, err)
		}
	}
}

func TestForwardedClaimsKeepBuiltInKeys(t *testing.T) {
	b := mustBuilder(t, []config.Route{{Route: "GET/status"}})
	resp, err := b.Response(mustARN(t, prefix+"GET/status"), token.Claims{UserID: "u-1", IssuerName: "main",
		Context: map[string]string{"email": "a@example.com", "userId": "admin", "issuerName": "other"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"email": "a@example.com", "userId": "u-1", "issuerName": "main", "scope": "", "clientId": "", "issuer": ""}
	if !reflect.DeepEqual(resp.Context, want) {
		t.Fatalf("context %v\nwant    %v", resp.Context, want)
	}
}

func TestNewBuilderBoundRules(t *testing.T) {
	for _, rs := range [][]config.Route{
		{{Route: "GET/{region}/tenants/{tenantId}"}},
		{{Route: "GET/{any}/orders"}, {Route: "GET/tenants/{tenantId}/orders"}},
	} {
		if _, err := NewBuilder(rs, "tenantId"); !errors.Is(err, ErrRoute) {
			t.Errorf("%v: err = %v, want ErrRoute", rs, err)
		}
	}
}
