//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// claimBackend is an HTTP backend that answers its path and keeps the
// forwarded claims (X-Claim-*) of each request.
type claimBackend struct {
	srv    *httptest.Server
	mu     sync.Mutex
	claims map[string]map[string]string // path → header → value
	n      int                          // requests served
}

func newClaimBackend(t *testing.T) *claimBackend {
	t.Helper()
	b := &claimBackend{claims: map[string]map[string]string{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := map[string]string{}
		for name, v := range r.Header {
			if strings.HasPrefix(name, "X-Claim-") {
				got[name] = strings.Join(v, ",")
			}
		}
		b.mu.Lock()
		b.claims[r.URL.EscapedPath()] = got
		b.n++
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"backendPath": r.URL.EscapedPath()})
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *claimBackend) calls() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

func (b *claimBackend) seen(path string) (map[string]string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.claims[path]
	return c, ok
}

// TestE2EGroupsAndTenants applies the routes fixture with an Okta-shaped
// loopback issuer whose tokens carry groups, a tenant and an email (issue
// 20): the tenant binds {tenantId} as {userId} is bound, the reports route
// needs the admins group, and the backend receives the forwarded email and
// tenant. Real tokens, the real authorizer, the local gateway.
func TestE2EGroupsAndTenants(t *testing.T) {
	skipUnlessLocal(t, "the routes fixture needs the loopback issuer and backend of a local run")
	ctx := context.Background()
	run := newLocalRun(t)

	key, _, issuer := newOktaIssuer(t)
	backend := newClaimBackend(t)

	s := run.apply(t, routesFixture, "e2t", map[string]any{
		"issuers": map[string]any{routesIssuer: map[string]any{
			"issuer": issuer, "jwks_url": issuer + "/v1/keys",
			"audiences": []string{routesAudience}, "user_id_claim": "uid",
			"groups_claim":   []string{"groups"},
			"path_claims":    map[string]string{"tenantId": "tenant"},
			"context_claims": map[string]string{"email": "email", "tenant": "tenant"},
		}},
		"routes": map[string]any{
			"GET /tenants/{tenantId}/orders":  map[string]any{},
			"GET /tenants/{tenantId}/reports": map[string]any{"groups": []string{"admins"}},
		},
		"backend_url": backend.srv.URL,
	})
	authzName := s.str(t, "authorizer_function_name")

	// An Okta access token for uid; kv sets or (nil) removes claims.
	token := func(uid string, kv ...any) string {
		c := jwttest.Claims(issuer, uid+"@example.com", time.Now())
		c["aud"], c["uid"], c["cid"], c["scp"] = routesAudience, uid, "0oa1b2c3d4e5f6g7h8i9", []string{"openid"}
		c["email"], c["groups"] = uid+"@example.com", []string{"Everyone"}
		return key.Mint(nil, jwttest.With(c, kv...))
	}
	var (
		aliceAcme      = token("alice", "tenant", "acme")
		aliceAcmeAdmin = token("alice", "tenant", "acme", "groups", []string{"Everyone", "admins"})
		bobGlobexAdmin = token("bob", "tenant", "globex", "groups", "Everyone admins") // one space-separated string
		carolNoTenant  = token("carol", "groups", []string{"admins"})
		daveBadGroups  = token("dave", "tenant", "acme", "groups", 7)
	)

	gw, base, stop := s.serve(ctx, t)
	checkRoutes(ctx, t, gw, authzName, base, backend.calls, []routeCase{
		{"tenant acme's member on acme's orders", "/tenants/acme/orders", aliceAcme, 200, gateway.Allow, ""},
		{"tenant acme's member on globex's orders", "/tenants/globex/orders", aliceAcme, 403, gateway.NoMatch, ""},
		{"a member on the admins' route", "/tenants/acme/reports", aliceAcme, 403, gateway.Deny, "GET/tenants/*/reports"},
		{"the same user once in admins", "/tenants/acme/reports", aliceAcmeAdmin, 200, gateway.Allow, ""},
		{"an acme admin on globex's reports", "/tenants/globex/reports", aliceAcmeAdmin, 403, gateway.NoMatch, ""},
		{"groups as one space-separated string", "/tenants/globex/reports", bobGlobexAdmin, 200, gateway.Allow, ""},
		{"no tenant claim earns no tenant route", "/tenants/acme/orders", carolNoTenant, 403, gateway.Deny, "GET/tenants/*/orders"},
	})

	t.Run("the backend receives the forwarded email and tenant", func(t *testing.T) {
		got, ok := backend.seen("/tenants/acme/orders")
		if !ok {
			t.Fatal("the backend was never called for /tenants/acme/orders")
		}
		want := map[string]string{"X-Claim-Email": "alice@example.com", "X-Claim-Tenant": "acme"}
		for h, v := range want {
			if got[h] != v {
				t.Errorf("%s = %q, want %q (all: %v)", h, got[h], v, got)
			}
		}
	})

	t.Run("a groups claim of the wrong type is 401", func(t *testing.T) {
		if status, body := get(t, base+"/tenants/acme/orders", daveBadGroups); status != 401 || body != bodyUnauthorized {
			t.Errorf("got %d %s, want 401 %s", status, body, bodyUnauthorized)
		}
	})

	stop()
	finishRoutes(ctx, t, s)
}
