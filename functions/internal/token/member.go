package token

import (
	"bytes"
	"sync"

	"github.com/go-jose/go-jose/v4/json"
	"github.com/go-jose/go-jose/v4/jwt"
)

// members are the payload's top-level members by name. go-jose's JSON fills
// the map in one pass over the payload: it refuses malformed JSON, trailing
// data and a name given twice (also when spelled with escapes), and hands
// each value over undecoded. A claim is then decoded only when it is read,
// and only as the type that claim must have: a member nobody reads (another
// issuer's user-id claim, say) is never type-checked.
type members map[string]member

// membersPool keeps emptied maps: allocating and zeroing one per token costs
// more than typing all the claims (about 1 µs and 4 allocations a verdict).
var membersPool = sync.Pool{New: func() any { return make(members, 32) }}

// newMembers returns an empty map from the pool.
func newMembers() members { return membersPool.Get().(members) }

// releaseMembers empties ms and returns it to the pool, unless a token with
// unusually many members grew it: the pool keeps only real-token sizes.
func releaseMembers(ms members) {
	if ms == nil || len(ms) > 64 {
		return
	}
	clear(ms)
	membersPool.Put(ms)
}

// member is one value as JSON text, a slice of the payload.
type member []byte

// UnmarshalJSON keeps b rather than copying it: b is a slice of the decoded
// payload, which is never written and outlives the claims read from it.
func (m *member) UnmarshalJSON(b []byte) error {
	*m = b
	return nil
}

// get returns the member name, or nil when it is missing or null (a null
// claim counts as absent, as go-jose's JSON decodes it into a pointer).
func (ms members) get(name string) member {
	m := ms[name]
	if string(m) == "null" {
		return nil
	}
	return m
}

// isString reports whether m is a JSON string, without decoding it.
func (m member) isString() bool { return len(m) > 0 && m[0] == '"' }

// str decodes m if it is a JSON string. Without escapes the text between the
// quotes is the value: go-jose's JSON has checked it and Verify the payload's
// UTF-8, so this is what go-jose's own decoding would return.
func (m member) str() (string, bool) {
	if !m.isString() {
		return "", false
	}
	if bytes.IndexByte(m, '\\') < 0 {
		return string(m[1 : len(m)-1]), true
	}
	var s string
	return s, json.Unmarshal(m, &s) == nil
}

// strs decodes m if it is a JSON array of strings. An array of strings
// without escapes is read directly, as str reads one (scopes and groups
// usually are); anything else goes through go-jose's JSON.
func (m member) strs() ([]string, bool) {
	if len(m) == 0 || m[0] != '[' {
		return nil, false
	}
	if list, ok := m.plainStrs(); ok {
		return list, true
	}
	var list []string
	return list, json.Unmarshal(m, &list) == nil
}

// plainStrs reads m, an array go-jose's JSON has checked, when its elements
// are all strings without escapes: each is the text between its quotes. It
// says false for anything else (another element type, an escape).
func (m member) plainStrs() ([]string, bool) {
	if bytes.IndexByte(m, '\\') >= 0 {
		return nil, false
	}
	list := make([]string, 0, bytes.Count(m, []byte{'"'})/2)
	for i := 1; ; i++ {
		i = skipSpace(m, i)
		switch {
		case i >= len(m):
			return nil, false
		case m[i] == ']':
			return list, true
		case m[i] != '"':
			return nil, false
		}
		end := bytes.IndexByte(m[i+1:], '"')
		if end < 0 {
			return nil, false
		}
		list = append(list, string(m[i+1:i+1+end]))
		i = skipSpace(m, i+end+2)
		if i < len(m) && m[i] == ']' {
			return list, true
		}
		if i >= len(m) || m[i] != ',' {
			return nil, false
		}
	}
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(m member, i int) int {
	for i < len(m) && (m[i] == ' ' || m[i] == '\t' || m[i] == '\n' || m[i] == '\r') {
		i++
	}
	return i
}

// date decodes a NumericDate (exp, nbf, iat) as go-jose does, out-of-range
// values refused.
func (m member) date() (*jwt.NumericDate, bool) {
	d := new(jwt.NumericDate)
	return d, d.UnmarshalJSON(m) == nil
}

// audience decodes "aud": a string or an array of strings.
func (m member) audience() (jwt.Audience, bool) {
	if s, ok := m.str(); ok {
		return jwt.Audience{s}, true
	}
	var a jwt.Audience
	return a, a.UnmarshalJSON(m) == nil
}
