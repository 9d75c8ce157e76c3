package policy

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// encodeLikeRuntime is what the Lambda runtime writes for a response value:
// encoding/json with HTML escaping off, without the trailing newline.
func encodeLikeRuntime(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// randomString mixes the cases JSON escaping distinguishes: plain ASCII,
// quote and backslash, every control byte, HTML-sensitive bytes, DEL,
// multi-byte UTF-8, U+2028/U+2029, U+FFFD itself and invalid UTF-8
// (stray continuation bytes, truncated sequences, overlongs, surrogates).
func randomString(r *rand.Rand) string {
	pieces := []string{
		"a", "Z", "0", " ", "~", "/", "\"", "\\", "<", ">", "&", "'", "\x7f",
		"é", "∕", "😀", "\u2028", "\u2029", "\ufffd", "\u2027", "\u202a",
		"\xff", "\x80", "\xe2\x80", "\xf0\x9f\x98", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x80\xa8",
		"read", "https://issuer.example.com/", "openid profile",
	}
	n := r.IntN(12)
	var b strings.Builder
	for i := 0; i < n; i++ {
		switch r.IntN(4) {
		case 0:
			b.WriteByte(byte(r.IntN(0x20)))
		case 1:
			b.WriteByte(byte(r.IntN(256)))
		default:
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
	}
	return b.String()
}

// TestAppendStringMatchesEncodingJSON: the string escaper agrees with
// encoding/json (HTML escaping off) on every string.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(s string) {
		want := encodeLikeRuntime(t, s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	}
	for c := 0; c < 256; c++ {
		check(string([]byte{byte(c)}))
		check("x" + string([]byte{byte(c)}) + "y")
	}
	for i := 0; i < 20000; i++ {
		check(randomString(r))
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\u2028", "\xff", "<&>", "\x00\x1f\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := encodeLikeRuntime(t, s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}

// TestAppendAllowJSONMatchesAllow: the hand-written response JSON is byte
// for byte what the runtime wrote for Allow's response value, for random
// identities (whatever the claims hold), templates and APIs, including user
// ids ValidUserID would refuse.
func TestAppendAllowJSONMatchesAllow(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	arns := []string{
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/user-1",
		"arn:aws-cn:execute-api:cn-north-1:123456789012:a1/dev_2/POST/",
		"arn:aws-us-gov:execute-api:us-gov-west-1:000000000000:Zz9/S-t_a/DELETE/x/y/z",
	}
	templates := [][]string{
		{"GET/hello/{userId}"},
		{"GET/hello/{userId}", "POST/users/{userId}/items", "*/admin/{userId}"},
		{"GET/\"quoted\"/{userId}", "GET/back\\slash/{userId}/<&>"},
		{"GET/caf\u00e9/{userId}/\u2028", "GET/\xff\xfe/{userId}\xe2\x80"},
	}
	for i := 0; i < 5000; i++ {
		b, err := NewBuilder(templates[r.IntN(len(templates))])
		if err != nil {
			t.Fatal(err)
		}
		arn, err := ParseMethodARN(arns[r.IntN(len(arns))])
		if err != nil {
			t.Fatal(err)
		}
		id := Identity{UserID: randomString(r), Scope: randomString(r), ClientID: randomString(r), Issuer: randomString(r)}
		if r.IntN(2) == 0 {
			id.UserID = "user-" + strings.Repeat("x", r.IntN(40))
		}
		want := encodeLikeRuntime(t, b.Allow(arn, id))
		got := b.AppendAllowJSON(make([]byte, 0, b.AllowJSONSize(arn, id)), arn, id)
		if !bytes.Equal(got, want) {
			t.Fatalf("%+v:\n got %s\nwant %s", id, got, want)
		}
		if !utf8.Valid(got) {
			t.Fatalf("invalid UTF-8 out: %q", got)
		}
	}
}

// TestAppendAllowJSONGolden: testdata/allow.json decodes to the same value.
func TestAppendAllowJSONGolden(t *testing.T) {
	b, err := NewBuilder([]string{"GET/hello/{userId}", "POST/users/{userId}/items", "*/admin/{userId}"})
	if err != nil {
		t.Fatal(err)
	}
	arn, err := ParseMethodARN("arn:aws:execute-api:eu-west-1:210987654321:xyz123/v1/GET/hello/u-1")
	if err != nil {
		t.Fatal(err)
	}
	got := b.AppendAllowJSON(nil, arn, Identity{UserID: "u-1", Scope: "read", ClientID: "c", Issuer: "https://i"})
	want, err := os.ReadFile(filepath.Join("testdata", "allow.json"))
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, compact.Bytes()) {
		t.Fatalf("got\n%s\nwant\n%s", got, compact.Bytes())
	}
}

func BenchmarkAppendAllowJSON(b *testing.B) {
	pb, _ := NewBuilder([]string{"GET/hello/{userId}"})
	arn, _ := ParseMethodARN("arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/user-1")
	id := Identity{UserID: "user-1", Scope: "read write aws.cognito.signin.user.admin openid profile email",
		ClientID: "client-1", Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example"}
	b.ReportAllocs()
	for b.Loop() {
		_ = pb.AppendAllowJSON(make([]byte, 0, pb.AllowJSONSize(arn, id)), arn, id)
	}
}

// TestSpecialMatchesPlainByte: the eight-bytes-at-a-time test agrees with
// the byte table, for every byte value in every lane and random words.
func TestSpecialMatchesPlainByte(t *testing.T) {
	check := func(b []byte) {
		want := false
		for _, c := range b {
			want = want || !plainByte[c]
		}
		if got := special(string(b)); got != want {
			t.Fatalf("%q: special = %v", b, got)
		}
	}
	for lane := 0; lane < 8; lane++ {
		for c := 0; c < 256; c++ {
			b := []byte("abcdefgh")
			b[lane] = byte(c)
			check(b)
		}
	}
	r := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < 200000; i++ {
		b := make([]byte, 8)
		for j := range b {
			b[j] = byte(r.IntN(256))
			if r.IntN(3) > 0 {
				b[j] = byte(0x20 + r.IntN(0x60))
			}
		}
		check(b)
	}
}
