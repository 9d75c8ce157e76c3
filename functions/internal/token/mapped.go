package token

import (
	"fmt"
	"strings"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
)

// MaxContextValueBytes bounds a forwarded claim (config.Issuer
// ContextClaims) as the backend sees it. A longer value is left out, never
// cut: the backend sees the key missing, and the authorizer logs why.
const MaxContextValueBytes = 1024

// mapped reads the claims iss maps to groups, bound path parameters and the
// context into out. A groups claim or a bound claim of the wrong type refuses
// the token; a missing one leaves its field empty, which earns no route that
// needs it. A forwarded claim that cannot be forwarded is left out and named
// in out.Omitted.
func (c *claimSet) mapped(iss config.Issuer, out *Claims) error {
	if iss.GroupsClaim != nil {
		m, ok := c.nested(iss.GroupsClaim)
		if !ok {
			return fmt.Errorf("read %s: not an object: %w", strings.Join(iss.GroupsClaim, "."), ErrGroupsClaim)
		}
		if m != nil {
			if s, ok := m.str(); ok {
				out.Groups = appendFields(nil, s)
			} else if out.Groups, ok = m.strs(); !ok {
				return fmt.Errorf("read %s: not a string or an array of strings: %w", strings.Join(iss.GroupsClaim, "."), ErrGroupsClaim)
			}
		}
	}
	for param, claim := range iss.PathClaims {
		m := c.members.get(claim)
		if m == nil {
			continue
		}
		v, ok := m.str()
		if !ok {
			return fmt.Errorf("read %s: not a string: %w", claim, ErrPathClaim)
		}
		if out.Bound == nil {
			out.Bound = make(map[string]string, len(iss.PathClaims))
		}
		out.Bound[param] = v
	}
	for key, claim := range iss.ContextClaims {
		m := c.members.get(claim)
		if m == nil {
			continue
		}
		v, why := contextValue(m)
		if why == "" && len(v) > MaxContextValueBytes {
			why = fmt.Sprintf("longer than %d bytes", MaxContextValueBytes)
		}
		if why != "" {
			out.Omitted = append(out.Omitted, key+": "+claim+" "+why)
			continue
		}
		if out.Context == nil {
			out.Context = make(map[string]string, len(iss.ContextClaims))
		}
		out.Context[key] = v
	}
	return nil
}

// nested returns the member at path: nil when a name along it is missing or
// null, ok false when a value before the last is not an object.
func (c *claimSet) nested(path config.ClaimPath) (member, bool) {
	m := c.members.get(path[0])
	for _, name := range path[1:] {
		if m == nil {
			return nil, true
		}
		if m[0] != '{' {
			return nil, false
		}
		var obj members
		if !obj.split(m) {
			return nil, false
		}
		m = obj.get(name)
	}
	return m, true
}

// contextValue is a claim as the context carries it: a string as it is, an
// array of strings joined by spaces, a number or a boolean as its JSON text;
// anything else is left out, with the reason.
func contextValue(m member) (string, string) {
	if s, ok := m.str(); ok {
		return s, ""
	}
	switch m[0] {
	case '[':
		if list, ok := m.strs(); ok {
			return strings.Join(list, " "), ""
		}
		return "", "is not an array of strings"
	case '{':
		return "", "is an object"
	}
	// A number, true or false: encoding/json has checked the text.
	return string(m), ""
}
