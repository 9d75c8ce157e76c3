package token

import (
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/json"
)

// maxKIDBytes bounds the attacker-chosen kid before it reaches the key
// source and its logs; real kids are thumbprints or short names.
const maxKIDBytes = 256

// forbiddenHeaders either let the token pick its own key (jku, x5u; jwk and
// x5c are checked below), change how the payload is read (b64, zip, cty:
// nested JWTs), demand extensions we do not implement (crit), or belong to
// JWE (enc). go-jose keeps all of these in Header.ExtraHeaders.
var forbiddenHeaders = []jose.HeaderKey{"jku", "x5u", "crit", "b64", "zip", "cty", "enc"}

// checkHeader checks the protected header as go-jose parsed it (h) and
// returns its kid. raw is the decoded header, read again only for x5c,
// which go-jose parses into a field it does not export.
func checkHeader(h jose.Header, raw []byte) (kid string, err error) {
	if h.JSONWebKey != nil {
		return "", fmt.Errorf("check header: jwk present: %w", ErrHeader)
	}
	for _, name := range forbiddenHeaders {
		if _, ok := h.ExtraHeaders[name]; ok {
			return "", fmt.Errorf("check header: %s present: %w", name, ErrHeader)
		}
	}
	var x5c struct {
		X5C *json.RawMessage `json:"x5c"`
	}
	if json.Unmarshal(raw, &x5c) != nil || x5c.X5C != nil {
		return "", fmt.Errorf("check header: x5c present: %w", ErrHeader)
	}
	for _, v := range h.ExtraHeaders {
		if 1+depth(v) > maxDepth {
			return "", fmt.Errorf("check header: nested too deep: %w", ErrHeader)
		}
	}
	if h.KeyID == "" || len(h.KeyID) > maxKIDBytes {
		return "", fmt.Errorf("check header: kid missing or too long: %w", ErrHeader)
	}
	return h.KeyID, nil
}
