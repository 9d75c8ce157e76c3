package token

import (
	"fmt"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
)

// issuer is one configured issuer and its own key source. A token is
// checked against the one issuer its "iss" names, with that issuer's keys
// only: a key of issuer A never verifies a token that claims issuer B, even
// under the same kid.
type issuer struct {
	cfg  config.Issuer
	keys Keys
}

// newIssuers indexes the issuers by their exact "iss", each with its entry
// of keys (by Issuer.Name).
func newIssuers(list []config.Issuer, keys map[string]Keys) (map[string]*issuer, error) {
	if len(list) == 0 {
		return nil, fmt.Errorf("create verifier: no issuer: %w", ErrInvalidInput)
	}
	out := make(map[string]*issuer, len(list))
	for _, c := range list {
		k := keys[c.Name]
		if k == nil {
			return nil, fmt.Errorf("create verifier: no keys for issuer %q: %w", c.Name, ErrInvalidInput)
		}
		if _, dup := out[c.Issuer]; dup {
			return nil, fmt.Errorf("create verifier: issuer %q twice: %w", c.Issuer, ErrInvalidInput)
		}
		out[c.Issuer] = &issuer{cfg: c, keys: k}
	}
	return out, nil
}
