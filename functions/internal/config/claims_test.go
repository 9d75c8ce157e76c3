package config

import (
	"reflect"
	"testing"
)

// saasIssuer maps groups, a tenant and forwarded claims; extra is spliced
// into the entry.
func saasIssuer(extra string) string {
	return `{"name":"saas","issuer":"https://cognito.example.com","client_ids":["c1"]` + extra + `}`
}

func TestIssuerClaimMaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		json string
		want Issuer
	}{
		{"one name", `,"groups_claim":"cognito:groups"`, Issuer{GroupsClaim: ClaimPath{"cognito:groups"}}},
		{"nested", `,"groups_claim":["realm_access","roles"]`, Issuer{GroupsClaim: ClaimPath{"realm_access", "roles"}}},
		{"namespaced name with dots and slashes, never split", `,"groups_claim":"https://example.com/roles"`,
			Issuer{GroupsClaim: ClaimPath{"https://example.com/roles"}}},
		{"path and context claims", `,"path_claims":{"tenantId":"custom:tenant_id"},"context_claims":{"email":"email","tenant_id":"custom:tenant_id"}`,
			Issuer{PathClaims: map[string]string{"tenantId": "custom:tenant_id"},
				ContextClaims: map[string]string{"email": "email", "tenant_id": "custom:tenant_id"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := fromMap(issuers(saasIssuer(tc.json)))
			if err != nil {
				t.Fatal(err)
			}
			got := c.Issuers[0]
			got.Name, got.Issuer, got.ClientIDs, got.UserIDClaim = "", "", nil, ""
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestRejectIssuerClaimMaps(t *testing.T) {
	runRejects(t, []rejectCase{
		{"groups_claim empty list", issuers(saasIssuer(`,"groups_claim":[]`)), "ISSUERS"},
		{"groups_claim empty name", issuers(saasIssuer(`,"groups_claim":""`)), "ISSUERS"},
		{"groups_claim too deep", issuers(saasIssuer(`,"groups_claim":["a","b","c","d","e"]`)), "ISSUERS"},
		{"groups_claim a number", issuers(saasIssuer(`,"groups_claim":1`)), "ISSUERS"},
		{"groups_claim with a space", issuers(saasIssuer(`,"groups_claim":"my groups"`)), "ISSUERS"},
		{"path_claims binds userId", issuers(saasIssuer(`,"path_claims":{"userId":"custom:uid"}`)), "ISSUERS"},
		{"path_claims binds userid", issuers(saasIssuer(`,"path_claims":{"userid":"custom:uid"}`)), "ISSUERS"},
		{"path_claims bad parameter", issuers(saasIssuer(`,"path_claims":{"tenant-id":"custom:tenant_id"}`)), "ISSUERS"},
		{"path_claims registered claim", issuers(saasIssuer(`,"path_claims":{"tenantId":"iss"}`)), "ISSUERS"},
		{"path_claims too many", issuers(saasIssuer(`,"path_claims":{"a":"x","b":"x","c":"x","d":"x","e":"x","f":"x","g":"x","h":"x","i":"x"}`)), "ISSUERS"},
		{"context_claims reserved key", issuers(saasIssuer(`,"context_claims":{"userId":"email"}`)), "ISSUERS"},
		{"context_claims reserved key in another case", issuers(saasIssuer(`,"context_claims":{"IssuerName":"email"}`)), "ISSUERS"},
		{"context_claims key API Gateway sets", issuers(saasIssuer(`,"context_claims":{"principalId":"email"}`)), "ISSUERS"},
		{"context_claims key with a dash", issuers(saasIssuer(`,"context_claims":{"e-mail":"email"}`)), "ISSUERS"},
		{"context_claims bad claim", issuers(saasIssuer(`,"context_claims":{"email":"e mail"}`)), "ISSUERS"},
		{"unknown member", issuers(saasIssuer(`,"group_claim":"groups"`)), "ISSUERS"},
	})
}

func TestRoutesGroupsAndBound(t *testing.T) {
	tenant := saasIssuer(`,"path_claims":{"tenantId":"custom:tenant_id"},"groups_claim":"cognito:groups"`)
	m := issuers(tenant)
	m["ROUTES"] = `[{"route":"GET/tenants/{tenantId}/orders"},{"route":"DELETE/tenants/{tenantId}/orders/{orderId}","groups":["admins"]},` +
		`{"route":"GET/tenants/{tenantId}/users/{userId}/profile"}]`
	c, err := fromMap(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Routes[1].Groups; !reflect.DeepEqual(got, []string{"admins"}) {
		t.Fatalf("groups = %q", got)
	}
	if got := BoundParams(c.Issuers); !reflect.DeepEqual(got, []string{"tenantId"}) {
		t.Fatalf("BoundParams = %q", got)
	}
	other := `{"name":"okta","issuer":"https://okta.example.com","audiences":["api://orders"]}`
	two := func(routes string) map[string]string {
		m := issuers(tenant, other)
		m["ROUTES"] = routes
		return m
	}
	runRejects(t, []rejectCase{
		{"group with a space", routes(`{"route":"GET/a","groups":["a b"]}`), "ROUTES"},
		{"empty group", routes(`{"route":"GET/a","groups":[""]}`), "ROUTES"},
		{"an unbound parameter before a bound one", two(`[{"route":"GET/{region}/tenants/{tenantId}","issuers":["saas"]}]`), "ROUTES"},
		{"bound route without issuers, two issuers", two(`[{"route":"GET/tenants/{tenantId}"}]`), "ROUTES"},
		{"bound route of an issuer that binds nothing", two(`[{"route":"GET/tenants/{tenantId}","issuers":["okta"]}]`), "ROUTES"},
	})
	if _, err := fromMap(two(`[{"route":"GET/tenants/{tenantId}","issuers":["saas"]}]`)); err != nil {
		t.Fatal(err)
	}
}
