package token

import (
	"reflect"
	"testing"

	"github.com/go-jose/go-jose/v4/json"
)

// TestStrsAsGoJose: strs, read directly or through go-jose's JSON, decodes
// every array as go-jose's JSON does, and refuses what it refuses.
func TestStrsAsGoJose(t *testing.T) {
	for _, in := range []string{
		`[]`, `[ ]`, `["a"]`, `["a","b"]`, "[ \"a\" ,\n\t\"b c\"\r]", `["", ""]`,
		`["é", "日本"]`, `["a\"b"]`, `["a\\b", "c"]`, `["\u0041"]`,
		`["a", 1]`, `[1]`, `[null]`, `["a", null]`, `[["a"]]`, `[{"a":"b"}]`, `[true]`,
	} {
		var want []string
		wantErr := json.Unmarshal([]byte(in), &want)
		got, ok := member(in).strs()
		if ok != (wantErr == nil) || ok && !reflect.DeepEqual(got, want) {
			t.Errorf("strs(%s) = %#v, %v; go-jose: %#v, %v", in, got, ok, want, wantErr)
		}
		if list, direct := member(in).plainStrs(); direct && !reflect.DeepEqual(list, want) {
			t.Errorf("plainStrs(%s) = %#v, go-jose: %#v", in, list, want)
		}
	}
}
