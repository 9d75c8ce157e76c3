package authorizer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// benchClaims are Cognito-access-token sized (~1 KiB encoded token), with
// groups like a real user pool adds.
func benchClaims() map[string]any {
	c := cognitoClaims()
	c["cognito:groups"] = []string{"users", "beta-testers", "eu-west-readers", "support"}
	c["scope"] = "read write aws.cognito.signin.user.admin openid profile email"
	c["device_key"] = "us-east-1_2f6b7c1e-8a3d-4e5f-9b0c-1d2e3f4a5b6c"
	return c
}

// benchCognito measures the cognito handler as the Lambda function runs it
// (logging at Info, allow lines off; warm keys; one verdict already made) on
// a token signed with the fixture's key that key picks.
func benchCognito(b *testing.B, key func(*fixture) *jwttest.Key) {
	f := loadFixture(b)
	h := newHandlerWith(b, f, configs()["cognito"], io.Discard, slog.LevelInfo)
	tok := key(f).Mint(nil, benchClaims())
	req := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: defaultARN}
	if _, err := h.Handle(context.Background(), req); err != nil {
		b.Fatal(err)
	}
	benchAuthorize(b, h, req)
}

// runtimeEncoder does what aws-lambda-go does with a handler's result: it
// JSON-encodes the value (HTML escaping off) into a reused buffer.
type runtimeEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newRuntimeEncoder() *runtimeEncoder {
	r := &runtimeEncoder{}
	r.enc = json.NewEncoder(&r.buf)
	r.enc.SetEscapeHTML(false)
	return r
}

func (r *runtimeEncoder) encode(v any) error {
	r.buf.Reset()
	return r.enc.Encode(v)
}

// benchAuthorize is the whole warm verdict as the Lambda function runs it:
// Handle plus the runtime's encoding of its result.
func benchAuthorize(b *testing.B, h *Handler, req events.APIGatewayCustomAuthorizerRequest) {
	ctx := context.Background()
	rt := newRuntimeEncoder()
	measure(b, func() error {
		resp, err := h.Handle(ctx, req)
		if err != nil {
			return err
		}
		return rt.encode(resp)
	})
}

// measure reports the time and allocations of one step, the setup before it
// excluded, and stops at the step's first error.
func measure(b *testing.B, step func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAuthorize(b *testing.B) {
	benchCognito(b, func(f *fixture) *jwttest.Key { return f.rsa })
}

// BenchmarkAuthorizeTwentyRoutes is the warm verdict of issue 20's shape:
// the "saas" issuer (groups, a tenant bound to {tenantId}, four forwarded
// claims) and 20 routes, each under /tenants/{tenantId}, half of them for
// the admins group, which the token does not hold.
func BenchmarkAuthorizeTwentyRoutes(b *testing.B) {
	f := loadFixture(b)
	cfg := *configs()["saas"]
	cfg.Routes = nil
	for i := range 10 {
		r := fmt.Sprintf("/tenants/{tenantId}/resource%d/{id}", i)
		cfg.Routes = append(cfg.Routes,
			config.Route{Route: "GET" + r, Groups: []string{"users"}},
			config.Route{Route: "DELETE" + r, Groups: []string{"admins"}})
	}
	h := newHandlerWith(b, f, &cfg, io.Discard, slog.LevelInfo)
	claims := jwttest.With(benchClaims(), "custom:tenant_id", "tenant-0123456789", "email", "first.last@example.com", "email_verified", true)
	req := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer " + f.rsa.Mint(nil, claims),
		MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/tenants/tenant-0123456789/resource0/x"}
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	if st := resp.PolicyDocument.Statement; len(st) != 2 || len(st[0].Resource) != 10 || len(st[1].Resource) != 10 {
		b.Fatalf("want 10 routes allowed and 10 denied: %+v", st)
	}
	benchAuthorize(b, h, req)
}

func BenchmarkAuthorizeES256(b *testing.B) {
	benchCognito(b, func(f *fixture) *jwttest.Key { return f.ec })
}

// BenchmarkVerify is token.Verifier.Verify alone on the same token.
func BenchmarkVerify(b *testing.B) {
	f := loadFixture(b)
	cfg := configs()["cognito"]
	v, err := token.New(cfg, keysOf(f, cfg), func() time.Time { return testNow })
	if err != nil {
		b.Fatal(err)
	}
	tok := f.rsa.Mint(nil, benchClaims())
	ctx := context.Background()
	measure(b, func() error {
		_, err := v.Verify(ctx, tok)
		return err
	})
}

// splitToken returns the signing input and decoded signature of a token.
func splitToken(b *testing.B, tok string) ([]byte, []byte) {
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		b.Fatal(err)
	}
	return []byte(tok[:i]), sig
}

// BenchmarkRSAVerify is the floor: the bare RS256 check of the same token.
func BenchmarkRSAVerify(b *testing.B) {
	f := loadFixture(b)
	input, sig := splitToken(b, f.rsa.Mint(nil, benchClaims()))
	pub := f.rsa.Public().(*rsa.PublicKey)
	measure(b, func() error {
		d := sha256.Sum256(input)
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig)
	})
}

// BenchmarkGoJoseVerify is the library floor: go-jose's parse and verify of
// the same token with nothing else, to show how much of Authorize/RSAVerify
// is the library itself.
func BenchmarkGoJoseVerify(b *testing.B) {
	f := loadFixture(b)
	tok := f.rsa.Mint(nil, benchClaims())
	pub := f.rsa.Public()
	algs := []jose.SignatureAlgorithm{jose.RS256}
	measure(b, func() error {
		jws, err := jose.ParseSignedCompact(tok, algs)
		if err != nil {
			return err
		}
		_, err = jws.Verify(pub)
		return err
	})
}

// BenchmarkES256Verify is the floor for BenchmarkAuthorizeES256: the bare
// P-256 check of the same token, r and s converted once outside the loop.
func BenchmarkES256Verify(b *testing.B) {
	f := loadFixture(b)
	input, sig := splitToken(b, f.ec.Mint(nil, benchClaims()))
	pub := f.ec.Public().(*ecdsa.PublicKey)
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	measure(b, func() error {
		d := sha256.Sum256(input)
		if !ecdsa.Verify(pub, d[:], r, s) {
			return errors.New("verify failed")
		}
		return nil
	})
}
