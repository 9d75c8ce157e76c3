package authorizer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// TestRatio measures the warm verdict against the bare RSA check in short
// interleaved batches and keeps each one's fastest batch, so load from
// other processes on a shared machine distorts the ratio far less than
// separate benchmark runs do. Run with AUTHZ_RATIO=1 go test -run TestRatio -v
// (AUTHZ_RATIO_ROUNDS=n for more rounds).
//
//   - authorize: HandleJSON plus the runtime's handling of its result, as
//     the Lambda function runs (logging at Info: allow lines off);
//   - handle+marshal: Handle with its response value JSON-encoded by the
//     runtime (the path before HandleJSON);
//   - verify: token.Verifier.Verify alone;
//   - go-jose: ParseSignedCompact + Verify alone;
//   - rsa: sha256 of the signing input + rsa.VerifyPKCS1v15, the floor.
func TestRatio(t *testing.T) {
	if os.Getenv("AUTHZ_RATIO") == "" {
		t.Skip("set AUTHZ_RATIO=1")
	}
	rounds := 60
	if n, err := strconv.Atoi(os.Getenv("AUTHZ_RATIO_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	f := loadFixture(t)
	h := newHandlerLevel(t, f, "cognito", io.Discard, slog.LevelInfo)
	v, err := token.NewVerifier(configs()["cognito"], f.keys)
	if err != nil {
		t.Fatal(err)
	}
	tok := f.rsa.Mint(nil, benchClaims())
	req := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: defaultARN}
	i := strings.LastIndexByte(tok, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(tok[i+1:])
	input := []byte(tok[:i])
	pub := f.rsa.Public().(*rsa.PublicKey)
	algs := []jose.SignatureAlgorithm{jose.RS256}
	ctx := context.Background()
	rt := newRuntimeEncoder()
	names := []string{"authorize", "handle+marshal", "verify", "go-jose", "rsa"}
	runs := map[string]func(){
		"authorize": func() {
			resp, err := h.HandleJSON(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			_ = rt.encode(resp)
		},
		"handle+marshal": func() {
			resp, err := h.Handle(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			_ = rt.encode(resp)
		},
		"verify": func() {
			if _, err := v.Verify(ctx, tok); err != nil {
				t.Fatal(err)
			}
		},
		"go-jose": func() {
			jws, _ := jose.ParseSignedCompact(tok, algs)
			if _, err := jws.Verify(pub); err != nil {
				t.Fatal(err)
			}
		},
		"rsa": func() {
			d := sha256.Sum256(input)
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
				t.Fatal(err)
			}
		},
	}
	best := map[string]time.Duration{}
	for round := 0; round < rounds; round++ {
		for _, name := range names {
			fn := runs[name]
			start := time.Now()
			for n := 0; n < 100; n++ {
				fn()
			}
			d := time.Since(start) / 100
			if b, ok := best[name]; !ok || d < b {
				best[name] = d
			}
		}
	}
	floor := float64(best["rsa"])
	for _, name := range names {
		t.Logf("%-15s %9v  %.3f× rsa", name, best[name], float64(best[name])/floor)
	}
	t.Logf("per op: best of %d interleaved batches of 100", rounds)
}
