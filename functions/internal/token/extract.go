package token

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxTokenBytes caps the token before any decoding work. Real Cognito and
// Okta tokens are a few KiB; API Gateway limits headers to about 10 KiB.
const MaxTokenBytes = 16 << 10

// Extract returns the JWT of an authorizationToken value: "Bearer <jwt>"
// (scheme case-insensitive, as RFC 7235 says) or a bare JWT. Another scheme
// or extra words are ErrMalformed; other bytes are left to Verify.
func Extract(authorization string) (string, error) {
	s := strings.Trim(authorization, " \t")
	if len(s) >= 6 && equalFoldASCII(s[:6], "bearer") && (len(s) == 6 || s[6] == ' ') {
		s = strings.Trim(s[6:], " \t")
	}
	if s == "" {
		return "", fmt.Errorf("extract token: %w", ErrMissing)
	}
	if len(s) > MaxTokenBytes {
		return "", fmt.Errorf("extract token: too long: %w", ErrMalformed)
	}
	if strings.ContainsAny(s, " \t") {
		return "", fmt.Errorf("extract token: unexpected whitespace: %w", ErrMalformed)
	}
	return s, nil
}

// equalFoldASCII compares ASCII letters case-insensitively; strings.EqualFold
// would also fold Unicode (the Kelvin sign folds to "k").
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
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
