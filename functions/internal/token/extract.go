package token

import (
	"fmt"
	"strings"
)

// Extract returns the JWT of an authorizationToken value: "Bearer <jwt>"
// (scheme case-insensitive, as RFC 7235 says) or a bare JWT. Another scheme
// or extra words are ErrMalformed; other bytes, and the length, are left to
// Verify.
func Extract(authorization string) (string, error) {
	s := strings.Trim(authorization, " \t")
	if len(s) >= 6 && equalFoldASCII(s[:6], "bearer") && (len(s) == 6 || s[6] == ' ') {
		s = strings.Trim(s[6:], " \t")
	}
	if s == "" {
		return "", fmt.Errorf("extract token: %w", ErrMissing)
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
