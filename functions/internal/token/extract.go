package token

import (
	"fmt"
	"strings"
)

// MaxTokenBytes caps the token length before any decoding work. Real Cognito
// and Okta tokens are a few KiB; API Gateway limits headers to about 10 KiB.
const MaxTokenBytes = 16 << 10

// Extract returns the JWT of an authorizationToken value: "Bearer <jwt>"
// (scheme case-insensitive, as RFC 7235 says) or a bare JWT. Another scheme
// or extra words are ErrMalformed; other bytes are left to Verify.
func Extract(authorization string) (string, error) {
	s := trimSpace(authorization)
	if len(s) >= 6 && equalFoldASCII(s[:6], "bearer") && (len(s) == 6 || s[6] == ' ') {
		s = trimSpace(s[6:])
	}
	if s == "" {
		return "", fmt.Errorf("extract token: %w", ErrMissing)
	}
	if len(s) > MaxTokenBytes {
		return "", fmt.Errorf("extract token: too long: %w", ErrMalformed)
	}
	// Only separators are looked for here (a vectorised search): any other
	// byte outside base64url fails Verify's decoding anyway.
	if strings.IndexByte(s, ' ') >= 0 || strings.IndexByte(s, '\t') >= 0 {
		return "", fmt.Errorf("extract token: unexpected whitespace: %w", ErrMalformed)
	}
	return s, nil
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// equalFoldASCII compares ASCII letters case-insensitively; it avoids
// strings.EqualFold's Unicode folding (e.g. the Kelvin sign folds to "k").
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
