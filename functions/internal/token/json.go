package token

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a strict, allocation-light JSON reader for JWS headers and JWT
// claim sets. It exists because encoding/json silently keeps the last of
// duplicate keys (other parsers keep the first: a classic confusion vector),
// and because decoding the claims once, by hand, into a typed struct is what
// keeps the verifier close to the cost of the signature check itself.
//
// It accepts RFC 8259 JSON only: no trailing commas, no comments, valid UTF-8,
// no lone surrogates, bounded nesting.

var (
	errSyntax    = errors.New("invalid json")
	errDuplicate = errors.New("duplicate json key")
	errType      = errors.New("wrong json type")
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 32

type reader struct {
	b     []byte
	i     int
	depth int
}

func (r *reader) ws() {
	b, i := r.b, r.i
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	r.i = i
}

func (r *reader) peek() byte {
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// end checks that nothing but whitespace follows the top-level value.
func (r *reader) end() error {
	r.ws()
	if r.i != len(r.b) {
		return errSyntax
	}
	return nil
}

// keySet detects duplicate object keys. Keys spelt without escapes (all
// keys of real JWTs) are remembered as offsets into the input, not as
// slices of it: storing the slices would make the compiler move every
// decode buffer to the heap. Escaped keys and keys beyond the first 24 go
// to a map of copies.
type keySet struct {
	small [24]struct{ off, end int }
	tags  [24]uint32 // length and edge bytes of small's keys: most
	n     int        // comparisons stop at one integer compare
	big   map[string]struct{}
}

func keyTag(k []byte) uint32 {
	if len(k) == 0 {
		return 0
	}
	return uint32(len(k))<<16 | uint32(k[0])<<8 | uint32(k[len(k)-1])
}

// add records key k, which is src[off:off+len(k)] when plain; it reports
// false for a duplicate.
func (s *keySet) add(src, k []byte, off int, plain bool) bool {
	tag := keyTag(k)
	for i, t := range s.tags[:s.n] {
		if t == tag && bytes.Equal(src[s.small[i].off:s.small[i].end], k) {
			return false
		}
	}
	if s.big != nil {
		if _, dup := s.big[string(k)]; dup {
			return false
		}
	}
	if plain && s.n < len(s.small) {
		s.small[s.n].off, s.small[s.n].end = off, off+len(k)
		s.tags[s.n] = tag
		s.n++
		return true
	}
	if s.big == nil {
		s.big = make(map[string]struct{}, 2*len(s.small))
	}
	s.big[string(k)] = struct{}{}
	return true
}

// object reads an object; fn is called with each (unescaped) key while the
// reader is positioned at its value, and must consume that value.
func (r *reader) object(fn func(key []byte) error) error {
	r.ws()
	if r.peek() != '{' {
		return errType
	}
	r.i++
	if r.depth++; r.depth > maxDepth {
		return errSyntax
	}
	defer func() { r.depth-- }()
	var seen keySet
	r.ws()
	if r.peek() == '}' {
		r.i++
		return nil
	}
	for {
		r.ws()
		if r.peek() != '"' {
			return errSyntax
		}
		off := r.i + 1
		key, err := r.str()
		if err != nil {
			return err
		}
		// Unescaped keys alias the input; escapes always shorten a key.
		if !seen.add(r.b, key, off, len(key) == r.i-off-1) {
			return errDuplicate
		}
		r.ws()
		if r.peek() != ':' {
			return errSyntax
		}
		r.i++
		r.ws()
		if err := fn(key); err != nil {
			return err
		}
		r.ws()
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// array reads an array, calling fn positioned at each element.
func (r *reader) array(fn func() error) error {
	r.ws()
	if r.peek() != '[' {
		return errType
	}
	r.i++
	if r.depth++; r.depth > maxDepth {
		return errSyntax
	}
	defer func() { r.depth-- }()
	r.ws()
	if r.peek() == ']' {
		r.i++
		return nil
	}
	for {
		r.ws()
		if err := fn(); err != nil {
			return err
		}
		r.ws()
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// str reads a string value. Without escapes the result aliases the input;
// callers copy what they keep.
func (r *reader) str() ([]byte, error) {
	if r.peek() != '"' {
		return nil, errType
	}
	r.i++
	start := r.i
	ascii := true
	for r.i < len(r.b) {
		// Locals keep the common run in registers.
		b, i := r.b, r.i
		// Eight bytes at a time while none of them needs a closer look
		// (SWAR: see special), then byte by byte.
		for i+8 <= len(b) && !special(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		for i < len(b) && plain[b[i]] {
			i++
		}
		r.i = i
		if i == len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			if !ascii && !utf8.Valid(s) {
				return nil, errSyntax
			}
			return s, nil
		case c == '\\':
			return r.strEscaped(start)
		case c < 0x20:
			return nil, errSyntax
		}
		ascii = false // c >= 0x80: validated as UTF-8 at the end
		r.i++
	}
	return nil, errSyntax
}

// special reports whether any of the eight bytes packed in w is not plain:
// a control byte (< 0x20), a quote, a backslash or a non-ASCII byte. Each
// test sets the high bit of a byte that matches (the classic "has zero
// byte" trick: (x - 0x01…) & ^x & 0x80… is non-zero iff a byte of x is 0).
func special(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(x uint64) uint64 { return (x - ones) & ^x & highs }
	ctl := (w - 0x20*ones) & ^w & highs // byte < 0x20 (or >= 0x80: also special)
	return (w&highs | ctl | hasZero(w^('"'*ones)) | hasZero(w^('\\'*ones))) != 0
}

// plain marks bytes that stand for themselves inside a JSON string and need
// no further check: printable ASCII other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// strEscaped finishes a string that contains escapes, from its start.
func (r *reader) strEscaped(start int) ([]byte, error) {
	out := make([]byte, 0, r.i-start+16)
	r.i = start
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(out) {
				return nil, errSyntax
			}
			return out, nil
		case c < 0x20:
			return nil, errSyntax
		case c != '\\':
			out = append(out, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.b) {
			return nil, errSyntax
		}
		e := r.b[r.i+1]
		r.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			c1, ok := r.hex4()
			if !ok {
				return nil, errSyntax
			}
			if utf16.IsSurrogate(c1) {
				// A high surrogate must be followed by an escaped low one;
				// lone surrogates have no UTF-8 form and are rejected.
				if r.i+1 >= len(r.b) || r.b[r.i] != '\\' || r.b[r.i+1] != 'u' {
					return nil, errSyntax
				}
				r.i += 2
				c2, ok := r.hex4()
				if !ok {
					return nil, errSyntax
				}
				c1 = utf16.DecodeRune(c1, c2)
				if c1 == utf8.RuneError {
					return nil, errSyntax
				}
			}
			out = utf8.AppendRune(out, c1)
		default:
			return nil, errSyntax
		}
	}
	return nil, errSyntax
}

func (r *reader) hex4() (rune, bool) {
	if r.i+4 > len(r.b) {
		return 0, false
	}
	var v rune
	for _, c := range r.b[r.i : r.i+4] {
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	r.i += 4
	return v, true
}

// number reads a JSON number as float64 (NumericDate may be fractional).
func (r *reader) number() (float64, error) {
	start := r.i
	c := r.peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, errType
	}
	if c == '-' {
		r.i++
	}
	digits := func() int {
		n := 0
		for r.i < len(r.b) && '0' <= r.b[r.i] && r.b[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	intStart := r.i
	n := digits()
	if n == 0 || n > 1 && r.b[intStart] == '0' {
		return 0, errSyntax
	}
	simple := c != '-' && n <= 15
	if r.peek() == '.' {
		r.i++
		if digits() == 0 {
			return 0, errSyntax
		}
		simple = false
	}
	if p := r.peek(); p == 'e' || p == 'E' {
		r.i++
		if p := r.peek(); p == '+' || p == '-' {
			r.i++
		}
		if digits() == 0 {
			return 0, errSyntax
		}
		simple = false
	}
	if simple {
		// Integral NumericDates (the norm) skip strconv and its allocation.
		var v int64
		for _, d := range r.b[start:r.i] {
			v = v*10 + int64(d-'0')
		}
		return float64(v), nil
	}
	f, err := strconv.ParseFloat(string(r.b[start:r.i]), 64)
	if err != nil {
		return 0, errSyntax
	}
	return f, nil
}

// skip reads and validates any value.
func (r *reader) skip() error {
	switch c := r.peek(); {
	case c == '"':
		_, err := r.str()
		return err
	case c == '{':
		return r.object(func([]byte) error { return r.skip() })
	case c == '[':
		return r.array(r.skip)
	case c == 't':
		return r.literal("true")
	case c == 'f':
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	default:
		_, err := r.number()
		return err
	}
}

func (r *reader) literal(lit string) error {
	if len(r.b)-r.i < len(lit) || string(r.b[r.i:r.i+len(lit)]) != lit {
		return errSyntax
	}
	r.i += len(lit)
	return nil
}

// strings reads a string or an array of strings (as "aud" may be), calling fn
// for each.
func (r *reader) strings(fn func([]byte)) error {
	if r.peek() == '"' {
		s, err := r.str()
		if err == nil {
			fn(s)
		}
		return err
	}
	if r.peek() != '[' {
		return errType
	}
	return r.array(func() error {
		s, err := r.str()
		if err == nil {
			fn(s)
		}
		return err
	})
}
