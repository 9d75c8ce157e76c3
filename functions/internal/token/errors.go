package token

import (
	"errors"
	"fmt"
)

// Sentinel errors. Verify wraps exactly one of them as "verb noun: %w", so
// the authorizer can log why a token was refused (never the token itself)
// and tests can assert the reason with errors.Is.
var (
	ErrMissing     = errors.New("no token")
	ErrMalformed   = errors.New("malformed token")
	ErrHeader      = errors.New("forbidden or invalid header")
	ErrAlgorithm   = errors.New("algorithm not allowed")
	ErrKey         = errors.New("no usable key")
	ErrSignature   = errors.New("invalid signature")
	ErrClaims      = errors.New("invalid claims")
	ErrExpired     = errors.New("token expired")
	ErrNotYetValid = errors.New("token not yet valid")
	ErrIssuer      = errors.New("issuer mismatch")
	ErrAudience    = errors.New("audience mismatch")
	ErrClientID    = errors.New("client id mismatch")
	ErrTokenUse    = errors.New("token_use mismatch")
	ErrScope       = errors.New("required scope missing")
	ErrUserIDClaim = errors.New("user id claim missing or not a string")
	ErrGroupsClaim = errors.New("groups claim of the wrong type")
	ErrPathClaim   = errors.New("path claim not a string")

	// ErrUnknownIssuer: "iss" names no configured issuer. It is an
	// ErrIssuer too; no key is looked up for such a token.
	ErrUnknownIssuer = fmt.Errorf("unknown issuer: %w", ErrIssuer)

	// ErrInvalidInput: New was given issuers without key sources.
	ErrInvalidInput = errors.New("invalid verifier configuration")
)
