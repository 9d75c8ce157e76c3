package token

import (
	"bytes"

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
