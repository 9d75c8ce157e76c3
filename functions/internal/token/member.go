package token

import (
	"bytes"
	stdjson "encoding/json"

	"github.com/go-jose/go-jose/v4/json"
	"github.com/go-jose/go-jose/v4/jwt"
)

// members are the top-level members of a JSON object in order, each name
// and value a slice of the object's text. split reads them in one pass over
// text that encoding/json has checked (no allocation into a reused list):
// it refuses what go-jose's JSON refuses for an object read into a map
// (malformed JSON, trailing data, anything but an object, a name given
// twice, also when spelled with escapes) and hands each value over
// undecoded. A claim is then decoded only when it is read, and only as the
// type that claim must have: a member nobody reads (another issuer's user-id
// claim, say) is never type-checked. TestSplitAsGoJose holds it to go-jose's
// reading.
type members struct {
	fields []field
	index  map[string]struct{} // names seen, only while splitting many members
}

// field is one member: its name as JSON text between the quotes (unescaped
// when it had escapes) and its value.
type field struct {
	name  []byte
	value member
}

// linearNames is how many names split compares one by one for duplicates;
// beyond it, a map (real tokens have fewer members).
const linearNames = 32

// split reads the members of text, a JSON object (null: none, as go-jose
// reads null into a map), appending them to ms. It says false for anything
// go-jose's JSON would refuse, and for nesting deeper than encoding/json's
// 10,000 levels, which go-jose's JSON would read (payloadNestingOK refuses
// more than maxDepth anyway).
func (ms *members) split(text []byte) bool {
	if !stdjson.Valid(text) {
		return false
	}
	i := skipSpace(text, 0)
	switch text[i] {
	case 'n': // the one valid text starting so: null
		return true
	case '{':
	default:
		return false
	}
	// Valid has checked the grammar: each step below finds what it expects.
	i = skipSpace(text, i+1)
	if text[i] == '}' {
		return true
	}
	for {
		end := stringEnd(text, i)
		name := text[i+1 : end-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			var s string
			if json.Unmarshal(text[i:end], &s) != nil {
				return false
			}
			name = []byte(s)
		}
		if !ms.add(name) {
			return false
		}
		i = skipSpace(text, skipSpace(text, end)+1) // past the ':'
		end = valueEnd(text, i)
		ms.fields[len(ms.fields)-1].value = text[i:end]
		i = skipSpace(text, end)
		if text[i] == '}' {
			return true
		}
		i = skipSpace(text, i+1) // past the ','
	}
}

// add appends a member named name, or says false if the name is taken.
func (ms *members) add(name []byte) bool {
	if ms.index == nil {
		for _, f := range ms.fields {
			if bytes.Equal(f.name, name) {
				return false
			}
		}
		if len(ms.fields) == linearNames {
			ms.index = make(map[string]struct{}, 2*linearNames)
			for _, f := range ms.fields {
				ms.index[string(f.name)] = struct{}{}
			}
		}
	}
	if ms.index != nil {
		if _, taken := ms.index[string(name)]; taken {
			return false
		}
		ms.index[string(name)] = struct{}{}
	}
	ms.fields = append(ms.fields, field{name: name})
	return true
}

// stringEnd returns the index just past the JSON string that starts at i.
func stringEnd(text []byte, i int) int {
	for i++; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(text)
}

// valueEnd returns the index just past the JSON value that starts at i.
func valueEnd(text []byte, i int) int {
	switch text[i] {
	case '"':
		return stringEnd(text, i)
	case '{', '[':
		depth := 0
		for ; i < len(text); i++ {
			switch text[i] {
			case '"':
				i = stringEnd(text, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(text)
	}
	// A number, true, false or null: up to the space, ',', '}' or ']'
	// after it.
	for i < len(text) {
		switch text[i] {
		case ' ', '\t', '\r', '\n', ',', '}', ']':
			return i
		}
		i++
	}
	return i
}

// lookup returns the member name and whether it is there (null included).
func (ms *members) lookup(name string) (member, bool) {
	if ms == nil {
		return nil, false
	}
	for _, f := range ms.fields {
		if string(f.name) == name {
			return f.value, true
		}
	}
	return nil, false
}

// member is one value as JSON text, a slice of the payload, which is never
// written and outlives the claims read from it.
type member []byte

// get returns the member name, or nil when it is missing or null (a null
// claim counts as absent, as go-jose's JSON decodes it into a pointer).
func (ms *members) get(name string) member {
	m, _ := ms.lookup(name)
	if string(m) == "null" {
		return nil
	}
	return m
}

// isString reports whether m is a JSON string, without decoding it.
func (m member) isString() bool { return len(m) > 0 && m[0] == '"' }

// str decodes m if it is a JSON string. Without escapes the text between the
// quotes is the value: split has checked it and Verify the payload's
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

// plainStrs reads m, an array split has checked, when its elements
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

// date decodes a NumericDate (exp, nbf, iat) into d as go-jose does,
// out-of-range values refused.
func (m member) date(d *jwt.NumericDate) bool {
	return d.UnmarshalJSON(m) == nil
}

// audience decodes "aud": a string or an array of strings.
func (m member) audience() (jwt.Audience, bool) {
	if s, ok := m.str(); ok {
		return jwt.Audience{s}, true
	}
	var a jwt.Audience
	return a, a.UnmarshalJSON(m) == nil
}
