package config

import (
	"fmt"
	"slices"

	"github.com/go-jose/go-jose/v4/json"
)

// decodeStrict decodes a JSON array of objects into []T. It refuses what
// encoding/json would let through: unknown members, a member written in
// another case ("Name" for "name") and a member given twice. go-jose's json
// package matches names by case and rejects duplicates; the first pass over
// raw members rejects unknown ones.
func decodeStrict[T any](raw string, members ...string) ([]T, error) {
	var objects []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &objects); err != nil {
		return nil, fmt.Errorf("decode JSON array of objects: %w", err)
	}
	for n, o := range objects {
		for k := range o {
			if !slices.Contains(members, k) {
				return nil, fmt.Errorf("entry %d: unknown member %q (want %v)", n, k, members)
			}
		}
	}
	var out []T
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("decode JSON array of objects: %w", err)
	}
	return out, nil
}
