// Package verdict holds one harness per verifier compared by the warm-verdict
// benchmark. Every harness applies the same checks to the same tokens: the
// algorithm pinned (RS256 or ES256), the signature with the key of the
// token's kid, iss equal, exp present and in the future (60 s leeway), aud
// containing the audience, client_id equal, and the required scope present in
// the space-separated "scope" claim. Each returns the user id (sub).
package verdict

import (
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
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/aws/aws-lambda-go/events"
	jose "github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	xjwt "github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/bench/internal/fixture"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/authorizer"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// Leeway is the clock skew every harness tolerates.
const Leeway = 60 * time.Second

// Func verifies one token and returns its user id.
type Func func(tok string) (string, error)

// Harness names a verifier and builds it for one algorithm.
type Harness struct {
	Name  string // benchmark sub-name
	Label string // for the report
	Algs  []string
	New   func(f *fixture.Fixture, alg string) (Func, error)
}

// Harnesses lists the verifiers, the floor first.
var Harnesses = []Harness{
	{"floor", "crypto/rsa (crypto/ecdsa) verify only", []string{"RS256", "ES256"}, NewFloor},
	{"ours", "this project: authorizer.HandleJSON (the Lambda handler)", []string{"RS256", "ES256"}, NewOurs},
	{"ours-verifier", "this project: token.Verifier only", []string{"RS256", "ES256"}, NewOursVerifier},
	{"golang-jwt", "golang-jwt/jwt v5.3.1 + keyfunc v3.9.1", []string{"RS256", "ES256"}, NewGolangJWT},
	{"jwx", "lestrrat-go/jwx v3.4.0", []string{"RS256", "ES256"}, NewJWX},
	{"go-jose", "go-jose v4 (plain)", []string{"RS256", "ES256"}, NewGoJose},
}

// ErrCheck is returned when a claim check of a harness fails.
var ErrCheck = errors.New("claim check failed")

func hasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}

// --- floor ---------------------------------------------------------------

// NewFloor is the bare signature check of the same signing input: SHA-256
// and rsa.VerifyPKCS1v15 (or ecdsa.Verify on r‖s). Signatures are decoded
// ahead of time, so this is the cryptographic floor only; no claim is read.
func NewFloor(f *fixture.Fixture, alg string) (Func, error) {
	set := f.Set(alg)
	doc, err := f.JWKS(alg)
	if err != nil {
		return nil, err
	}
	ks, err := jwks.ParseSet(doc)
	if err != nil {
		return nil, err
	}
	pub := ks.Keys[set.KID].Key
	type pre struct {
		input string
		sig   []byte
	}
	byToken := make(map[string]pre, len(set.Tokens))
	for _, t := range set.Tokens {
		i := strings.LastIndexByte(t, '.')
		sig, err := base64.RawURLEncoding.DecodeString(t[i+1:])
		if err != nil {
			return nil, err
		}
		byToken[t] = pre{t[:i], sig}
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return func(tok string) (string, error) {
			p := byToken[tok]
			sum := sha256.Sum256([]byte(p.input))
			return "", rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], p.sig)
		}, nil
	case *ecdsa.PublicKey:
		return func(tok string) (string, error) {
			p := byToken[tok]
			sum := sha256.Sum256([]byte(p.input))
			if len(p.sig) != 64 {
				return "", errors.New("bad signature length")
			}
			r, s := new(big.Int).SetBytes(p.sig[:32]), new(big.Int).SetBytes(p.sig[32:])
			if !ecdsa.Verify(k, sum[:], r, s) {
				return "", errors.New("ecdsa: invalid signature")
			}
			return "", nil
		}, nil
	}
	return nil, fmt.Errorf("floor: unsupported key %T", pub)
}

// --- this project ----------------------------------------------------------

// KeysFor returns the warm key source of the project harnesses: a
// keys.Provider (memory only, no Store) that fetched the fixture's JWKS from
// a local httptest server once, as a warm Lambda instance holds it. The
// server stays up (a miss would reach it), but no verdict calls it.
func KeysFor(f *fixture.Fixture, alg string) (token.Keys, func(), error) {
	doc, err := f.JWKS(alg)
	if err != nil {
		return nil, nil, err
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	}))
	p, err := keys.New(keys.Options{Issuer: f.Issuer, JWKSURL: srv.URL + "/jwks.json", TTL: 12 * time.Hour})
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	if err := p.Warm(context.Background()); err != nil {
		srv.Close()
		return nil, nil, err
	}
	return p, srv.Close, nil
}

// KeysKind says which key source KeysFor gives (for the report).
const KeysKind = "keys.Provider, memory only, warmed once from a local httptest JWKS server"

func ourVerifier(f *fixture.Fixture, alg string) (*token.Verifier, error) {
	keys, _, err := KeysFor(f, alg)
	if err != nil {
		return nil, err
	}
	return token.NewVerifier(token.Config{
		Issuer:         f.Issuer,
		Audiences:      []string{f.Audience},
		ClientIDs:      []string{f.ClientID},
		RequiredScopes: []string{f.RequiredScope},
		Algorithms:     []string{alg},
		Leeway:         Leeway,
	}, keys)
}

