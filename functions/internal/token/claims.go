package token

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4/json"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Claims are the verified facts the authorizer passes on.
type Claims struct {
	UserID     string   // the issuer's user-id claim; see policy.ValidUserID
	Issuer     string   // "iss"
	IssuerName string   // the configured name of that issuer
	ClientID   string   // client_id, else cid, else ""
	Scope      string   // "scope", else "scp" joined by spaces: as the token says
	Scopes     []string // every scope of "scope" and "scp"
}

// claimSet is the payload as go-jose's JSON decodes it: the registered
// claims, which jwt.Claims.ValidateWithLeeway checks, and the ones an issuer
// may be configured to check. Pointers tell a missing claim from an empty
// one. A claim of the wrong type fails the whole decode.
type claimSet struct {
	jwt.Claims
	ClientID *string   `json:"client_id"`
	CID      *string   `json:"cid"`
	TokenUse *string   `json:"token_use"`
	Scope    *string   `json:"scope"`
	Scp      *[]string `json:"scp"`
}

// userString is a user-id claim. Anything but a JSON string is refused with
// ErrUserIDClaim; go-jose's decoder returns the error as it is.
type userString string

var errUserIDType = fmt.Errorf("read user id: not a string: %w", ErrUserIDClaim)

func (u *userString) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil {
		return errUserIDType
	}
	*u = userString(s)
	return nil
}

// payloadShape decodes a payload in one pass: claimSet plus one top-level
// *userString field per user-id claim name of the configured issuers (sub,
// uid, email, ...), built once with reflect.StructOf because go-jose's JSON
// has no catch-all member. A top-level "sub" field hides the embedded
// jwt.Claims.Subject, which nothing reads. Names claimSet itself needs are
// not added again (two fields of one name would both be dropped); a user id
// by such a name is read from claimSet (see userID).
type payloadShape struct {
	typ   reflect.Type
	field map[string]int // user-id claim name → field index in typ
}

// ownClaims are the claims claimSet needs for the checks.
var ownClaims = []string{"iss", "aud", "exp", "nbf", "iat", "client_id", "cid", "token_use", "scope", "scp"}

