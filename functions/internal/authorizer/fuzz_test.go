package authorizer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// FuzzHandle: no input panics the handler, every failure is exactly
// "Unauthorized", and an Allow happens only for a token whose signature
// checks out, independently of go-jose, under one of the test keys, with
// resources under the ARN's API and stage and no wildcard but the ones
// the routes' parameters put there.
func FuzzHandle(f *testing.F) {
	fx := loadFixture(f)
	files, _ := goldenEventFiles()
	for _, file := range files {
		ev := readGoldenEvent(f, file)
		f.Add(ev.AuthorizationToken, ev.MethodArn)
	}
	var handlers []*Handler
	for name := range configs() {
		handlers = append(handlers, newTestHandler(f, fx, name, nil))
	}
	f.Fuzz(func(t *testing.T, auth, arn string) {
		for _, h := range handlers {
			resp, err := h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
				Type: "TOKEN", AuthorizationToken: auth, MethodArn: arn,
			})
			if err != nil {
				if err.Error() != "Unauthorized" || resp.PrincipalID != "" {
					t.Fatalf("failure is %q / %+v", err, resp)
				}
				continue
			}
			if !signedByFixture(fx, auth) {
				t.Fatalf("answered a token not signed by a test key: %q", auth)
			}
			m, perr := policy.ParseMethodARN(arn)
			if perr != nil || policy.ValidUserID(resp.PrincipalID) != nil {
				t.Fatalf("answered with bad arn or user: %v %q", perr, resp.PrincipalID)
			}
			st := resp.PolicyDocument.Statement[0]
			for _, r := range st.Resource {
				rest, ok := strings.CutPrefix(r, m.Prefix)
				if !ok || strings.Contains(rest, "?") || st.Effect == "Allow" && strings.Contains(strings.ReplaceAll(rest, "/orders/*", ""), "*") {
					t.Fatalf("unsafe resource %q (%s)", r, st.Effect)
				}
			}
		}
	})
}

func signedByFixture(fx *fixture, auth string) bool {
	tok := strings.TrimSpace(auth)
	if i := strings.IndexByte(tok, ' '); i >= 0 {
		tok = strings.TrimSpace(tok[i+1:])
	}
	i := strings.LastIndexByte(tok, '.')
	if i < 0 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		return false
	}
	d := sha256.Sum256([]byte(tok[:i]))
	for _, k := range []*jwttest.Key{fx.rsa, fx.rsa2} {
		pub := k.Public().(*rsa.PublicKey)
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig) == nil || rsa.VerifyPSS(pub, crypto.SHA256, d[:], sig, nil) == nil {
			return true
		}
	}
	if len(sig) == 64 {
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if ecdsa.Verify(fx.ec.Public().(*ecdsa.PublicKey), d[:], r, s) {
			return true
		}
	}
	return ed25519.Verify(fx.ed.Public().(ed25519.PublicKey), []byte(tok[:i]), sig)
}