// NewOurs runs the whole verdict of this project as the Lambda function
// does: the TOKEN event through authorizer.HandleJSON (bearer extraction,
// methodArn parsing, key lookup, signature, claims, user-id check, one JSON
// log line to io.Discard, the policy rendered as JSON) and the response read
// out as the Lambda runtime copies an io.Reader response.
func NewOurs(f *fixture.Fixture, alg string) (Func, error) {
	v, err := ourVerifier(f, alg)
	if err != nil {
		return nil, err
	}
	pb, err := policy.NewBuilder([]string{fixture.Route})
	if err != nil {
		return nil, err
	}
	h := authorizer.New(v, pb, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	ctx := context.Background()
	// The events are built beforehand: the runtime's decoding of the event
	// is not part of the verdict (nor of the floor).
	reqs := make(map[string]*events.APIGatewayCustomAuthorizerRequest, len(f.Set(alg).Tokens))
	for _, t := range append(append([]string{}, f.RS256.Tokens...), f.ES256.Tokens...) {
		reqs[t] = &events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "Bearer " + t, MethodArn: fixture.MethodARNPrefix + "user",
		}
	}
	return func(tok string) (string, error) {
		req, ok := reqs[tok]
		if !ok {
			req = &events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: fixture.MethodARNPrefix + "user"}
		}
		resp, err := h.HandleJSON(ctx, *req)
		if err != nil {
			return "", err
		}
		// The runtime copies the io.Reader response to its HTTP request;
		// io.Copy to io.Discard is that copy without the socket.
		if n, err := io.Copy(io.Discard, resp); err != nil || n == 0 {
			return "", fmt.Errorf("read response: %d bytes, %v", n, err)
		}
		return "", nil
	}, nil
}

// NewOursVerifier is token.Verifier.Verify alone, for the breakdown.
func NewOursVerifier(f *fixture.Fixture, alg string) (Func, error) {
	v, err := ourVerifier(f, alg)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	return func(tok string) (string, error) {
		c, err := v.Verify(ctx, tok)
		if err != nil {
			return "", err
		}
		return c.UserID, nil
	}, nil
}

// --- golang-jwt + keyfunc --------------------------------------------------

type gClaims struct {
	gjwt.RegisteredClaims
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
}

// NewGolangJWT: keyfunc built from the JWKS JSON (preloaded, no HTTP), a
// parser pinned to alg with issuer, audience and exp required.
func NewGolangJWT(f *fixture.Fixture, alg string) (Func, error) {
	doc, err := f.JWKS(alg)
	if err != nil {
		return nil, err
	}
	kf, err := keyfunc.NewJWKSetJSON(doc)
	if err != nil {
		return nil, err
	}
	p := gjwt.NewParser(gjwt.WithValidMethods([]string{alg}), gjwt.WithIssuer(f.Issuer),
		gjwt.WithAudience(f.Audience), gjwt.WithExpirationRequired(), gjwt.WithLeeway(Leeway))
	return func(tok string) (string, error) {
		var c gClaims
		if _, err := p.ParseWithClaims(tok, &c, kf.Keyfunc); err != nil {
			return "", err
		}
		if c.ClientID != f.ClientID || !hasScope(c.Scope, f.RequiredScope) {
			return "", ErrCheck
		}
		return c.Subject, nil
	}, nil
}

// --- jwx -------------------------------------------------------------------

// NewJWX: jwt.Parse with the jwk.Set (kid required), validation on.
func NewJWX(f *fixture.Fixture, alg string) (Func, error) {
	doc, err := f.JWKS(alg)
	if err != nil {
		return nil, err
	}
	set, err := jwk.Parse(doc)
	if err != nil {
		return nil, err
	}
	want := jwa.RS256()
	if alg == "ES256" {
		want = jwa.ES256()
	}
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		if a, ok := k.Algorithm(); !ok || a.String() != want.String() {
			return nil, fmt.Errorf("jwx: key alg %v, want %v", a, want)
		}
	}
	scope := xjwt.ValidatorFunc(func(_ context.Context, t xjwt.Token) error {
		var s string
		if err := t.Get("scope", &s); err != nil || !hasScope(s, f.RequiredScope) {
			return ErrCheck
		}
		return nil
	})
	opts := []xjwt.ParseOption{
		xjwt.WithKeySet(set, jws.WithRequireKid(true)),
		xjwt.WithValidate(true),
		xjwt.WithIssuer(f.Issuer),
		xjwt.WithAudience(f.Audience),
		xjwt.WithRequiredClaim("exp"),
		xjwt.WithAcceptableSkew(Leeway),
		xjwt.WithClaimValue("client_id", f.ClientID),
		xjwt.WithValidator(scope),
	}
	return func(tok string) (string, error) {
		t, err := xjwt.Parse([]byte(tok), opts...)
		if err != nil {
			return "", err
		}
		sub, _ := t.Subject()
		return sub, nil
	}, nil
}

// --- go-jose ---------------------------------------------------------------

type joseClaims struct {
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
}

// NewGoJose: jwt.ParseSigned pinned to alg, Claims with the key set,
// jwt.Expected validation, then client_id and scope.
func NewGoJose(f *fixture.Fixture, alg string) (Func, error) {
	doc, err := f.JWKS(alg)
	if err != nil {
		return nil, err
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, err
	}
	algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)}
	return func(tok string) (string, error) {
		t, err := josejwt.ParseSigned(tok, algs)
		if err != nil {
			return "", err
		}
		var std josejwt.Claims
		var c joseClaims
		if err := t.Claims(&set, &std, &c); err != nil {
			return "", err
		}
		if std.Expiry == nil {
			return "", ErrCheck
		}
		if err := std.ValidateWithLeeway(josejwt.Expected{
			Issuer: f.Issuer, AnyAudience: josejwt.Audience{f.Audience}, Time: time.Now(),
		}, Leeway); err != nil {
			return "", err
		}
		if c.ClientID != f.ClientID || !hasScope(c.Scope, f.RequiredScope) {
			return "", ErrCheck
		}
		return std.Subject, nil
	}, nil
}
