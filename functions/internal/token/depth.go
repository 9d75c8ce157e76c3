package token

import (
	"bytes"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/json"
)

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

// headerDepthOK: go-jose decodes every header member it does not know into
// ExtraHeaders as any, so their depth is read from the values.
func headerDepthOK(h jose.Header) bool {
	for _, v := range h.ExtraHeaders {
		if 1+depth(v) > maxDepth {
			return false
		}
	}
	return true
}

// payloadNestingOK reports whether the members of payload (split refuses
// duplicate names at the top level only) hold no object with a duplicate key
// and nest at most maxDepth levels. Only a member that is an object or an
// array can break either rule; such a member is decoded by go-jose's
// JSON into any, which refuses duplicate keys at every level. That runs only
// when it could find something: a nested object needs a second '{', maxDepth
// levels need as many brackets. Real access tokens have neither, so their
// payload is decoded once.
func payloadNestingOK(payload []byte, ms *members) bool {
	objects := bytes.Count(payload, []byte("{"))
	if objects <= 1 && objects+bytes.Count(payload, []byte("[")) <= maxDepth {
		return true
	}
	for _, f := range ms.fields {
		m := f.value
		if len(m) == 0 || m[0] != '{' && m[0] != '[' {
			continue
		}
		var v any
		if json.Unmarshal(m, &v) != nil || 1+depth(v) > maxDepth {
			return false
		}
	}
	return true
}
