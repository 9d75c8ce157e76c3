package token

import (
	"fmt"
	"strings"
)

// MaxTokenBytes caps the token before any decoding work (checkCompact, the
// first step of Verify). Real Cognito and Okta tokens are a few KiB; API
// Gateway limits headers to about 10 KiB.
const MaxTokenBytes = 16 << 10

// maxHeaderBytes bounds the encoded protected header before go-jose decodes
// it; real JOSE headers are under 300 bytes.
const maxHeaderBytes = 2048

// checkCompact refuses, before anything is decoded, what is not a compact
// JWS of three non-empty segments in canonical base64url. go-jose then
// decodes each segment once, with a lenient decoder that would also take
// other spellings of the same bytes (padding, CR/LF, set unused bits); the
// signature covers the encoded text, so each spelling would verify.
func checkCompact(raw string) error {
	if len(raw) > MaxTokenBytes {
		return fmt.Errorf("parse token: too long: %w", ErrMalformed)
	}
	h, rest, ok1 := strings.Cut(raw, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.IndexByte(s, '.') >= 0 {
		return fmt.Errorf("parse token: not three segments: %w", ErrMalformed)
	}
	for _, seg := range [...]struct{ name, text string }{{"header", h}, {"payload", p}, {"signature", s}} {
		if !canonical(seg.text) {
			return fmt.Errorf("decode %s: not canonical base64url: %w", seg.name, ErrMalformed)
		}
	}
	if len(h) > maxHeaderBytes {
		return fmt.Errorf("check header: longer than %d bytes: %w", maxHeaderBytes, ErrHeader)
	}
	return nil
}

// canonical reports whether s is the one unpadded base64url spelling of its
// bytes (RFC 7515 §2, RFC 4648 §3.5): not empty, only alphabet characters,
// a length that is not 1 mod 4 (no whole byte ends there), and zero unused
// low bits in the last character. It reads s once and decodes nothing.
func canonical(s string) bool {
	if s == "" || len(s)%4 == 1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b64url[s[i]] == notBase64 {
			return false
		}
	}
	// The last character of 2 (or 3) trailing characters carries 4 (or 2)
	// bits that belong to no byte.
	switch last := b64url[s[len(s)-1]]; len(s) % 4 {
	case 2:
		return last&0x0f == 0
	case 3:
		return last&0x03 == 0
	}
	return true
}

const notBase64 = 0xff

// b64url maps each byte to its 6-bit value in the base64url alphabet, or
// notBase64.
var b64url = func() (t [256]byte) {
	for i := range t {
		t[i] = notBase64
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = byte(i)
	}
	return t
}()
