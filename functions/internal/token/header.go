package token

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
)

// maxKIDBytes bounds the attacker-chosen kid before it reaches the key
// source and its logs; real kids are thumbprints or short names.
const maxKIDBytes = 256

// forbiddenHeaders either let the token pick its own key (jku, x5u; jwk and
// x5c are checked below), change how the payload is read (b64, zip, cty:
// nested JWTs), demand extensions we do not implement (crit), or belong to
// JWE (enc). go-jose keeps all of these in Header.ExtraHeaders.
var forbiddenHeaders = []jose.HeaderKey{"jku", "x5u", "crit", "b64", "zip", "cty", "enc"}

// checkHeader checks the protected header as go-jose parsed it, the one
// reading of the header JSON (go-jose refuses duplicate members, nested ones
// too, and trailing data), and returns its kid.
func checkHeader(h jose.Header) (kid string, err error) {
	if h.JSONWebKey != nil {
		return "", fmt.Errorf("check header: jwk present: %w", ErrHeader)
	}
	for _, name := range forbiddenHeaders {
		if _, ok := h.ExtraHeaders[name]; ok {
			return "", fmt.Errorf("check header: %s present: %w", name, ErrHeader)
		}
	}
	if !headerUTF8(h) {
		return "", fmt.Errorf("decode header: invalid UTF-8: %w", ErrMalformed)
	}
	if hasX5C(h) {
		return "", fmt.Errorf("check header: x5c present: %w", ErrHeader)
	}
	if !headerDepthOK(h) {
		return "", fmt.Errorf("check header: nested too deep: %w", ErrHeader)
	}
	if h.KeyID == "" || len(h.KeyID) > maxKIDBytes {
		return "", fmt.Errorf("check header: kid missing or too long: %w", ErrHeader)
	}
	return h.KeyID, nil
}

// noRoots makes Header.Certificates verify against no root at all: it never
// loads the system pool for a token's chain, and never succeeds.
var noRoots = x509.NewCertPool()

// hasX5C reports whether the header carried an x5c chain. go-jose parses x5c
// (spelled plainly or with escapes) into a field it does not export, refusing
// the whole header when a certificate does not parse; Certificates says
// ErrMissingX5cHeader exactly when it holds none. An empty or null x5c
// offers no key and counts as absent.
func hasX5C(h jose.Header) bool {
	_, err := h.Certificates(x509.VerifyOptions{Roots: noRoots})
	return !errors.Is(err, jose.ErrMissingX5cHeader)
}

// headerUTF8 reports whether the header was valid UTF-8, from what go-jose
// kept of it rather than from its bytes, which would mean decoding the
// segment twice. go-jose's JSON reads invalid UTF-8 inside a string as
// U+FFFD and refuses it outside strings, so an invalid header leaves U+FFFD
// in kid, alg, nonce, or a name or string of ExtraHeaders (jwk and x5c
// refuse the token anyway). A header that spells U+FFFD itself, which no
// issuer writes, is refused too.
func headerUTF8(h jose.Header) bool {
	for _, s := range [...]string{h.KeyID, h.Algorithm, h.Nonce} {
		if strings.ContainsRune(s, utf8.RuneError) {
			return false
		}
	}
	for name, v := range h.ExtraHeaders {
		if strings.ContainsRune(string(name), utf8.RuneError) || !stringsUTF8(v) {
			return false
		}
	}
	return true
}

// stringsUTF8 reports whether no string in v, a value go-jose's JSON decoded
// into any, holds U+FFFD.
func stringsUTF8(v any) bool {
	switch v := v.(type) {
	case string:
		return !strings.ContainsRune(v, utf8.RuneError)
	case map[string]any:
		for k, e := range v {
			if strings.ContainsRune(k, utf8.RuneError) || !stringsUTF8(e) {
				return false
			}
		}
	case []any:
		for _, e := range v {
			if !stringsUTF8(e) {
				return false
			}
		}
	}
	return true
}
