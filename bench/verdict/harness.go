// Package verdict holds one harness per verifier compared by the warm-verdict
// benchmark. Every harness applies the same checks to the same tokens: the
// algorithm pinned (RS256 or ES256), the signature with the key of the
// token's kid, iss equal, exp present and in the future (60 s leeway), aud
// containing the audience, client_id equal, and the required scope present in
// the space-separated "scope" claim. Each returns the user id (sub).
package verdict

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
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
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
	{"ours", "this project: authorizer.Handle (the Lambda handler) + the runtime's JSON encoding", []string{"RS256", "ES256"}, NewOurs},
	{"ours-20routes", "this project: authorizer.Handle with 20 routes (groups, a bound {tenantId}) + the runtime's JSON encoding", []string{"RS256", "ES256"}, NewOurs20},
	{"ours-verifier", "this project: token.Verifier only", []string{"RS256", "ES256"}, NewOursVerifier},
	{"golang-jwt", "golang-jwt/jwt v5.3.1 + keyfunc v3.9.1", []string{"RS256", "ES256"}, NewGolangJWT},
	{"jwx", "lestrrat-go/jwx v3.4.0", []string{"RS256", "ES256"}, NewJWX},
	{"go-jose", "go-jose v4 (plain)", []string{"RS256", "ES256"}, NewGoJose},
}

// ErrCheck is returned when a claim check of a harness fails.
var ErrCheck = errors.New("claim check failed")

// appClaims are the claims beyond the registered ones that the harnesses
// decoding into a struct check.
type appClaims struct {
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
}

// ok: client_id is the fixture's and scope holds its required scope.
func (c appClaims) ok(f *fixture.Fixture) bool {
	return c.ClientID == f.ClientID && hasScope(c.Scope, f.RequiredScope)
}

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

// jwksServer serves the fixture's JWKS for alg from a local httptest
// server, as a warm Lambda instance's issuer. It stays up (a key miss would
// reach it), but no verdict calls it.
func jwksServer(f *fixture.Fixture, alg string) (*httptest.Server, error) {
	doc, err := f.JWKS(alg)
	if err != nil {
		return nil, err
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})), nil
}

// ourConfig is what config.FromEnv reads for the fixture, as the Lambda
// function is configured in the benchmark.
func ourConfig(f *fixture.Fixture, alg, jwksURL string) (*config.Authorizer, error) {
	env := map[string]string{
		"ISSUER":                 f.Issuer,
		"JWKS_URL":               jwksURL,
		"AUDIENCES":              f.Audience,
		"CLIENT_IDS":             f.ClientID,
		"REQUIRED_SCOPES":        f.RequiredScope,
		"ALLOWED_ALGORITHMS":     alg,
		"ALLOWED_ROUTES":         fixture.Route,
		"KEYS_CACHE_TTL_SECONDS": "43200",
		"CLOCK_SKEW_SECONDS":     fmt.Sprint(int(Leeway.Seconds())),
	}
	return config.FromEnv(func(k string) string { return env[k] })
}

// ourServedConfig is ourConfig with the JWKS served by jwksServer.
func ourServedConfig(f *fixture.Fixture, alg string) (*config.Authorizer, error) {
	srv, err := jwksServer(f, alg)
	if err != nil {
		return nil, err
	}
	return ourConfig(f, alg, srv.URL+"/jwks.json")
}

// KeysKind says which key source the project harnesses use (for the report).
const KeysKind = "keys.Provider, memory only, warmed once from a local httptest JWKS server"

// NewOurs runs the whole verdict of this project as the Lambda function
// does: authorizer.FromConfig (warmed), the TOKEN event through
// authorizer.Handle (bearer extraction, methodArn parsing, key lookup,
// signature, claims, user-id check, policy) and the response JSON-encoded
// as the Lambda runtime encodes it.
func NewOurs(f *fixture.Fixture, alg string) (Func, error) {
	cfg, err := ourServedConfig(f, alg)
	if err != nil {
		return nil, err
	}
	return newOurs(f, alg, cfg, nil)
}

