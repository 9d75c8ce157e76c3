//go:build moto

package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/smithy-go"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

const (
	importAuthzURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:authz/invocations"
	importHelloURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:hello/invocations"
	importExpr     = "^Bearer [-0-9A-Za-z._~+/]+=*$"
)

// importBody is the OpenAPI document the module sends; withDocs adds
// ANY /docs/{proxy+}, ttl is the authorizer's.
func importBody(withDocs bool, ttl int) map[string]any {
	mock := func(status string, headers map[string]string, body string) map[string]any {
		resp := map[string]any{"statusCode": status}
		if len(headers) > 0 {
			params := map[string]string{}
			for k, v := range headers {
				params["method.response.header."+k] = v
			}
			resp["responseParameters"] = params
		}
		if body != "" {
			resp["responseTemplates"] = map[string]string{"application/json": body}
		}
		return map[string]any{
			"type": "mock", "passthroughBehavior": "when_no_match",
			"requestTemplates": map[string]string{"application/json": `{"statusCode": ` + status + `}`},
			"responses":        map[string]any{"default": resp},
		}
	}
	userID := []map[string]any{{"name": "userId", "in": "path", "required": true, "schema": map[string]string{"type": "string"}}}
	paths := map[string]any{
		"/hello/{userId}": map[string]any{
			"get": map[string]any{
				"parameters": userID,
				"security":   []map[string][]string{{"jwt": {}}},
				"x-amazon-apigateway-integration": map[string]any{
					"type": "aws_proxy", "httpMethod": "POST", "uri": importHelloURI, "timeoutInMillis": 29000,
				},
			},
			"options": map[string]any{
				"parameters": userID,
				"x-amazon-apigateway-integration": mock("204", map[string]string{
					"Access-Control-Allow-Origin": "'*'", "Access-Control-Allow-Methods": "'GET,OPTIONS'",
				}, ""),
				"responses": map[string]any{"204": map[string]any{"description": "preflight", "headers": map[string]any{
					"Access-Control-Allow-Origin":  map[string]any{"schema": map[string]string{"type": "string"}},
					"Access-Control-Allow-Methods": map[string]any{"schema": map[string]string{"type": "string"}},
				}}},
			},
		},
		"/health": map[string]any{"get": map[string]any{
			"x-amazon-apigateway-integration": mock("200", nil, `{"ok":true}`),
			"responses":                       map[string]any{"200": map[string]any{"description": "ok"}},
		}},
	}
	if withDocs {
		paths["/docs/{proxy+}"] = map[string]any{"x-amazon-apigateway-any-method": map[string]any{
			"parameters": []map[string]any{{"name": "proxy", "in": "path", "required": true}, {"name": "lang", "in": "query"}},
			"security":   []map[string][]string{{"jwt": {}}},
			"x-amazon-apigateway-integration": map[string]any{
				"type": "http_proxy", "httpMethod": "ANY", "uri": "http://127.0.0.1:8080/docs/{proxy}",
				"requestParameters": map[string]string{
					"integration.request.path.proxy":       "method.request.path.proxy",
					"integration.request.header.X-User-Id": "context.authorizer.userId",
				},
			},
		}}
	}
	return map[string]any{
		"openapi": "3.0.1", "info": map[string]string{"title": "import", "version": "1"},
		"x-amazon-apigateway-endpoint-configuration": map[string]any{"types": []string{"REGIONAL"}},
		"paths": paths,
		"components": map[string]any{"securitySchemes": map[string]any{"jwt": map[string]any{
			"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "custom",
			"x-amazon-apigateway-authorizer": map[string]any{
				"type": "token", "authorizerUri": importAuthzURI, "authorizerResultTtlInSeconds": ttl,
				"identityValidationExpression": importExpr,
			},
		}}},
		"x-amazon-apigateway-gateway-responses": map[string]any{
			"UNAUTHORIZED": map[string]any{"statusCode": "401",
				"responseParameters": map[string]string{"gatewayresponse.header.WWW-Authenticate": `'Bearer realm="x"'`},
				"responseTemplates":  map[string]string{"application/json": `{"message":"$context.error.messageString"}`}},
			"DEFAULT_5XX": map[string]any{"responseTemplates": map[string]string{"application/json": `{"message":"oops"}`}},
		},
	}
}

