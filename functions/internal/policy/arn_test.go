package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseMethodARN(t *testing.T) {
	const prefix = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/"
	want := MethodARN{Partition: "aws", Region: "us-east-1", Account: "123456789012", APIID: "abcdef1234", Stage: "prod", Prefix: prefix}
	// Whatever follows the stage is ignored: the policy is the caller's, and
	// the gateway decides on the path.
	for _, rest := range []string{
		"GET/hello/user-1", "POST/", "GET/a b", "GET/caf\u00e9", "GET/x*", "GET/x?y", "get/x", "*/x", "",
		"GET/" + strings.Repeat("a", 8192),
	} {
		got, err := ParseMethodARN(prefix + rest)
		if err != nil || got != want {
			t.Errorf("%.80q: got %+v, %v", rest, got, err)
		}
	}
	got, err := ParseMethodARN("arn:aws-cn:execute-api:cn-north-1:123456789012:a1/dev_2-x/GET/")
	if err != nil || got != (MethodARN{Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012",
		APIID: "a1", Stage: "dev_2-x", Prefix: "arn:aws-cn:execute-api:cn-north-1:123456789012:a1/dev_2-x/"}) {
		t.Errorf("aws-cn: got %+v, %v", got, err)
	}
}

func TestParseMethodARNRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod",
		"aws:execute-api:us-east-1:123456789012:abc/prod/GET/x",
		"arn:aws:lambda:us-east-1:123456789012:abc/prod/GET/x",
		"arn:*:execute-api:us-east-1:123456789012:abc/prod/GET/x",
		"arn::execute-api:us-east-1:123456789012:abc/prod/GET/x",
		"arn:aws:execute-api:*:123456789012:abc/prod/GET/x",
		"arn:aws:execute-api:US-EAST-1:123456789012:abc/prod/GET/x",
		"arn:aws:execute-api:us-east-1:*:abc/prod/GET/x",
		"arn:aws:execute-api:us-east-1:1234:abc/prod/GET/x",
		"arn:aws:execute-api:us-east-1:12345678901a:abc/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:*/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:ab?/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc//GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/pr od/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc:def/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/" + strings.Repeat("s", 256) + "/GET/x",
	} {
		if _, err := ParseMethodARN(in); !errors.Is(err, ErrMethodARN) {
			t.Errorf("%.80q: err = %v, want ErrMethodARN", in, err)
		}
	}
}
