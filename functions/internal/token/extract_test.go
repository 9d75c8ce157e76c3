package token

import (
	"errors"
	"strings"
	"testing"
)

func TestExtract(t *testing.T) {
	cases := []struct {
		in, want string
		err      error
	}{
		{"Bearer a.b.c", "a.b.c", nil},
		{"bearer a.b.c", "a.b.c", nil},
		{"BeArEr   a.b.c  ", "a.b.c", nil},
		{"a.b.c", "a.b.c", nil},
		{"", "", ErrMissing},
		{"Bearer ", "", ErrMissing},
		{"Bearer", "", ErrMissing},
		{"Bearerx.y.z", "Bearerx.y.z", nil}, // a bare "token"; Verify rejects it
		{"Basic a.b.c", "", ErrMalformed},
		{"Tokens a.b.c", "", ErrMalformed}, // six letters, but not "bearer"
		{"Bearer a.b.c d", "", ErrMalformed},
		{"Bearer a.b\n.c", "a.b\n.c", nil}, // Verify rejects it
		{"Bearer\ta.b.c", "", ErrMalformed},
		{strings.Repeat("a", MaxTokenBytes+1), strings.Repeat("a", MaxTokenBytes+1), nil}, // Verify refuses it, by its length first
	}
	for _, tc := range cases {
		got, err := Extract(tc.in)
		if !errors.Is(err, tc.err) || got != tc.want {
			t.Errorf("Extract(%.20q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
