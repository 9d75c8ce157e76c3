package token

import (
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// BenchmarkClaims is the claim decoding and validation alone, the part of
// Verify that is not go-jose or crypto.
func BenchmarkClaims(b *testing.B) {
	c := jwttest.Claims(iss, "user-1", now)
	c["client_id"], c["token_use"], c["scope"] = "client-1", "access", "read write aws.cognito.signin.user.admin openid profile email"
	c["cognito:groups"] = []string{"users", "beta-testers", "eu-west-readers", "support"}
	c["jti"], c["origin_jti"], c["event_id"] = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0", "11111111-2222-3333-4444-555555555555"
	c["auth_time"], c["version"], c["username"] = now.Unix(), 2, "user-1"
	payload := mustJSON(c)
	v, err := NewVerifier(Config{Issuer: iss, ClientIDs: []string{"client-1"}, TokenUse: "access",
		RequiredScopes: []string{"read"}, Now: func() time.Time { return now }}, keyMap{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.claims(payload); err != nil {
			b.Fatal(err)
		}
	}
}
