package token

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

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

// splitCases are objects and near-objects that go-jose's JSON reads into a
// map or refuses: whitespace everywhere, escapes in names and values,
// nesting, duplicates however spelled, malformed and trailing text.
var splitCases = []string{
	`{}`, ` { } `, `null`, ` null `, `{"a":1}`, "{\n\t\"a\" :\r 1 , \"b\":\"x\" }\n",
	`{"a":"b\"c","d":"\\","e":"}"}`, `{"a":[1,{"b":"]"}],"c":{"d":[]}}`, `{"a":true,"b":false,"c":null}`,
	`{"a":-1.5e+3,"b":0}`, `{"\u0061":1,"b":2}`, `{"a\"b":1}`, `{"":1}`, `{"a":1,"":2}`,
	`{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"\/":1,"/":2}`, `{"a":{"b":1,"b":2}}`,
	`{"é":1,"\u00e9":2}`, `{"a":"\ud800"}`, `{"\ud800":1,"\udbff":2}`,
	``, ` `, `[]`, `["a"]`, `"a"`, `1`, `true`, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`,
	`{"a":1}{}`, `{"a":1} x`, `{"a":01}`, `{'a':1}`, `{"a":1 "b":2}`, `{"a":nul}`, "{\"a\":\"\x01\"}",
}

// TestSplitAsGoJose: split reads every case as go-jose's JSON reads it into
// a map (the same names, each value's text), and refuses what it refuses.
func TestSplitAsGoJose(t *testing.T) {
	many := `{"a":1`
	for i := range 3 * linearNames {
		many += fmt.Sprintf(`,"k%d":%d`, i, i)
	}
	for _, in := range append(splitCases, many+"}", many+`,"k70":0}`, many+`,"a":0}`) {
		checkSplit(t, in)
	}
}

// FuzzSplit holds split to go-jose's JSON on any text.
func FuzzSplit(f *testing.F) {
	for _, in := range splitCases {
		f.Add(in)
	}
	f.Fuzz(checkSplit)
}

func checkSplit(t *testing.T, in string) {
	if !utf8.ValidString(in) || strings.Count(in, "[")+strings.Count(in, "{") > 10000 {
		return // Verify refuses it before split; split refuses nesting encoding/json refuses
	}
	var want map[string]json.RawMessage
	wantErr := json.Unmarshal([]byte(in), &want)
	var ms members
	ok := ms.split([]byte(in))
	if ok != (wantErr == nil) {
		t.Fatalf("split(%q) = %v; go-jose: %v", in, ok, wantErr)
	}
	if !ok {
		return
	}
	got := map[string]json.RawMessage{}
	for _, f := range ms.fields {
		got[string(f.name)] = json.RawMessage(f.value)
	}
	if len(got) != len(ms.fields) || len(want) != len(got) {
		t.Fatalf("split(%q): %d members, %d names; go-jose: %d", in, len(ms.fields), len(got), len(want))
	}
	for name, v := range want {
		if !bytes.Equal(got[name], v) {
			t.Fatalf("split(%q)[%q] = %s; go-jose: %s", in, name, got[name], v)
		}
		if m, present := ms.lookup(name); !present || !bytes.Equal(m, v) {
			t.Fatalf("lookup(%q) in %q = %s, %v", name, in, m, present)
		}
	}
}
