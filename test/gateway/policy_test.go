package gateway

import (
	"errors"
	"testing"
)

func TestGlob(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/a", true},
		{"arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/a", "arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/a", true},
		{"arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/a", "arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/ab", false},
		{"arn:aws:execute-api:us-east-1:1:api/*", "arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/a", true}, // * crosses /
		{"arn:aws:execute-api:*:*:api/prod/GET/hello/*", "arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/a/b", true},
		{"arn:aws:execute-api:us-east-1:1:api/prod/*/hello/?", "arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/a", true},
		{"arn:aws:execute-api:us-east-1:1:api/prod/*/hello/?", "arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/ab", false},
		{"arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/?", "arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"", "", true},
		{"*", "", true},
		{"arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/A", "arn:aws:execute-api:us-east-1:1:api/prod/GET/hello/a", false}, // resources are case-sensitive
	}
	for _, c := range cases {
		if got := Glob(c.p, c.s); got != c.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
}

const arnA = "arn:aws:execute-api:us-east-1:123456789012:api1/prod/GET/hello/a"

func mustParse(t *testing.T, s string) *AuthorizerOutput {
	t.Helper()
	o, err := ParseAuthorizerOutput([]byte(s))
	if err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return o
}

func TestEvaluate(t *testing.T) {
	cases := []struct {
		name, doc string
		want      Decision
	}{
		{"string action and resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arnA + `"}]}`, Allow},
		{"arrays", `{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","execute-api:Invoke"],"Resource":["arn:x","` + arnA + `"]}]}`, Allow},
		{"single statement object", `{"Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"` + arnA + `"}}`, Allow},
		{"execute-api:*", `{"Statement":[{"Effect":"Allow","Action":"execute-api:*","Resource":"*"}]}`, Allow},
		{"*", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, Allow},
		{"action case-insensitive", `{"Statement":[{"Effect":"Allow","Action":"Execute-API:invoke","Resource":"*"}]}`, Allow},
		{"other action", `{"Statement":[{"Effect":"Allow","Action":"execute-api:ManageConnections","Resource":"*"}]}`, NoMatch},
		{"other resource", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:api1/prod/GET/hello/b"}]}`, NoMatch},
		{"wildcard resource", `{"Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:api1/*/GET/*"}]}`, Allow},
		{"deny wins", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"` + arnA + `"}]}`, Deny},
		{"deny elsewhere", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:other"}]}`, Allow},
		{"only deny", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, Deny},
		{"empty list", `{"Statement":[]}`, NoMatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := mustParse(t, `{"principalId":"p","policyDocument":`+c.doc+`}`)
			if got := o.Evaluate(arnA); got != c.want {
				t.Errorf("Evaluate = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseAuthorizerOutputMalformed(t *testing.T) {
	for _, s := range []string{
		`"garbage"`,
		`not json`,
		`{}`,
		`{"principalId":"p"}`,
		`{"policyDocument":{"Statement":[]}}`,
		`{"principalId":7,"policyDocument":{"Statement":[]}}`,
		`{"principalId":"p","policyDocument":"x"}`,
		`{"principalId":"p","policyDocument":{"Version":"2012-10-17"}}`,
		`{"principalId":"p","policyDocument":{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}}`,
		`{"principalId":"p","policyDocument":{"Statement":[{"Effect":"Allow","Resource":"*"}]}}`,
		`{"principalId":"p","policyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}]}}`,
		`{"principalId":"p","policyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]},"context":{"o":{"a":1}}}`,
		`{"principalId":"p","policyDocument":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]},"context":{"l":[1]}}`,
	} {
		if _, err := ParseAuthorizerOutput([]byte(s)); !errors.Is(err, ErrMalformedAuthorizerOutput) {
			t.Errorf("ParseAuthorizerOutput(%s) err = %v, want ErrMalformedAuthorizerOutput", s, err)
		}
	}
}

func TestContextStringified(t *testing.T) {
	o := mustParse(t, `{"principalId":"p","policyDocument":{"Statement":[]},"context":{"s":"x","n":42,"f":1.5,"b":true}}`)
	want := map[string]string{"s": "x", "n": "42", "f": "1.5", "b": "true"}
	for k, v := range want {
		if o.Context[k] != v {
			t.Errorf("context[%s] = %q, want %q", k, o.Context[k], v)
		}
	}
}

func TestRouter(t *testing.T) {
	r := newRouter([]*Resource{
		{ID: "root", Path: "/"},
		{ID: "hello", Path: "/hello"},
		{ID: "user", Path: "/hello/{userId}"},
		{ID: "me", Path: "/hello/me"},
		{ID: "files", Path: "/files/{proxy+}"},
	})
	cases := []struct {
		path, id string
		params   map[string]string
	}{
		{"/", "root", nil},
		{"/hello", "hello", nil},
		{"/hello/", "hello", nil},
		{"/hello/abc", "user", map[string]string{"userId": "abc"}},
		{"/hello/me", "me", nil},
		{"/hello/a%2Fb", "user", map[string]string{"userId": "a%2Fb"}},
		{"/hello/abc/def", "", nil},
		{"/files/a/b/c", "files", map[string]string{"proxy": "a/b/c"}},
		{"/files", "", nil},
		{"/nope", "", nil},
	}
	for _, c := range cases {
		res, params := r.match(c.path)
		id := ""
		if res != nil {
			id = res.ID
		}
		if id != c.id {
			t.Errorf("match(%q) = %q, want %q", c.path, id, c.id)
			continue
		}
		for k, v := range c.params {
			if params[k] != v {
				t.Errorf("match(%q) params = %v, want %v", c.path, params, c.params)
			}
		}
	}
}

func TestParseProxyResponse(t *testing.T) {
	ok := []string{
		`{"statusCode":200,"body":"hi"}`,
		`{"statusCode":"404","headers":{"A":"1"},"multiValueHeaders":{"B":["1","2"]},"body":"x","isBase64Encoded":false}`,
		`{"statusCode":200,"headers":null,"multiValueHeaders":null,"body":""}`,
		`{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`,
	}
	for _, s := range ok {
		if _, err := parseProxyResponse([]byte(s)); err != nil {
			t.Errorf("parseProxyResponse(%s): %v", s, err)
		}
	}
	bad := []string{
		`"x"`, `{}`, `{"statusCode":0,"body":""}`, `{"statusCode":200,"body":{"a":1}}`,
		`{"statusCode":200,"headers":{"A":1}}`, `{"statusCode":200,"hello":"world"}`,
		`{"statusCode":200,"body":"%%%","isBase64Encoded":true}`, `{"statusCode":true}`,
	}
	for _, s := range bad {
		if _, err := parseProxyResponse([]byte(s)); !errors.Is(err, ErrMalformedProxyResponse) {
			t.Errorf("parseProxyResponse(%s) err = %v, want malformed", s, err)
		}
	}
	pr, _ := parseProxyResponse([]byte(`{"statusCode":200,"headers":{"A":"h","C":"c"},"multiValueHeaders":{"A":["m1","m2"]},"body":"aGk=","isBase64Encoded":true}`))
	if got := pr.headers.Values("A"); len(got) != 2 || got[0] != "m1" {
		t.Errorf("A = %v: multiValueHeaders win over headers for the same key", got)
	}
	if pr.headers.Get("C") != "c" || string(pr.body) != "hi" || pr.headers.Get("Content-Type") != "application/json" {
		t.Errorf("response = %+v", pr)
	}
}

func TestFunctionFromURI(t *testing.T) {
	arn, err := functionFromURI("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn/invocations")
	if err != nil || arn != "arn:aws:lambda:us-east-1:123456789012:function:fn" {
		t.Fatalf("got %q, %v", arn, err)
	}
	if _, err := functionFromURI("http://example.com"); err == nil {
		t.Fatal("want error")
	}
}

func TestResourcePolicy(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:fn","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:1:api1/*"}}}]}`
	p, err := parseResourcePolicy(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !p.allows("arn:aws:execute-api:us-east-1:1:api1/prod/GET/hello/a") {
		t.Error("want allowed for api1")
	}
	if p.allows("arn:aws:execute-api:us-east-1:1:api2/prod/GET/hello/a") {
		t.Error("want denied for api2")
	}
	empty, _ := parseResourcePolicy("")
	if empty.allows("arn:x") {
		t.Error("no policy must not allow")
	}
}