func jsonBytes(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return b
}

// TestPutRestApiOnMoto imports OpenAPI bodies through SnapshotProxy with the
// Go SDK and reads back what moto holds: what API Gateway would.
func TestPutRestApiOnMoto(t *testing.T) {
	ctx := context.Background()
	_, cfg, proxy, log := startSnapshotProxy(t)
	direct := apigateway.NewFromConfig(cfg)
	via := apigateway.NewFromConfig(cfg, func(o *apigateway.Options) {
		o.BaseEndpoint = aws.String(proxy.URL)
		o.RetryMaxAttempts = 1 // see each answer as it is
	})

	api, err := direct.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(fmt.Sprintf("import-%d", time.Now().UnixNano()))})
	must(t, err)
	apiID := aws.ToString(api.Id)
	t.Cleanup(func() { _, _ = direct.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: &apiID}) })
	rootID := resourceID(t, direct, apiID, "/")
	// Something overwrite must remove.
	stale, err := direct.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &apiID, ParentId: &rootID, PathPart: aws.String("stale")})
	must(t, err)
	_, err = direct.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: stale.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	must(t, err)

	put := func(body []byte, mode agtypes.PutMode) (*apigateway.PutRestApiOutput, error) {
		return via.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: &apiID, Body: body, Mode: mode})
	}
	read := func(t *testing.T) *gateway.Definition {
		t.Helper()
		def, err := gateway.ReadDefinition(ctx, cfg, apiID)
		must(t, err)
		return def
	}
	method := func(t *testing.T, def *gateway.Definition, path, verb string) *gateway.Method {
		t.Helper()
		for _, r := range def.Resources {
			if r.Path == path && r.Methods[verb] != nil {
				return r.Methods[verb]
			}
		}
		t.Fatalf("no %s %s in %v", verb, path, paths(def))
		return nil
	}

	var authzID string
	t.Run("overwrite", func(t *testing.T) {
		out, err := put(jsonBytes(t, importBody(true, 300)), agtypes.PutModeOverwrite)
		must(t, err)
		if aws.ToString(out.Id) != apiID || aws.ToString(out.Name) != aws.ToString(api.Name) {
			t.Errorf("PutRestApi answered api %s %q, want %s %q", aws.ToString(out.Id), aws.ToString(out.Name), apiID, aws.ToString(api.Name))
		}
		def := read(t)
		if got, want := paths(def), []string{"/", "/docs", "/docs/{proxy+}", "/health", "/hello", "/hello/{userId}"}; !reflect.DeepEqual(got, want) {
			t.Errorf("resources %v, want %v", got, want)
		}
		if id := resourceID(t, direct, apiID, "/"); id != rootID {
			t.Errorf("root resource %s after the import, want %s kept", id, rootID)
		}
		if len(def.Authorizers) != 1 {
			t.Fatalf("authorizers %v, want one", def.Authorizers)
		}
		for id, a := range def.Authorizers {
			authzID = id
			if a.Name != "jwt" || a.Type != "TOKEN" || a.IdentitySource != "method.request.header.Authorization" ||
				a.ValidationExpression != importExpr || a.TTL != 300*time.Second || a.URI != importAuthzURI {
				t.Errorf("authorizer %+v", a)
			}
		}

		get := method(t, def, "/hello/{userId}", "GET")
		if get.AuthorizationType != "CUSTOM" || get.AuthorizerID != authzID {
			t.Errorf("GET /hello/{userId}: authorization %s %q, want CUSTOM %s", get.AuthorizationType, get.AuthorizerID, authzID)
		}
		if in := get.Integration; in == nil || in.Type != "AWS_PROXY" || in.URI != importHelloURI || in.HTTPMethod != "POST" || in.Timeout != 29*time.Second {
			t.Errorf("GET /hello/{userId} integration %+v", in)
		}
		wantRequestParameters(t, direct, apiID, "/hello/{userId}", "GET", map[string]bool{"method.request.path.userId": true})

		docs := method(t, def, "/docs/{proxy+}", "ANY")
		if docs.AuthorizationType != "CUSTOM" || docs.AuthorizerID != authzID {
			t.Errorf("ANY /docs/{proxy+}: authorization %s %q", docs.AuthorizationType, docs.AuthorizerID)
		}
		if in := docs.Integration; in == nil || in.Type != "HTTP_PROXY" || in.HTTPMethod != "ANY" || in.URI != "http://127.0.0.1:8080/docs/{proxy}" ||
			!reflect.DeepEqual(in.RequestParameters, map[string]string{"integration.request.path.proxy": "method.request.path.proxy", "integration.request.header.X-User-Id": "context.authorizer.userId"}) {
			t.Errorf("ANY /docs/{proxy+} integration %+v", in)
		}
		wantRequestParameters(t, direct, apiID, "/docs/{proxy+}", "ANY", map[string]bool{"method.request.path.proxy": true, "method.request.querystring.lang": false})

		health := method(t, def, "/health", "GET")
		if health.AuthorizationType != "NONE" || health.Integration == nil || health.Integration.Type != "MOCK" ||
			!reflect.DeepEqual(health.Integration.Mock, &gateway.Mock{StatusCode: 200, Headers: map[string]string{}, Body: `{"ok":true}`}) {
			t.Errorf("GET /health %+v integration %+v", health, health.Integration)
		}
		pre := method(t, def, "/hello/{userId}", "OPTIONS")
		if pre.AuthorizationType != "NONE" || pre.Integration == nil || !reflect.DeepEqual(pre.Integration.Mock, &gateway.Mock{StatusCode: 204,
			Headers: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET,OPTIONS"}}) {
			t.Errorf("OPTIONS /hello/{userId} %+v integration %+v", pre, pre.Integration)
		}
		mr, err := direct.GetMethodResponse(ctx, &apigateway.GetMethodResponseInput{RestApiId: &apiID,
			ResourceId: aws.String(resourceID(t, direct, apiID, "/hello/{userId}")), HttpMethod: aws.String("OPTIONS"), StatusCode: aws.String("204")})
		must(t, err)
		if want := map[string]bool{"method.response.header.Access-Control-Allow-Origin": false, "method.response.header.Access-Control-Allow-Methods": false}; !reflect.DeepEqual(mr.ResponseParameters, want) {
			t.Errorf("OPTIONS method response parameters %v, want %v", mr.ResponseParameters, want)
		}

		if got := def.GatewayResponses["UNAUTHORIZED"]; got == nil || got.StatusCode != 401 || got.Headers["WWW-Authenticate"] != `Bearer realm="x"` {
			t.Errorf("gateway response UNAUTHORIZED %+v", got)
		}
		if got := def.GatewayResponses["DEFAULT_5XX"]; got == nil || got.StatusCode != 0 || got.Template != `{"message":"oops"}` {
			t.Errorf("gateway response DEFAULT_5XX %+v", got)
		}
		if len(def.GatewayResponses) != 2 {
			t.Errorf("gateway responses %v, want 2", def.GatewayResponses)
		}
		if !strings.Contains(log.String(), "import: api "+apiID+" overwrite") {
			t.Errorf("no import line in the proxy's log")
		}
	})

	t.Run("overwrite without a route", func(t *testing.T) {
		_, err := put(jsonBytes(t, importBody(false, 60)), agtypes.PutModeOverwrite)
		must(t, err)
		def := read(t)
		if got, want := paths(def), []string{"/", "/health", "/hello", "/hello/{userId}"}; !reflect.DeepEqual(got, want) {
			t.Errorf("resources %v, want %v", got, want)
		}
		a := def.Authorizers[authzID]
		if a == nil || a.TTL != 60*time.Second || a.ValidationExpression != importExpr {
			t.Fatalf("authorizers %v: want %s kept with TTL 60s", def.Authorizers, authzID)
		}
		if id := resourceID(t, direct, apiID, "/"); id != rootID {
			t.Errorf("root resource %s, want %s", id, rootID)
		}
		dep, err := via.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &apiID})
		must(t, err)
		snap, found, err := proxy.Snapshots.Lookup(apiID, aws.ToString(dep.Id))
		if !found || err != nil {
			t.Fatalf("deployment %s: snapshot found=%v err=%v", aws.ToString(dep.Id), found, err)
		}
		if got := paths(snap); !reflect.DeepEqual(got, paths(def)) {
			t.Errorf("snapshot resources %v, want %v", got, paths(def))
		}
	})

	t.Run("merge adds, deletes nothing", func(t *testing.T) {
		body := map[string]any{"openapi": "3.0.1", "paths": map[string]any{"/extra": map[string]any{"get": map[string]any{
			"x-amazon-apigateway-integration": map[string]any{"type": "aws_proxy", "httpMethod": "POST", "uri": importHelloURI},
		}}}}
		_, err := put(jsonBytes(t, body), agtypes.PutModeMerge)
		must(t, err)
		def := read(t)
		if got, want := paths(def), []string{"/", "/extra", "/health", "/hello", "/hello/{userId}"}; !reflect.DeepEqual(got, want) {
			t.Errorf("resources %v, want %v", got, want)
		}
		if def.Authorizers[authzID] == nil || len(def.GatewayResponses) != 2 {
			t.Errorf("merge changed authorizers %v or gateway responses %v", def.Authorizers, def.GatewayResponses)
		}
	})

	t.Run("bad bodies change nothing", func(t *testing.T) {
		before := read(t)
		unknownScheme := importBody(false, 300)
		unknownScheme["paths"].(map[string]any)["/health"].(map[string]any)["get"].(map[string]any)["security"] = []map[string][]string{{"nope": {}}}
		requestAuthz := importBody(false, 300)
		requestAuthz["components"].(map[string]any)["securitySchemes"].(map[string]any)["jwt"].(map[string]any)["x-amazon-apigateway-authorizer"].(map[string]any)["type"] = "request"
		for _, c := range []struct {
			name string
			body []byte
			want string
		}{
			{"unknown scheme", jsonBytes(t, unknownScheme), `paths./health.get: security names "nope", which is not in components.securitySchemes`},
			{"request authorizer", jsonBytes(t, requestAuthz), `securitySchemes.jwt: authorizer type "request" is not supported by the snapshot proxy (token only)`},
			{"yaml", []byte("openapi: 3.0.1\npaths: {}\n"), "the body is not a JSON OpenAPI document"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := put(c.body, agtypes.PutModeOverwrite)
				var ae smithy.APIError
				var re *awshttp.ResponseError
				if !errors.As(err, &ae) || !errors.As(err, &re) {
					t.Fatalf("PutRestApi: %v, want an API error", err)
				}
				if re.HTTPStatusCode() != http.StatusBadRequest || ae.ErrorCode() != "BadRequestException" || !strings.Contains(ae.ErrorMessage(), c.want) {
					t.Errorf("PutRestApi: %d %s %q, want 400 BadRequestException %q", re.HTTPStatusCode(), ae.ErrorCode(), ae.ErrorMessage(), c.want)
				}
				if after := read(t); !reflect.DeepEqual(after, before) {
					t.Errorf("the refused body changed moto: %v, was %v", paths(after), paths(before))
				}
			})
		}
	})
}

