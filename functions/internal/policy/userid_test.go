package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestValidUserID(t *testing.T) {
	for _, id := range []string{"user-1", "a", "first.last+tag@example.com", "us-east-1:3f2e", "A=B,C~D_E", "..a", strings.Repeat("x", 128)} {
		if err := ValidUserID(id); err != nil {
			t.Errorf("%q rejected: %v", id, err)
		}
	}
}

func TestValidUserIDRejects(t *testing.T) {
	for _, id := range []string{
		"", strings.Repeat("x", 129), "a*", "a?", "a/b", "a b", "a\tb", "a\x00", "a\x7f",
		"user\u22151", "\u0430dmin", "a%2F", "a#b", "a\\b", "a\"b", "a{b}", "a$b", ".", "..",
	} {
		if err := ValidUserID(id); !errors.Is(err, ErrUserID) {
			t.Errorf("%q: err = %v, want ErrUserID", id, err)
		}
	}
}