// NewOurs20 is NewOurs with issue 20's route set: 20 routes under
// /tenants/{tenantId}/, the tenant bound to the token's sub (path_claims),
// half of them for a group the token holds (its scope claim read as groups)
// and half for one it does not, so every verdict builds 10 Allows and
// 10 Denies.
func NewOurs20(f *fixture.Fixture, alg string) (Func, error) {
	srv, err := jwksServer(f, alg)
	if err != nil {
		return nil, err
	}
	issuers, err := json.Marshal([]map[string]any{{
		"name": "main", "issuer": f.Issuer, "jwks_url": srv.URL + "/jwks.json",
		"audiences": []string{f.Audience}, "client_ids": []string{f.ClientID},
		"groups_claim": []string{"scope"}, "path_claims": map[string]string{"tenantId": "sub"},
	}})
	if err != nil {
		return nil, err
	}
	var routes []map[string]any
	for i := range 10 {
		r := fmt.Sprintf("/tenants/{tenantId}/resource%d/{id}", i)
		routes = append(routes,
			map[string]any{"route": "GET" + r, "groups": []string{f.RequiredScope}},
			map[string]any{"route": "DELETE" + r, "groups": []string{"admins"}})
	}
	routesJSON, err := json.Marshal(routes)
	if err != nil {
		return nil, err
	}
	env := map[string]string{
		"ISSUERS":                string(issuers),
		"ROUTES":                 string(routesJSON),
		"REQUIRED_SCOPES":        f.RequiredScope,
		"ALLOWED_ALGORITHMS":     alg,
		"KEYS_CACHE_TTL_SECONDS": "43200",
		"CLOCK_SKEW_SECONDS":     fmt.Sprint(int(Leeway.Seconds())),
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		return nil, err
	}
	return newOurs(f, alg, cfg, func(r events.APIGatewayCustomAuthorizerResponse) error {
		if st := r.PolicyDocument.Statement; len(st) != 2 || st[0].Effect != "Allow" || len(st[0].Resource) != 10 || len(st[1].Resource) != 10 {
			return fmt.Errorf("ours-20routes: want 10 routes allowed and 10 denied, got %+v", st)
		}
		return nil
	})
}

// newOurs builds the Lambda function's handler from cfg, warmed; check, if
// set, judges its answer to the fixture's first token.
func newOurs(f *fixture.Fixture, alg string, cfg *config.Authorizer, check func(events.APIGatewayCustomAuthorizerResponse) error) (Func, error) {
	h, warmed, err := authorizer.FromConfig(context.Background(), cfg, authorizer.Deps{
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, err
	}
	<-warmed
	ctx := context.Background()
	// The events are built beforehand: the runtime's decoding of the event
	// is not part of the verdict (nor of the floor).
	reqs := make(map[string]*events.APIGatewayCustomAuthorizerRequest, len(f.Set(alg).Tokens))
	for _, t := range append(append([]string{}, f.RS256.Tokens...), f.ES256.Tokens...) {
		reqs[t] = &events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "Bearer " + t, MethodArn: fixture.MethodARNPrefix + "user",
		}
	}
	// aws-lambda-go encodes a handler's result with HTML escaping off into
	// a reused buffer.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if check != nil {
		resp, err := h.Handle(ctx, *reqs[f.Set(alg).Tokens[0]])
		if err != nil {
			return nil, err
		}
		if err := check(resp); err != nil {
			return nil, err
		}
	}
	return func(tok string) (string, error) {
		req, ok := reqs[tok]
		if !ok {
			req = &events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer " + tok, MethodArn: fixture.MethodARNPrefix + "user"}
		}
		resp, err := h.Handle(ctx, *req)
		if err != nil {
			return "", err
		}
		buf.Reset()
		if err := enc.Encode(resp); err != nil {
			return "", err
		}
		return resp.PrincipalID, nil
	}, nil
}

// NewOursVerifier is token.Verifier.Verify alone, for the breakdown, with
// the key provider FromConfig would build.
func NewOursVerifier(f *fixture.Fixture, alg string) (Func, error) {
	cfg, err := ourServedConfig(f, alg)
	if err != nil {
		return nil, err
	}
	iss := cfg.Issuers[0]
	p, err := keys.New(keys.Options{Issuer: iss.Issuer, JWKSURL: iss.JWKSURL, TTL: cfg.KeysCacheTTL, FetchTimeout: cfg.JWKSFetchTimeout})
	if err != nil {
		return nil, err
	}
	if err := p.Warm(context.Background()); err != nil {
		return nil, err
	}
	v, err := token.New(cfg, map[string]token.Keys{iss.Name: p}, nil)
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
	appClaims
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
		if !c.ok(f) {
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
		var c appClaims
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
		if !c.ok(f) {
			return "", ErrCheck
		}
		return std.Subject, nil
	}, nil
}
