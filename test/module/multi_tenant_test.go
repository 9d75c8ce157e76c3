//go:build moto

package module

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestModuleMultiTenant applies examples/multi-tenant to moto and reads back
// what issue 20's settings made: the authorizer's ISSUERS with the groups
// claim, the tenant bound to {tenantId} and the forwarded claims, ROUTES
// with the admins group on the delete route only, and the delete route's
// HTTP_PROXY integration passing the forwarded claims as X-Claim-* headers.
// Then a second plan is empty (applyConverged) and destroy leaves nothing.
// (test/e2e's TestE2EGroupsAndTenants calls such routes with real tokens.)
func TestModuleMultiTenant(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	s := fx.exampleStack(t, "multi-tenant", "tt20", map[string]any{
		"jwks_url":   fx.srv.Endpoint + "/{user_pool_id}/.well-known/jwks.json",
		"orders_url": "http://127.0.0.1:8089",
	})
	str := func(k string) string { return s.str(t, k) }
	authorizerFn, apiID := str("authorizer_function_name"), str("rest_api_id")

	f, err := lambda.NewFromConfig(fx.cfg).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &authorizerFn})
	if err != nil {
		t.Fatal(err)
	}
	none := []any{}
	checkEnvironment(t, f.Configuration.Environment.Variables, map[string]any{
		"ISSUERS": []any{map[string]any{
			"name": "cognito", "issuer": str("issuer"), "audiences": none, "client_ids": []any{str("user_pool_client_id")},
			"token_use": "access", "jwks_url": fx.srv.Endpoint + "/" + str("user_pool_id") + "/.well-known/jwks.json",
			"groups_claim":   []any{"cognito:groups"},
			"path_claims":    map[string]any{"tenantId": "custom:tenant_id"},
			"context_claims": map[string]any{"email": "email", "tenant": "custom:tenant_id"},
		}},
		"ROUTES": []any{
			map[string]any{"route": "DELETE/tenants/{tenantId}/orders/{orderId}", "scopes": none, "issuers": none, "groups": []any{"admins"}},
			map[string]any{"route": "GET/tenants/{tenantId}/orders", "scopes": none, "issuers": none},
		},
		"METRICS_NAMESPACE": "JWTAuthorizer/" + authorizerFn,
		"KEYS_TABLE_NAME":   authorizerFn + "-keys",
	})

	ag := apigateway.NewFromConfig(fx.cfg)
	res, err := ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &apiID})
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, r := range res.Items {
		if aws.ToString(r.Path) == "/tenants/{tenantId}/orders/{orderId}" {
			id = aws.ToString(r.Id)
		}
	}
	if id == "" {
		t.Fatal("no resource /tenants/{tenantId}/orders/{orderId}")
	}
	in, err := ag.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: &apiID, ResourceId: &id, HttpMethod: aws.String("DELETE")})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"integration.request.header.X-Claim-email":  "context.authorizer.email",
		"integration.request.header.X-Claim-tenant": "context.authorizer.tenant",
		"integration.request.path.tenantId":         "method.request.path.tenantId",
	} {
		if in.RequestParameters[k] != v {
			t.Errorf("integration parameter %s = %q, want %q (all: %v)", k, in.RequestParameters[k], v, in.RequestParameters)
		}
	}

	s.destroy(t)
}
