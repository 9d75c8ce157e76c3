//go:build moto

package module

import (
	"context"
	"maps"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// TestModuleMultiIssuer applies examples/multi-issuer to moto, with a
// loopback Okta-shaped issuer found through its discovery document, and
// reads back what the routes map made: the authorizer's two issuers and
// seven routes with their scopes and issuers (one issuer per {userId}
// route), hello's own issuer list, one Lambda permission per (function,
// route), the HTTP_PROXY integrations with their path mappings, and the
// stage on the deployment the output names. Then a second plan is
// empty and destroy leaves nothing. (test/e2e calls the routes.)
func TestModuleMultiIssuer(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	cfg := fx.cfg
	okta := newOktaIssuer(t, jwttest.NewRSA("okta-key-1", 2048))
	const backend = "http://127.0.0.1:8089"
	s := fx.exampleStack(t, "multi-issuer", "tm", map[string]any{
		"okta_issuer":   okta.URL(),
		"backend_url":   backend,
		"hello_package": fx.zip("hello"),
	})
	str := func(k string) string { return s.str(t, k) }
	apiID, stage, helloFn, authorizerFn := str("rest_api_id"), str("stage_name"), str("hello_function_name"), str("authorizer_function_name")

	lc := lambda.NewFromConfig(cfg)
	f, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &authorizerFn})
	if err != nil {
		t.Fatal(err)
	}
	onlyCognito, onlyOkta, none := []any{"cognito"}, []any{"okta"}, []any{}
	route := func(r string, scopes, issuers []any) map[string]any {
		return map[string]any{"route": r, "scopes": scopes, "issuers": issuers}
	}
	checkEnvironment(t, f.Configuration.Environment.Variables, map[string]any{
		"ISSUERS": []any{
			map[string]any{"name": "cognito", "issuer": str("cognito_issuer"), "audiences": none,
				"client_ids": []any{str("user_pool_client_id")}, "token_use": "access"},
			map[string]any{"name": "okta", "issuer": okta.URL(), "audiences": []any{"api://default"}, "client_ids": none, "user_id_claim": "uid"},
		},
		// Keyed by route in the module: sorted.
		"ROUTES": []any{
			route("GET/docs/*", []any{"docs.read"}, none),
			route("GET/hello/{userId}", none, onlyCognito),
			route("GET/orders/{userId}", []any{"orders.read"}, onlyOkta),
			route("GET/profiles/{userId}/{section}", none, onlyCognito),
			route("GET/staff/hello/{userId}", none, onlyOkta),
			route("GET/staff/profiles/{userId}/{section}", none, onlyOkta),
			route("GET/status", []any{"status.read"}, none),
		},
		"METRICS_NAMESPACE": "JWTAuthorizer/" + authorizerFn,
		"KEYS_TABLE_NAME":   str("key_table_name"),
	})

	// hello checks the issuer too: the example's hello_issuers, sorted.
	h, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &helloFn})
	if err != nil {
		t.Fatal(err)
	}
	checkEnvironment(t, h.Configuration.Environment.Variables, map[string]any{"ISSUER_NAMES": "cognito,okta"})

	// hello serves three routes: one permission each, scoped to the stage,
	// verb and path.
	exec := str("rest_api_execution_arn")
	if got, want := permissionSources(ctx, t, lc, helloFn), []string{exec + "/" + stage + "/GET/hello/*", exec + "/" + stage + "/GET/orders/*", exec + "/" + stage + "/GET/staff/hello/*"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hello permission sources = %v, want %v", got, want)
	}

	ag := apigateway.NewFromConfig(cfg)
	res, err := ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &apiID, Embed: []string{"methods"}, Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	identityHeaders := map[string]string{
		"integration.request.header.X-User-Id": "context.authorizer.userId",
		"integration.request.header.X-Issuer":  "context.authorizer.issuerName",
		"integration.request.header.X-Scope":   "context.authorizer.scope",
	}
	paths := map[string]string{}
	for _, r := range res.Items {
		paths[aws.ToString(r.Path)] = aws.ToString(r.Id)
	}
	for path, want := range map[string]struct {
		uri    string
		params map[string]string
	}{
		"/status":                            {backend + "/status", nil},
		"/docs/{proxy+}":                     {backend + "/docs/{proxy}", map[string]string{"integration.request.path.proxy": "method.request.path.proxy"}},
		"/profiles/{userId}/{section}":       {backend + "/profiles/{userId}/{section}", map[string]string{"integration.request.path.userId": "method.request.path.userId", "integration.request.path.section": "method.request.path.section"}},
		"/staff/profiles/{userId}/{section}": {backend + "/staff/profiles/{userId}/{section}", map[string]string{"integration.request.path.userId": "method.request.path.userId", "integration.request.path.section": "method.request.path.section"}},
	} {
		// Every HTTP backend also gets the verified identity as headers.
		want.params = maps.Clone(want.params)
		if want.params == nil {
			want.params = map[string]string{}
		}
		maps.Copy(want.params, identityHeaders)
		id, ok := paths[path]
		if !ok {
			t.Errorf("no resource %s (have %v)", path, paths)
			continue
		}
		in, err := ag.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: &apiID, ResourceId: &id, HttpMethod: aws.String("GET")})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if string(in.Type) != "HTTP_PROXY" || aws.ToString(in.HttpMethod) != "GET" || aws.ToString(in.Uri) != want.uri || len(in.RequestParameters) != len(want.params) {
			t.Errorf("%s integration: %s %s %s %v, want HTTP_PROXY GET %s %v", path, in.Type, aws.ToString(in.HttpMethod), aws.ToString(in.Uri), in.RequestParameters, want.uri, want.params)
		}
		for k, v := range want.params {
			if in.RequestParameters[k] != v {
				t.Errorf("%s integration parameter %s = %q, want %q", path, k, in.RequestParameters[k], v)
			}
		}
	}
	st, err := ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &apiID, StageName: &stage})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(st.DeploymentId); got != str("deployment_id") {
		t.Errorf("stage serves deployment %s, output deployment_id %s", got, str("deployment_id"))
	}

	s.destroy(t)
}
