package token

import (
	"context"
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

func TestCanonical(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"", false},
		{"A", false},     // 1 mod 4: no whole byte
		{"AAAAA", false}, // likewise
		{"AA", true},     // one byte, 4 unused bits all zero
		{"AQ", true},     // Q = 010000
		{"AB", false},    // B = 000001: an unused bit set
		{"AP", false},    // P = 001111
		{"AAA", true},    // two bytes, 2 unused bits
		{"AAE", true},    // E = 000100
		{"AAB", false},   // B = 000001
		{"AAC", false},   // C = 000010
		{"AAAA", true},   // three bytes, no unused bit
		{"-w", true},     // w = 110000
		{"-_", false},    // _ = 111111
		{"AA==", false},  // padding
		{"AA=", false},
		{"+A", false}, // standard alphabet
		{"/A", false},
		{"A A", false},
		{"AA\n", false}, // the standard decoders skip CR and LF
		{"A\rA", false},
		{"AA.A", false},
		{"\u00e9AA", false},
		{"AA\x00", false},
	} {
		if got := canonical(tc.in); got != tc.want {
			t.Errorf("canonical(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestCanonicalIsStrictDecoding: canonical accepts exactly what the standard
// library's strict base64url decoder decodes (less the CR and LF it skips
// and the empty string), over every string of up to 3 characters from the
// alphabet and its neighbours, and over random longer ones.
func TestCanonicalIsStrictDecoding(t *testing.T) {
	strict := base64.RawURLEncoding.Strict()
	agree := func(s string) {
		_, err := strict.DecodeString(s)
		want := err == nil && s != "" && !strings.ContainsAny(s, "\r\n")
		if canonical(s) != want {
			t.Fatalf("canonical(%q) = %v, strict decoder %v", s, !want, want)
		}
	}
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.\n \x00\xff"
	for _, a := range chars {
		agree(string(a))
		for _, b := range chars {
			agree(string(a) + string(b))
			for _, c := range chars {
				agree(string(a) + string(b) + string(c))
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, 4+r.IntN(40))
		for i := range b {
			b[i] = chars[r.IntN(len(chars)-8)] // mostly the alphabet
			if r.IntN(50) == 0 {
				b[i] = chars[r.IntN(len(chars))]
			}
		}
		agree(string(b))
	}
}

// TestVerifyMalformedBytes: bytes Extract lets through are refused by Verify
// even when the signature would match once they are dropped.
func TestVerifyMalformedBytes(t *testing.T) {
	k := testKey
	v := newVerifier(t, oneIssuer(), newKeyMap(k))
	tok := k.Mint(nil, claims())
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	p := jwttest.Parts(tok)
	for _, bad := range []string{
		p[0] + "." + p[1][:10] + "\n" + p[1][10:] + "." + p[2],
		p[0] + "." + p[1][:10] + "\r" + p[1][10:] + "." + p[2],
		p[0][:5] + "\n" + p[0][5:] + "." + p[1] + "." + p[2],
		p[0] + "." + p[1] + "." + p[2][:10] + "\u00e9" + p[2][10:],
		p[0] + "." + p[1] + "." + p[2][:10] + "\x00" + p[2][10:],
		p[0] + "." + p[1] + "=." + p[2],
		p[0] + "=." + p[1] + "." + p[2],
		p[0] + "." + p[1] + "." + p[2] + "=",
		p[0] + ".." + p[2],
		tok + ".",
		" " + tok,
		"{" + tok,
		strings.Repeat("a", MaxTokenBytes) + "." + p[1] + "." + p[2],
		// Outside the base64url alphabet (standard base64's + and /).
		p[0] + "." + p[1] + "." + p[2][:10] + "+" + p[2][11:],
		p[0] + "." + p[1][:10] + "/" + p[1][11:] + "." + p[2],
		// A length of 1 mod 4 ends inside a byte.
		p[0] + "." + p[1] + "." + p[2] + strings.Repeat("A", (5-len(p[2])%4)%4),
	} {
		if _, err := v.Verify(context.Background(), bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%.30q...: err = %v", bad, err)
		}
	}
}
