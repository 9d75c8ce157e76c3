package authorizer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	jose "github.com/go-jose/go-jose/v4"
)

// TestRatio measures Authorize, go-jose alone and the bare RSA check in
// short interleaved batches and keeps each one's fastest batch, so load from
// other processes on a shared machine distorts the ratio far less than
// separate benchmark runs do. Run with AUTHZ_RATIO=1 go test -run TestRatio -v.
func TestRatio(t *testing.T) {
	if os.Getenv("AUTHZ_RATIO") == "" {
		t.Skip("set AUTHZ_RATIO=1")
	}
	f := loadFixture(t)
	h := newHandler(t, f, "cognito", nil)
	tok := f.rsa.Mint(nil, benchClaims())
	req := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: defaultARN}
	i := strings.LastIndexByte(tok, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(tok[i+1:])
	input := []byte(tok[:i])
	pub := f.rsa.Public().(*rsa.PublicKey)
	algs := []jose.SignatureAlgorithm{jose.RS256}
	ctx := context.Background()
	runs := map[string]func(){
		"authorize": func() {
			resp, err := h.Handle(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = json.Marshal(resp)
		},
		"gojose": func() {
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
	for round := 0; round < 60; round++ {
		for _, name := range []string{"authorize", "gojose", "rsa"} {
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
	t.Logf("per op (best of 60 batches of 100): authorize %v, go-jose parse+verify %v, rsa %v",
		best["authorize"], best["gojose"], best["rsa"])
	t.Logf("authorize/rsa = %.3f, go-jose/rsa = %.3f, authorize/go-jose = %.3f",
		float64(best["authorize"])/float64(best["rsa"]),
		float64(best["gojose"])/float64(best["rsa"]),
		float64(best["authorize"])/float64(best["gojose"]))
}
