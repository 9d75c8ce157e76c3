package policy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseMethodARN(t *testing.T) {
	good := []struct {
		in   string
		want MethodARN
	}{
		{"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/user-1", MethodARN{
			Partition: "aws", Region: "us-east-1", Account: "123456789012", APIID: "abcdef1234", Stage: "prod",
			Verb: "GET", Path: "hello/user-1", Prefix: "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/"}},
		{"arn:aws-cn:execute-api:cn-north-1:123456789012:a1/dev_2/POST/", MethodARN{
			Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012", APIID: "a1", Stage: "dev_2",
			Verb: "POST", Path: "", Prefix: "arn:aws-cn:execute-api:cn-north-1:123456789012:a1/dev_2/"}},
	}
	for _, tc := range good {
		got, err := ParseMethodARN(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %+v, %v", tc.in, got, err)
		}
	}
	bad := []string{
		"",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234",
		"arn:aws:execute-api:us-east-1:*:abcdef1234/prod/GET/x",
		"arn:aws:execute-api:*:123456789012:abcdef1234/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:*/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/prod/*/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/x*",
		"arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/x?y",
		"arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/x y",
		"arn:aws:execute-api:us-east-1:1234:abc/prod/GET/x",
		"arn:aws:lambda:us-east-1:123456789012:abc/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc//GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/prod/get/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/\u00e9",
		"arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/" + strings.Repeat("a", 2048),
	}
	for _, in := range bad {
		if _, err := ParseMethodARN(in); !errors.Is(err, ErrMethodARN) {
			t.Errorf("%.80q: err = %v", in, err)
		}
	}
}

func TestValidUserID(t *testing.T) {
	for _, id := range []string{"user-1", "a", "first.last+tag@example.com", "us-east-1:3f2e", "A=B,C~D_E", strings.Repeat("x", 128)} {
		if err := ValidUserID(id); err != nil {
			t.Errorf("%q rejected: %v", id, err)
		}
	}
	for _, id := range []string{"", strings.Repeat("x", 129), "a*", "a?", "a/b", "a b", "a\tb", "a\x00", "a\x7f",
		"user\u22151", "\u0430dmin", "a%2F", "a#b", "a\\b", "a\"b", "a{b}", ".", ".."} {
		if err := ValidUserID(id); !errors.Is(err, ErrUserID) {
			t.Errorf("%q accepted", id)
		}
	}
}

func TestNewBuilder(t *testing.T) {
	for _, routes := range [][]string{nil, {"GET/hello"}, {"GET/{userId}/{userId}"}, {"/x/{userId}"}, {"GET/a?/{userId}"}} {
		if _, err := NewBuilder(routes); !errors.Is(err, ErrRoute) {
			t.Errorf("%q accepted", routes)
		}
	}
}

// TestAllowGolden compares the response JSON with testdata/allow.json.
func TestAllowGolden(t *testing.T) {
	b, err := NewBuilder([]string{"GET/hello/{userId}", "POST/users/{userId}/items", "*/admin/{userId}"})
	if err != nil {
		t.Fatal(err)
	}
	arn, err := ParseMethodARN("arn:aws:execute-api:eu-west-1:210987654321:xyz123/v1/GET/hello/u-1")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(b.Allow(arn, Identity{UserID: "u-1", Scope: "read", ClientID: "c", Issuer: "https://i"}), "", "  ")
	want, err := os.ReadFile(filepath.Join("testdata", "allow.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got)+"\n" != string(want) {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// FuzzParseMethodARN: never panics; what parses yields resources that keep
// the API prefix, contain no wildcard, and re-parse to the same API.
func FuzzParseMethodARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/hello/user-1",
		"arn:aws:execute-api:us-east-1:123456789012:a/b/POST/",
		"arn:aws:execute-api:us-east-1:*:abcdef1234/prod/GET/x",
		"arn::::::",
	} {
		f.Add(s, "user-1")
	}
	b, _ := NewBuilder([]string{"GET/hello/{userId}", "POST/users/{userId}/items"})
	f.Fuzz(func(t *testing.T, s, user string) {
		m, err := ParseMethodARN(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(s, m.Prefix) || strings.ContainsAny(m.Prefix, "*? ") {
			t.Fatalf("bad prefix %q of %q", m.Prefix, s)
		}
		if ValidUserID(user) != nil {
			return
		}
		resp := b.Allow(m, Identity{UserID: user})
		for _, r := range resp.PolicyDocument.Statement[0].Resource {
			if strings.ContainsAny(r, "*? ") || !strings.HasPrefix(r, m.Prefix) {
				t.Fatalf("unsafe resource %q", r)
			}
			back, err := ParseMethodARN(r)
			if err != nil || back.Prefix != m.Prefix {
				t.Fatalf("resource %q does not re-parse: %v", r, err)
			}
		}
	})
}
