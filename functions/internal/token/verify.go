package token

import (
	"context"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
)

// Keys finds one issuer's public key for a kid. The keys package implements
// it (memory → DynamoDB → issuer); tests use a map.
type Keys interface {
	Key(ctx context.Context, kid string) (*jose.JSONWebKey, error)
}

// Verifier verifies tokens of the configured issuers; it is safe for
// concurrent use.
type Verifier struct {
	algs     []jose.SignatureAlgorithm // config.Authorizer.Algorithms
	issuers  map[string]*issuer        // by exact "iss"
	required []string                  // scopes every token must carry
	leeway   time.Duration
	now      func() time.Time
}

// New returns a verifier for cfg, which config.FromEnv has validated. keys
// holds each issuer's key source by Issuer.Name; now is the clock (nil:
// time.Now).
func New(cfg *config.Authorizer, keys map[string]Keys, now func() time.Time) (*Verifier, error) {
	issuers, err := newIssuers(cfg.Issuers, keys)
	if err != nil {
		return nil, err
	}
	// FromEnv has checked the names; a verifier built by hand gets the
	// same rule.
	for _, iss := range cfg.Issuers {
		if err := config.CheckClaimName(iss.UserIDClaim); err != nil {
			return nil, fmt.Errorf("create verifier: issuer %q: %v: %w", iss.Name, err, ErrInvalidInput)
		}
	}
	if now == nil {
		now = time.Now
	}
	v := &Verifier{issuers: issuers, required: cfg.RequiredScopes, leeway: cfg.ClockSkew, now: now}
	for _, a := range cfg.Algorithms {
		v.algs = append(v.algs, jose.SignatureAlgorithm(a))
	}
	return v, nil
}

// Verify checks a compact JWS (as returned by Extract) and its claims, each
// segment decoded once and each JSON part parsed once. Each error wraps one
// sentinel of errors.go; once "iss" has picked a configured issuer, the
// Claims returned with an error hold that issuer's name and nothing else.
func (v *Verifier) Verify(ctx context.Context, raw string) (Claims, error) {
	if err := checkCompact(raw); err != nil {
		return Claims{}, err
	}
	jws, err := jose.ParseSignedCompact(raw, v.algs)
	if err != nil {
		var alg *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &alg) {
			return Claims{}, fmt.Errorf("check algorithm: %w", ErrAlgorithm)
		}
		// The segments are canonical base64url, so what go-jose refused is
		// the header (the payload is not parsed yet).
		return Claims{}, fmt.Errorf("parse header: %w", ErrHeader)
	}
	h := jws.Signatures[0].Header // compact: exactly one
	kid, err := checkHeader(h)
	if err != nil {
		return Claims{}, err
	}
	c, err := readClaims(jws.UnsafePayloadWithoutVerification())
	if err != nil {
		return Claims{}, err
	}
	defer c.release()
	iss, ok := v.issuers[c.issuer]
	if !ok {
		return Claims{}, fmt.Errorf("pick issuer: %w", ErrUnknownIssuer)
	}
	claims, err := v.verifyFrom(ctx, jws, h, kid, c, iss)
	if err != nil {
		// Only the configured name, for the refusal's metrics.
		return Claims{IssuerName: iss.cfg.Name}, err
	}
	return claims, nil
}

// verifyFrom checks the token once its issuer is picked: key, signature,
// claims.
func (v *Verifier) verifyFrom(ctx context.Context, jws *jose.JSONWebSignature, h jose.Header, kid string, c *claimSet, iss *issuer) (Claims, error) {
	jwk, err := iss.keys.Key(ctx, kid)
	if err != nil {
		return Claims{}, fmt.Errorf("find key: %w: %w", ErrKey, err)
	}
	// The key rules live with the key sets (jwks): one home for what a key
	// may verify, whether it comes from a set or is asked for one token.
	if reason := jwks.Fits(jwk, h.Algorithm); reason != "" {
		return Claims{}, fmt.Errorf("check key: %s: %w", reason, ErrKey)
	}
	// The payload verified is the one the claims were read from.
	if _, err := jws.Verify(jwk.Key); err != nil {
		return Claims{}, fmt.Errorf("verify signature: %w", ErrSignature)
	}
	return v.validate(c, iss)
}
