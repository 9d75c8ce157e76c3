package token

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/go-jose/go-jose/v4/jwt"
)

// Claims are the verified facts the authorizer passes on.
type Claims struct {
	UserID     string   // the issuer's user-id claim; see policy.ValidUserID
	Issuer     string   // "iss"
	IssuerName string   // the configured name of that issuer
	ClientID   string   // client_id, else cid, else ""
	Scope      string   // "scope", else "scp": as the token says (an array joined by spaces)
	Scopes     []string // every scope of "scope" and "scp"

	// What the issuer's groups_claim, path_claims and context_claims map
	// (config.Issuer); empty when it maps none or the token lacks them.
	Groups  []string          // the groups claim: an array, or a string split on spaces
	Bound   map[string]string // path parameter → the token's value (unchecked: policy checks it)
	Context map[string]string // context key → the forwarded claim
	Omitted []string          // "key: claim why" of each forwarded claim left out, for the log
}

// claimSet is the payload as read before the signature is checked: the
// claims every token is checked on, typed, and the members by name for the
// user-id claim of whichever issuer "iss" picks. A missing or null claim is
// nil (ok false); a claim of the wrong type refuses the token.
type claimSet struct {
	members
	issuer                      string
	audience                    jwt.Audience
	expiry, notBefore, issuedAt *jwt.NumericDate // nil, or one of dates
	dates                       [3]jwt.NumericDate
	clientID, cid, tokenUse     optional
	scope                       string   // see readScopes
	scopes                      []string // see readScopes
}

// optional is a string claim that may be missing.
type optional struct {
	value string
	ok    bool
}

// readClaims reads payload, whose signature is not checked yet: "iss" picks
// the issuer whose keys check it (as aws-jwt-verify does). Nothing read here
// is trusted before go-jose has verified the very bytes it came from.
func readClaims(payload []byte) (*claimSet, error) {
	// go-jose's JSON would read invalid UTF-8 as U+FFFD: two readers of the
	// same bytes could then see different strings.
	if !utf8.Valid(payload) {
		return nil, fmt.Errorf("decode payload: invalid UTF-8: %w", ErrMalformed)
	}
	c := claimSetPool.Get().(*claimSet)
	if !c.split(payload) {
		c.release()
		return nil, fmt.Errorf("read claims: %w", ErrClaims)
	}
	if !payloadNestingOK(payload, &c.members) {
		c.release()
		return nil, fmt.Errorf("read claims: duplicate key or too deep: %w", ErrClaims)
	}
	if bad := c.typed(); bad != "" {
		c.release()
		return nil, fmt.Errorf("read %s: wrong type: %w", bad, ErrClaims)
	}
	return c, nil
}

// claimSetPool keeps emptied claim sets and their lists of members:
// allocating them per token costs more than typing all the claims.
var claimSetPool = sync.Pool{New: func() any { return &claimSet{members: members{fields: make([]field, 0, 32)}} }}

// release empties c and hands it back for the next token, unless a token
// with unusually many members grew it: the pool keeps only real-token sizes.
// Nothing Verify returns keeps a reference into it: every string and list is
// a copy or was handed over.
func (c *claimSet) release() {
	fields := c.fields
	if cap(fields) > 64 {
		return
	}
	clear(fields[:cap(fields)])
	*c = claimSet{members: members{fields: fields[:0]}}
	claimSetPool.Put(c)
}

// typed decodes the claims every token is checked on, and returns the name
// of the first one of a wrong type, or "".
func (c *claimSet) typed() string {
	ms := &c.members
	var ok bool
	if m := ms.get("iss"); m != nil {
		if c.issuer, ok = m.str(); !ok {
			return "iss"
		}
	}
	// A null aud is refused, as go-jose's jwt.Audience refuses it.
	if m, present := ms.lookup("aud"); present {
		if c.audience, ok = m.audience(); !ok {
			return "aud"
		}
	}
	for i, d := range [...]struct {
		name string
		dst  **jwt.NumericDate
	}{{"exp", &c.expiry}, {"nbf", &c.notBefore}, {"iat", &c.issuedAt}} {
		if m := ms.get(d.name); m != nil {
			if !m.date(&c.dates[i]) {
				return d.name
			}
			*d.dst = &c.dates[i]
		}
	}
	// jti is not checked, only typed, as RFC 7519 §4.1.7 has it.
	if m := ms.get("jti"); m != nil && !m.isString() {
		return "jti"
	}
	for _, s := range [...]struct {
		name string
		dst  *optional
	}{{"client_id", &c.clientID}, {"cid", &c.cid}, {"token_use", &c.tokenUse}} {
		if m := ms.get(s.name); m != nil {
			if s.dst.value, s.dst.ok = m.str(); !s.dst.ok {
				return s.name
			}
		}
	}
	var bad string
	c.scope, c.scopes, bad = readScopes(ms)
	return bad
}

// userID reads the user-id claim name: only this issuer's, only now.
func (c *claimSet) userID(name string) (string, bool) {
	return c.members.get(name).str()
}