// TestPutRestApiTerraformOnMoto applies aws_api_gateway_rest_api with an
// OpenAPI body (put_rest_api_mode overwrite) through SnapshotProxy: the
// provider's PutRestApi is applied by the proxy, a route removed from the
// body is gone after one apply, the deployment that follows is recorded
// without it, and the next plan is clean.
func TestPutRestApiTerraformOnMoto(t *testing.T) {
	ctx := context.Background()
	m, cfg, proxy, _ := startSnapshotProxy(t)

	opts := tfmoto.OptionsVia(t, m, "testdata/import", map[string]any{
		"name": fmt.Sprintf("import-%d", time.Now().UnixNano()),
		"body": string(jsonBytes(t, importBody(true, 300))),
	}, tfmoto.Endpoints{"apigateway": proxy.URL})
	defer terraform.Destroy(t, opts)
	terraform.InitAndApply(t, opts)
	cleanPlan(t, opts)
	apiID, rootID := terraform.Output(t, opts, "rest_api_id"), terraform.Output(t, opts, "root_resource_id")
	def, err := gateway.ReadDefinition(ctx, cfg, apiID)
	must(t, err)
	if got, want := paths(def), []string{"/", "/docs", "/docs/{proxy+}", "/health", "/hello", "/hello/{userId}"}; !reflect.DeepEqual(got, want) {
		t.Errorf("resources %v, want %v", got, want)
	}
	var authzID string
	for id, a := range def.Authorizers {
		authzID = id
		if a.ValidationExpression != importExpr || a.TTL != 300*time.Second {
			t.Errorf("authorizer %+v", a)
		}
	}

	opts.Vars["body"] = string(jsonBytes(t, importBody(false, 60)))
	terraform.Apply(t, opts)
	cleanPlan(t, opts)
	def, err = gateway.ReadDefinition(ctx, cfg, apiID)
	must(t, err)
	if got, want := paths(def), []string{"/", "/health", "/hello", "/hello/{userId}"}; !reflect.DeepEqual(got, want) {
		t.Errorf("resources after the route was removed %v, want %v", got, want)
	}
	if a := def.Authorizers[authzID]; a == nil || a.TTL != 60*time.Second {
		t.Errorf("authorizers %v: want %s kept, TTL 60s", def.Authorizers, authzID)
	}
	if id := terraform.Output(t, opts, "root_resource_id"); id != rootID || resourceID(t, apigateway.NewFromConfig(cfg), apiID, "/") != rootID {
		t.Errorf("root resource changed: %s, want %s", id, rootID)
	}
	snap, found, err := proxy.Snapshots.Lookup(apiID, terraform.Output(t, opts, "deployment_id"))
	if !found || err != nil {
		t.Fatalf("deployment snapshot found=%v err=%v", found, err)
	}
	if got := paths(snap); !reflect.DeepEqual(got, paths(def)) {
		t.Errorf("the deployment after the apply holds %v, want %v", got, paths(def))
	}
}

func paths(def *gateway.Definition) []string {
	var out []string
	for _, r := range def.Resources {
		out = append(out, r.Path)
	}
	return out
}

func resourceID(t *testing.T, ag *apigateway.Client, apiID, path string) string {
	t.Helper()
	out, err := ag.GetResources(context.Background(), &apigateway.GetResourcesInput{RestApiId: &apiID, Limit: aws.Int32(500)})
	must(t, err)
	for _, r := range out.Items {
		if aws.ToString(r.Path) == path {
			return aws.ToString(r.Id)
		}
	}
	t.Fatalf("no resource %s", path)
	return ""
}

func wantRequestParameters(t *testing.T, ag *apigateway.Client, apiID, path, verb string, want map[string]bool) {
	t.Helper()
	m, err := ag.GetMethod(context.Background(), &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: aws.String(resourceID(t, ag, apiID, path)), HttpMethod: &verb})
	must(t, err)
	if !reflect.DeepEqual(m.RequestParameters, want) {
		t.Errorf("%s %s request parameters %v, want %v", verb, path, m.RequestParameters, want)
	}
}
