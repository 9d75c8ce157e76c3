package token

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

func BenchmarkTmpPieces(b *testing.B) {
	k := jwttest.NewRSA("rsa-1", 2048)
	c := jwttest.Claims(iss, "user-1", now)
	c["client_id"], c["token_use"], c["scope"] = "client-1", "access", "read write aws.cognito.signin.user.admin openid profile email"
	c["cognito:groups"] = []string{"users", "beta-testers", "eu-west-readers", "support"}
	c["jti"], c["origin_jti"], c["event_id"] = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0", "11111111-2222-3333-4444-555555555555"
	c["auth_time"], c["version"], c["username"] = now.Unix(), 2, "user-1"
	c["device_key"] = "us-east-1_2f6b7c1e-8a3d-4e5f-9b0c-1d2e3f4a5b6c"
	tok := k.Mint(nil, c)
	j := k.JWK()
	v, _ := NewVerifier(Config{Issuer: iss, ClientIDs: []string{"client-1"}, TokenUse: "access",
		RequiredScopes: []string{"read"}, Now: func() time.Time { return now }}, keyMap{"rsa-1": &j})
	d1, d2, _ := segments(tok)
	bf := new(buffers)
	payload, _ := decodeSegment(nil, tok[d1+1:d2])
	b.Logf("token %d bytes, payload %d", len(tok), len(payload))
	b.Run("segments", func(b *testing.B) { for b.Loop() { segments(tok) } })
	b.Run("header", func(b *testing.B) { for b.Loop() { h, _ := decodeSegment(bf.hdr[:0], tok[:d1]); readHeader(h) } })
	b.Run("payload-b64", func(b *testing.B) { for b.Loop() { decodeSegment(bf.payload[:0], tok[d1+1:d2]) } })
	b.Run("sig-b64", func(b *testing.B) { for b.Loop() { decodeSegment(bf.sig[:0], tok[d2+1:]) } })
	b.Run("sha256", func(b *testing.B) { for b.Loop() { sha256.Sum256(bytesOf(tok[:d2])) } })
	b.Run("claims", func(b *testing.B) { for b.Loop() { v.claims(payload) } })
	b.Run("cacheget", func(b *testing.B) { v.Verify(context.Background(), tok); for b.Loop() { v.headers.get(tok[:d1]) } })
	b.Run("pool", func(b *testing.B) { for b.Loop() { x := bufPool.Get(); bufPool.Put(x) } })
}
