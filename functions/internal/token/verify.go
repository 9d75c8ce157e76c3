package token

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
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
	shape    payloadShape
	required []string // scopes every token must carry
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
	var names []string
	for _, iss := range cfg.Issuers {
		names = append(names, iss.UserIDClaim)
	}
	shape, err := newPayloadShape(names)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	v := &Verifier{issuers: issuers, shape: shape, required: cfg.RequiredScopes, leeway: cfg.ClockSkew, now: now}
	for _, a := range cfg.Algorithms {
		v.algs = append(v.algs, jose.SignatureAlgorithm(a))
	}
	return v, nil
}

// Verify checks a compact JWS (as returned by Extract) and its claims. Each
// error wraps one sentinel of errors.go.
func (v *Verifier) Verify(ctx context.Context, raw string) (Claims, error) {
	header, payload, err := decodeCompact(raw)
	if err != nil {
		return Claims{}, err
	}
	tok, err := jwt.ParseSigned(raw, v.algs)
	if err != nil {
		var alg *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &alg) {
			return Claims{}, fmt.Errorf("check algorithm: %w", ErrAlgorithm)
		}
		// The segments decoded above, so what go-jose refused is the header.
		return Claims{}, fmt.Errorf("parse header: %w", ErrHeader)
	}
	h := tok.Headers[0] // compact: exactly one
	kid, err := checkHeader(h, header)
	if err != nil {
		return Claims{}, err
	}
	if !nestingOK(payload) {
		return Claims{}, fmt.Errorf("read claims: duplicate key or too deep: %w", ErrClaims)
	}
	// The claims are decoded once, before the signature is checked, because
	// "iss" picks the issuer whose keys verify it (as aws-jwt-verify does).
	// Nothing in them is trusted until tok.Claims(key) below has verified
	// the very payload they were decoded from.
	p, err := v.shape.decode(tok.UnsafeClaimsWithoutVerification)
	if err != nil {
		return Claims{}, err
	}
	iss, ok := v.issuers[p.set.Issuer]
	if !ok {
		return Claims{}, fmt.Errorf("pick issuer: %w", ErrUnknownIssuer)
	}
	jwk, err := iss.keys.Key(ctx, kid)
	if err != nil {
		return Claims{}, fmt.Errorf("find key: %w: %w", ErrKey, err)
	}
	if err := keyFits(jwk, h.Algorithm); err != nil {
		return Claims{}, err
	}
	// Claims without destinations only verifies the signature.
	if err := tok.Claims(jwk.Key); err != nil {
		return Claims{}, fmt.Errorf("verify signature: %w", ErrSignature)
	}
	return v.validate(p, iss)
}

// maxHeaderBytes bounds the encoded protected header before it is decoded;
// real JOSE headers are under 300 bytes.
const maxHeaderBytes = 2048

// strict refuses padding and non-zero unused bits in a segment's last
// character. go-jose decodes with the lenient decoder, under which one token
// has several spellings (the signature covers the encoded text, so each
// spelling verifies); only the canonical one is accepted here.
var strict = base64.RawURLEncoding.Strict()

// decodeCompact checks that raw is a compact JWS of three non-empty,
// canonical base64url segments and returns the decoded header and payload.
// go-jose parses the same segments next; this only refuses what its decoder
// would let through.
func decodeCompact(raw string) (header, payload []byte, err error) {
	if len(raw) > MaxTokenBytes {
		return nil, nil, fmt.Errorf("parse token: too long: %w", ErrMalformed)
	}
	// Every encoding/base64 decoder skips CR and LF, the strict one too.
	if strings.ContainsAny(raw, "\r\n") {
		return nil, nil, fmt.Errorf("parse token: line break: %w", ErrMalformed)
	}
	h, rest, ok1 := strings.Cut(raw, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || h == "" || p == "" || s == "" || strings.Contains(s, ".") {
		return nil, nil, fmt.Errorf("parse token: not a compact JWS: %w", ErrMalformed)
	}
	if len(h) > maxHeaderBytes {
		return nil, nil, fmt.Errorf("check header: longer than %d bytes: %w", maxHeaderBytes, ErrHeader)
	}
	if header, err = strict.DecodeString(h); err != nil {
		return nil, nil, fmt.Errorf("decode header: %w", ErrMalformed)
	}
	if payload, err = strict.DecodeString(p); err != nil {
		return nil, nil, fmt.Errorf("decode payload: %w", ErrMalformed)
	}
	if _, err = strict.DecodeString(s); err != nil {
		return nil, nil, fmt.Errorf("decode signature: %w", ErrMalformed)
	}
	// go-jose's JSON decoder would replace invalid UTF-8 with U+FFFD: two
	// readers of the same bytes could then see different strings.
	if !utf8.Valid(header) || !utf8.Valid(payload) {
		return nil, nil, fmt.Errorf("decode token: invalid UTF-8: %w", ErrMalformed)
	}
	return header, payload, nil
}
