//go:build moto

package module

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

// TestModuleExistingAPI applies examples/existing-api (a caller's own REST
// API, two routes to its own function and an open /health, protected by modules/authorizer) to
// moto, reads the wiring back, checks that a second plan is empty, destroys
// it and checks that nothing of it is left.
func TestModuleExistingAPI(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	cfg := fx.cfg
	const issuer = "https://dev-123456.okta.com/oauth2/default"
	s := fx.exampleStack(t, "existing-api", "tx", map[string]any{
		"issuer":         issuer,
		"user_id_claim":  "uid",
		"orders_package": fx.zip("hello"),
	})
	str := func(k string) string { return s.str(t, k) }
	apiID, authorizerID, execARN := str("rest_api_id"), str("authorizer_id"), str("rest_api_execution_arn")
	ordersFn, authorizerFn := str("orders_function_name"), str("authorizer_function_name")
	tableName, tableARN := str("key_table_name"), str("key_table_arn")
	if got, want := str("authorizer_role_name"), authorizerFn+"-"+moto.Region; got != want {
		t.Errorf("authorizer role = %q, want %q", got, want)
	}
	ordersARN := str("orders_function_arn")
	account := strings.Split(ordersARN, ":")[4]

	t.Run("api", func(t *testing.T) {
		gw := apigateway.NewFromConfig(cfg)
		res, err := gw.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &apiID, Limit: aws.Int32(500)})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{}
		for _, r := range res.Items {
			ids[aws.ToString(r.Path)] = aws.ToString(r.Id)
		}
		for _, path := range []string{"/users/{userId}/profile", "/users/{userId}/orders"} {
			id, ok := ids[path]
			if !ok {
				t.Errorf("no resource %s (have %v)", path, ids)
				continue
			}
			m, err := gw.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &id, HttpMethod: aws.String("GET")})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(m.AuthorizationType) != "CUSTOM" || aws.ToString(m.AuthorizerId) != authorizerID {
				t.Errorf("GET %s: authorization %q authorizer %q, want CUSTOM %q", path, aws.ToString(m.AuthorizationType), aws.ToString(m.AuthorizerId), authorizerID)
			}
			in, err := gw.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: &apiID, ResourceId: &id, HttpMethod: aws.String("GET")})
			if err != nil {
				t.Fatal(err)
			}
			if in.Type != "AWS_PROXY" || aws.ToString(in.Uri) != invokeARN(ordersARN) {
				t.Errorf("GET %s: integration %s %s, want AWS_PROXY %s", path, in.Type, aws.ToString(in.Uri), invokeARN(ordersARN))
			}
		}
		// The open route: no authorizer, answered by API Gateway (MOCK).
		if id, ok := ids["/health"]; !ok {
			t.Errorf("no resource /health (have %v)", ids)
		} else {
			m, err := gw.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &id, HttpMethod: aws.String("GET")})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(m.AuthorizationType) != "NONE" || m.MethodIntegration == nil || m.MethodIntegration.Type != "MOCK" {
				t.Errorf("GET /health: authorization %q integration %+v, want NONE and MOCK", aws.ToString(m.AuthorizationType), m.MethodIntegration)
			}
		}
		for typ, status := range map[apigwtypes.GatewayResponseType]string{"UNAUTHORIZED": "401", "ACCESS_DENIED": "403"} {
			r, err := gw.GetGatewayResponse(ctx, &apigateway.GetGatewayResponseInput{RestApiId: &apiID, ResponseType: typ})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(r.StatusCode) != status {
				t.Errorf("gateway response %s: status %q, want %s", typ, aws.ToString(r.StatusCode), status)
			}
		}
		a, err := gw.GetAuthorizer(ctx, &apigateway.GetAuthorizerInput{RestApiId: &apiID, AuthorizerId: &authorizerID})
		if err != nil {
			t.Fatal(err)
		}
		if a.Type != "TOKEN" || aws.ToString(a.AuthorizerUri) != invokeARN(str("authorizer_function_arn")) ||
			aws.ToString(a.IdentitySource) != "method.request.header.Authorization" {
			t.Errorf("authorizer %+v", a)
		}
	})

	t.Run("functions", func(t *testing.T) {
		lc := lambda.NewFromConfig(cfg)
		f, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &authorizerFn})
		if err != nil {
			t.Fatal(err)
		}
		var env map[string]string
		if f.Configuration.Environment != nil {
			env = f.Configuration.Environment.Variables
		}
		// The module's routes are the caller's method keys.
		checkEnvironment(t, env, map[string]any{
			"ISSUERS": []any{map[string]any{
				"name": "main", "issuer": issuer, "audiences": []any{"api://orders"}, "client_ids": []any{}, "user_id_claim": "uid",
			}},
			"ROUTES": []any{
				map[string]any{"route": "GET/users/{userId}/orders", "scopes": []any{"orders.read"}, "issuers": []any{}},
				map[string]any{"route": "GET/users/{userId}/profile", "scopes": []any{}, "issuers": []any{}},
			},
			"METRICS_NAMESPACE": "JWTAuthorizer/" + authorizerFn,
			"KEYS_TABLE_NAME":   tableName,
		})
		for fn, want := range map[string]string{
			authorizerFn: execARN + "/authorizers/" + authorizerID,
			ordersFn:     execARN + "/v1/GET/users/*/orders " + execARN + "/v1/GET/users/*/profile",
		} {
			if got := strings.Join(permissionSources(ctx, t, lc, fn), " "); got != want {
				t.Errorf("%s permission sources = %s, want %s", fn, got, want)
			}
		}
	})

	t.Run("iam", func(t *testing.T) {
		ic := iam.NewFromConfig(cfg)
		logGroup := "arn:aws:logs:" + moto.Region + ":" + account + ":log-group:/aws/lambda/" + authorizerFn + ":*"
		want := map[string][]string{
			"dynamodb:GetItem":     {tableARN},
			"dynamodb:UpdateItem":  {tableARN},
			"logs:CreateLogStream": {logGroup},
			"logs:PutLogEvents":    {logGroup},
		}
		role := authorizerFn + "-" + moto.Region
		checkTrust(ctx, t, ic, role, "lambda.amazonaws.com")
		if got := rolePermissions(ctx, t, ic, role); !equalGrants(got, want) {
			t.Errorf("role %s grants\n got %v\nwant %v", role, got, want)
		}
	})

	s.destroy(t)
}