func newPayloadShape(names []string) (payloadShape, error) {
	fields := []reflect.StructField{{Name: "Set", Type: reflect.TypeFor[claimSet](), Anonymous: true}}
	s := payloadShape{field: map[string]int{}}
	for _, name := range names {
		if _, dup := s.field[name]; dup || slices.Contains(ownClaims, name) {
			continue
		}
		tag := reflect.StructTag(`json:"` + name + `"`)
		if name == "" || tag.Get("json") != name || strings.ContainsAny(name, `,\`) {
			return payloadShape{}, fmt.Errorf("create verifier: user id claim %q: %w", name, ErrInvalidInput)
		}
		s.field[name] = len(fields)
		fields = append(fields, reflect.StructField{
			Name: fmt.Sprintf("User%d", len(fields)), Type: reflect.TypeFor[*userString](), Tag: tag,
		})
	}
	s.typ = reflect.StructOf(fields)
	return s, nil
}

// payload is one decoded payload.
type payload struct {
	v   reflect.Value // the payloadShape struct
	set *claimSet
}

// decode reads the claims with go-jose's JSON, which refuses duplicate keys,
// trailing data and wrong types.
func (s payloadShape) decode(read func(dest ...any) error) (payload, error) {
	p := reflect.New(s.typ)
	if err := read(p.Interface()); err != nil {
		if errors.Is(err, ErrUserIDClaim) {
			return payload{}, err
		}
		return payload{}, fmt.Errorf("read claims: %w", ErrClaims)
	}
	return payload{v: p.Elem(), set: p.Elem().Field(0).Addr().Interface().(*claimSet)}, nil
}

// userID returns the claim name's string value, or false when it is missing
// (or, for the names claimSet holds, never a string).
func (s payloadShape) userID(p payload, name string) (string, bool) {
	if i, ok := s.field[name]; ok {
		u := p.v.Field(i).Interface().(*userString)
		if u == nil {
			return "", false
		}
		return string(*u), true
	}
	var v *string
	switch name {
	case "iss":
		return p.set.Issuer, true
	case "client_id":
		v = p.set.ClientID
	case "cid":
		v = p.set.CID
	case "token_use":
		v = p.set.TokenUse
	case "scope":
		v = p.set.Scope
	}
	if v == nil {
		return "", false
	}
	return *v, true
}

// validate checks the claims of a token whose signature verified against
// the issuer's rules and the verifier's global ones.
func (v *Verifier) validate(p payload, iss *issuer) (Claims, error) {
	c := p.set
	// ValidateWithLeeway skips a missing exp; a token must expire.
	if c.Expiry == nil {
		return Claims{}, fmt.Errorf("check exp: missing: %w", ErrClaims)
	}
	err := c.Claims.ValidateWithLeeway(jwt.Expected{
		AnyAudience: jwt.Audience(iss.cfg.Audiences),
		Time:        v.now(),
	}, v.leeway)
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return Claims{}, fmt.Errorf("check exp: %w", ErrExpired)
	case errors.Is(err, jwt.ErrNotValidYet):
		return Claims{}, fmt.Errorf("check nbf: %w", ErrNotYetValid)
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return Claims{}, fmt.Errorf("check iat: in the future: %w", ErrNotYetValid)
	case errors.Is(err, jwt.ErrInvalidAudience):
		return Claims{}, fmt.Errorf("check aud: %w", ErrAudience)
	case err != nil:
		return Claims{}, fmt.Errorf("check claims: %w", ErrClaims)
	}
	if len(iss.cfg.ClientIDs) > 0 {
		// Each client id claim present must be allowed, so a token cannot
		// carry a good cid next to a bad client_id.
		if c.ClientID == nil && c.CID == nil ||
			c.ClientID != nil && !slices.Contains(iss.cfg.ClientIDs, *c.ClientID) ||
			c.CID != nil && !slices.Contains(iss.cfg.ClientIDs, *c.CID) {
			return Claims{}, fmt.Errorf("check client id: %w", ErrClientID)
		}
	}
	if iss.cfg.TokenUse != "" && (c.TokenUse == nil || *c.TokenUse != iss.cfg.TokenUse) {
		return Claims{}, fmt.Errorf("check token_use: %w", ErrTokenUse)
	}
	scope, scopes := c.scopes()
	for _, want := range v.required {
		if !slices.Contains(scopes, want) {
			return Claims{}, fmt.Errorf("check scope: %w", ErrScope)
		}
	}
	user, ok := v.shape.userID(p, iss.cfg.UserIDClaim)
	if !ok {
		return Claims{}, fmt.Errorf("read %s: %w", iss.cfg.UserIDClaim, ErrUserIDClaim)
	}
	out := Claims{UserID: user, Issuer: c.Issuer, IssuerName: iss.cfg.Name, Scope: scope, Scopes: scopes}
	switch {
	case c.ClientID != nil:
		out.ClientID = *c.ClientID
	case c.CID != nil:
		out.ClientID = *c.CID
	}
	return out, nil
}

// scopes returns the raw scope ("scope", else "scp" joined by spaces) and
// every scope of both claims. "scope" is space-delimited (RFC 6749 §3.3).
func (c *claimSet) scopes() (string, []string) {
	var raw string
	var list []string
	if c.Scope != nil {
		raw = *c.Scope
		for _, s := range strings.Split(raw, " ") {
			if s != "" {
				list = append(list, s)
			}
		}
	}
	if c.Scp != nil {
		if c.Scope == nil {
			raw = strings.Join(*c.Scp, " ")
		}
		list = append(list, *c.Scp...)
	}
	return raw, list
}

// maxDepth bounds the nesting of header and payload JSON, the top-level
// object included. Real tokens nest two levels (an array of groups).
const maxDepth = 32

// depth is the nesting depth of a value go-jose's JSON decoded into any.
func depth(v any) int {
	d := 0
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			d = max(d, depth(e))
		}
		return d + 1
	case []any:
		for _, e := range v {
			d = max(d, depth(e))
		}
		return d + 1
	}
	return 0
}

// nestingOK reports whether payload (valid JSON or not, decoding fails
// later anyway) has no duplicate keys inside nested objects and nests at
// most maxDepth levels. Decoding into a struct skips the members it does not
// name without looking inside them, so for those checks the payload is
// decoded once more into any, by the same go-jose JSON. That costs as much
// as the claims themselves, so it runs only when it could find something: a
// nested object needs a second '{', and maxDepth levels need as many
// brackets. Real access tokens have neither.
func nestingOK(payload []byte) bool {
	objects := bytes.Count(payload, []byte("{"))
	if objects <= 1 && objects+bytes.Count(payload, []byte("[")) <= maxDepth {
		return true
	}
	var v any
	if err := json.Unmarshal(payload, &v); err != nil {
		return false
	}
	return depth(v) <= maxDepth
}
