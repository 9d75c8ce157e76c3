package gateway

import (
	"errors"
	"strings"
	"testing"
)

// TestParseImportRefuses: a body the snapshot proxy cannot apply is refused
// (400) with a specific message, before moto is called.
func TestParseImportRefuses(t *testing.T) {
	op := func(s string) string { return `{"openapi":"3.0.1","paths":{"/a":{"get":` + s + `}}}` }
	for _, c := range []struct{ name, body, mode, want string }{
		{"swagger 2", `{"swagger":"2.0","paths":{}}`, "", `openapi "": the snapshot proxy applies OpenAPI 3.0 documents only`},
		{"mode", `{"openapi":"3.0.1"}`, "replace", `mode "replace": want overwrite or merge`},
		{"relative path", `{"openapi":"3.0.1","paths":{"a":{}}}`, "", `path "a": must start with /`},
		{"greedy not last", `{"openapi":"3.0.1","paths":{"/{proxy+}/a":{}}}`, "", `path "/{proxy+}/a": a greedy {proxy+} must be the last path part`},
		{"verb", `{"openapi":"3.0.1","paths":{"/a":{"trace":{}}}}`, "", `paths./a: "trace" is not supported`},
		{"integration type", op(`{"x-amazon-apigateway-integration":{"type":"http","uri":"http://x","httpMethod":"GET"}}`), "", `integration type "http" is not supported`},
		{"integration field", op(`{"x-amazon-apigateway-integration":{"type":"mock","contentHandling":"CONVERT_TO_TEXT"}}`), "", `unknown field "contentHandling"`},
		{"proxy without uri", op(`{"x-amazon-apigateway-integration":{"type":"aws_proxy","httpMethod":"POST"}}`), "", `integration type aws_proxy needs uri and httpMethod`},
		{"operation extension", op(`{"x-amazon-apigateway-request-validator":"all"}`), "", `extension x-amazon-apigateway-request-validator is not supported`},
		{"parameter in cookie", op(`{"parameters":[{"name":"c","in":"cookie"}]}`), "", `parameter "c" in "cookie": want path, query or header`},
		{"two schemes", op(`{"security":[{"a":[]},{"b":[]}]}`), "", `security: want one scheme (or none), got 2 requirements`},
		{"top-level security", `{"openapi":"3.0.1","security":[{"jwt":[]}]}`, "", `top-level security is not supported`},
		{"scheme in query", `{"openapi":"3.0.1","components":{"securitySchemes":{"jwt":{"type":"apiKey","name":"t","in":"query"}}}}`, "", `securitySchemes.jwt: want type apiKey in header`},
		{"cognito", `{"openapi":"3.0.1","components":{"securitySchemes":{"jwt":{"type":"apiKey","name":"Authorization","in":"header","x-amazon-apigateway-authtype":"cognito_user_pools","x-amazon-apigateway-authorizer":{"type":"cognito_user_pools"}}}}}`, "", `want x-amazon-apigateway-authtype custom`},
		{"ttl", `{"openapi":"3.0.1","components":{"securitySchemes":{"jwt":{"type":"apiKey","name":"Authorization","in":"header","x-amazon-apigateway-authtype":"custom","x-amazon-apigateway-authorizer":{"type":"token","authorizerUri":"arn:x","authorizerResultTtlInSeconds":3601}}}}}`, "", `authorizerResultTtlInSeconds 3601: want 0 to 3600`},
		{"gateway response type", `{"openapi":"3.0.1","x-amazon-apigateway-gateway-responses":{"NOPE":{}}}`, "", `x-amazon-apigateway-gateway-responses.NOPE: unknown gateway response type`},
		{"integration response status", op(`{"x-amazon-apigateway-integration":{"type":"mock","responses":{"default":{}}}}`), "", `integration response "default" without statusCode`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseImport([]byte(c.body), c.mode)
			var ie *importError
			if !errors.As(err, &ie) || ie.status != 400 || ie.typ != "BadRequestException" || !strings.Contains(ie.msg, c.want) {
				t.Errorf("parseImport: %v, want 400 BadRequestException containing %q", err, c.want)
			}
		})
	}
}

func TestParseImportAccepts(t *testing.T) {
	plan, err := parseImport([]byte(`{"openapi":"3.0.1","info":{"title":"x"},"x-amazon-apigateway-endpoint-configuration":{"types":["REGIONAL"]},
		"paths":{"/":{"x-amazon-apigateway-any-method":{"parameters":[{"name":"q","in":"query","required":true},{"name":"H","in":"header"}],
		"x-amazon-apigateway-integration":{"type":"MOCK","requestTemplates":{"application/json":"{\"statusCode\": 200}"},
		"responses":{"4\\d{2}":{"statusCode":"400"}}}}}}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	m := plan.paths["/"]["ANY"]
	if plan.overwrite || m == nil || m.scheme != "" || !m.params["method.request.querystring.q"] || m.params["method.request.header.H"] ||
		len(m.params) != 2 || m.integration == nil || m.integration.Responses[`4\d{2}`].StatusCode != "400" {
		t.Errorf("plan %+v, method %+v", plan, m)
	}
	if got := byDepth(map[string]bool{"/a/b": true, "/": true, "/a": true, "/c": true}, true); strings.Join(got, " ") != "/a/b /a /c /" {
		t.Errorf("byDepth reverse: %v", got)
	}
}
