package policy

import "fmt"

// MaxUserIDBytes bounds the user id; Cognito subs are 36 bytes, Okta uids 20.
const MaxUserIDBytes = 128

// ValidUserID reports whether id is safe to write into an execute-api
// resource: non-empty, at most MaxUserIDBytes, made only of
// [A-Za-z0-9._~@+=:,-], and not "." or "..". The set is small and ASCII on
// purpose: "*" and "?" are ARN wildcards, "/" would change the path,
// whitespace and control characters corrupt logs and headers, and non-ASCII
// admits look-alikes (U+2215 "∕" for "/"). Such ids are rejected, never
// escaped: an escaped id would be another id than the one the backend sees.
func ValidUserID(id string) error {
	if id == "" || len(id) > MaxUserIDBytes {
		return fmt.Errorf("check user id: empty or longer than %d bytes: %w", MaxUserIDBytes, ErrUserID)
	}
	for i := 0; i < len(id); i++ {
		if !userIDByte(id[i]) {
			return fmt.Errorf("check user id: forbidden byte at %d: %w", i, ErrUserID)
		}
	}
	// A dot segment would make "users/{userId}/items" read as a path that
	// normalises elsewhere ("users/../items").
	if id == "." || id == ".." {
		return fmt.Errorf("check user id: dot segment: %w", ErrUserID)
	}
	return nil
}

func userIDByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '.', '_', '~', '@', '+', '=', ':', ',', '-':
		return true
	}
	return false
}
