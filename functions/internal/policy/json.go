package policy

import "unicode/utf8"

// AppendAllowJSON appends the JSON of Allow(arn, id) to dst, byte for byte
// what the Lambda runtime's encoder (encoding/json, HTML escaping off, no
// trailing newline) writes for that response, without building the
// response value, its map and its reflection-driven encoding: that was a
// tenth of the whole verdict. id.UserID must have passed ValidUserID.
//
// Field order is the struct order of events.APIGatewayCustomAuthorizerResponse
// and its policy types; the context keys are in the sorted order
// encoding/json gives map keys. Every string is escaped (appendString), so
// claims holding quotes, control characters, invalid UTF-8 or U+2028 come
// out exactly as encoding/json would write them.
func (b *Builder) AppendAllowJSON(dst []byte, arn MethodARN, id Identity) []byte {
	dst = append(dst, `{"principalId":`...)
	dst = appendString(dst, id.UserID)
	dst = append(dst, `,"policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":[`...)
	// Resources are quoted pieces; when no piece needs escaping (the rule:
	// ARN prefixes and user ids are validated ASCII, templates are checked
	// once in NewBuilder) they are copied as they are. Otherwise the whole
	// resource is escaped at once, as encoding/json sees it.
	plain := b.plain && isPlain(arn.Prefix) && isPlain(id.UserID)
	for i, r := range b.routes {
		if i > 0 {
			dst = append(dst, ',')
		}
		if plain {
			dst = append(dst, '"')
			dst = append(dst, arn.Prefix...)
			dst = append(dst, r.before...)
			dst = append(dst, id.UserID...)
			dst = append(dst, r.after...)
			dst = append(dst, '"')
		} else {
			dst = appendString(dst, arn.Prefix+r.before+id.UserID+r.after)
		}
	}
	dst = append(dst, `]}]},"context":{"clientId":`...)
	dst = appendString(dst, id.ClientID)
	dst = append(dst, `,"issuer":`...)
	dst = appendString(dst, id.Issuer)
	dst = append(dst, `,"scope":`...)
	dst = appendString(dst, id.Scope)
	dst = append(dst, `,"userId":`...)
	dst = appendString(dst, id.UserID)
	return append(dst, `}}`...)
}

// AllowJSONSize is a capacity hint for AppendAllowJSON's output.
func (b *Builder) AllowJSONSize(arn MethodARN, id Identity) int {
	return 256 + b.size + len(b.routes)*(len(arn.Prefix)+len(id.UserID)+3) +
		2*len(id.UserID) + len(id.ClientID) + len(id.Issuer) + len(id.Scope)
}

// plainByte marks the bytes encoding/json writes as they are inside a
// string when HTML escaping is off: printable ASCII and DEL, except the
// quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isPlain(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if special(s[i : i+8]) {
			return false
		}
	}
	for ; i < len(s); i++ {
		if !plainByte[s[i]] {
			return false
		}
	}
	return true
}

// special reports whether any of the 8 bytes of s is not plainByte: a
// control byte, '"', '\\' or a non-ASCII byte. Each term sets the high bit
// of a matching byte ((x - 0x01…) & ^x & 0x80… is non-zero iff x has a zero
// byte; the same with 0x20… finds bytes below 0x20).
func special(s string) bool {
	_ = s[7]
	w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(x uint64) uint64 { return (x - ones) & ^x & highs }
	return (w&highs | (w-0x20*ones)&^w&highs | zero(w^('"'*ones)) | zero(w^('\\'*ones))) != 0
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string with encoding/json's escaping
// (HTML escaping off): \" \\ \b \f \n \r \t, \u00XX for the other control
// bytes, \ufffd for each byte of invalid UTF-8, \u2028 and \u2029 for the
// two line separators JavaScript mishandles; everything else as is.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start, i := 0, 0
	// Claims are mostly plain ASCII: skip it eight bytes at a time.
	for i+8 <= len(s) && !special(s[i:i+8]) {
		i += 8
	}
	for i < len(s) {
		c := s[i]
		if plainByte[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
