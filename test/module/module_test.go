//go:build moto

package module

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

// TestModuleCognito applies examples/cognito to moto, reads every resource
// back through the AWS API, checks that a second plan is empty, destroys the
// stack and checks that nothing of it is left.
func TestModuleCognito(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	cfg := fx.cfg
	authorizerZip, helloZip := fx.zip("authorizer"), fx.zip("hello")
	const resultTTL = 120
	jwksTemplate := fx.srv.Endpoint + "/{user_pool_id}/.well-known/jwks.json"
	s := fx.exampleStack(t, "cognito", "tt", map[string]any{
		"authorizer_result_ttl": resultTTL,
		"jwks_url":              jwksTemplate,
		"hello_package":         helloZip,
	})
	str := func(k string) string { return s.str(t, k) }
	poolID := str("user_pool_id")
	clientID := str("user_pool_client_id")
	issuer := str("issuer")
	apiID := str("rest_api_id")
	authorizerID := str("authorizer_id")
	tableName := str("key_table_name")
	tableARN := str("key_table_arn")
	authorizerFn := str("authorizer_function_name")
	helloFn := str("hello_function_name")
	helloARN := str("hello_function_arn")
	authorizerARN := str("authorizer_function_arn")
	execARN := str("rest_api_execution_arn")
	if got, want := str("stage_name"), "v1"; got != want {
		t.Errorf("stage_name = %q, want %q", got, want)
	}
	if want := fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com/v1/hello/{userId}", apiID, moto.Region); str("hello_url_template") != want {
		t.Errorf("hello_url_template = %q, want %q", str("hello_url_template"), want)
	}
	account := strings.Split(helloARN, ":")[4]
	if account == "" {
		t.Fatalf("function ARN %s has no account id", helloARN)
	}
	if want := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s", moto.Region, account, apiID); execARN != want {
		t.Errorf("rest_api_execution_arn = %q, want %q", execARN, want)
	}

	t.Run("api", func(t *testing.T) {
		gw := apigateway.NewFromConfig(cfg)
		res, err := gw.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &apiID})
		if err != nil {
			t.Fatal(err)
		}
		var resourceID string
		for _, r := range res.Items {
			if aws.ToString(r.Path) == "/hello/{userId}" {
				resourceID = aws.ToString(r.Id)
			}
		}
		if resourceID == "" {
			t.Fatal("no resource /hello/{userId}")
		}
		m, err := gw.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: aws.String("GET")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(m.AuthorizationType); got != "CUSTOM" {
			t.Errorf("method authorization = %q, want CUSTOM", got)
		}
		if got := aws.ToString(m.AuthorizerId); got != authorizerID {
			t.Errorf("method authorizer = %q, want %q", got, authorizerID)
		}
		in, err := gw.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: aws.String("GET")})
		if err != nil {
			t.Fatal(err)
		}
		if in.Type != "AWS_PROXY" {
			t.Errorf("integration type = %q, want AWS_PROXY", in.Type)
		}
		if got, want := aws.ToString(in.Uri), invokeARN(helloARN); got != want {
			t.Errorf("integration uri = %q, want %q", got, want)
		}
		a, err := gw.GetAuthorizer(ctx, &apigateway.GetAuthorizerInput{RestApiId: &apiID, AuthorizerId: &authorizerID})
		if err != nil {
			t.Fatal(err)
		}
		if a.Type != "TOKEN" {
			t.Errorf("authorizer type = %q, want TOKEN", a.Type)
		}
		if got := aws.ToString(a.IdentitySource); got != "method.request.header.Authorization" {
			t.Errorf("identity source = %q", got)
		}
		if got := aws.ToInt32(a.AuthorizerResultTtlInSeconds); got != resultTTL {
			t.Errorf("authorizer TTL = %d, want %d", got, resultTTL)
		}
		if got, want := aws.ToString(a.IdentityValidationExpression), `^[Bb]earer [-0-9A-Za-z._~+/]+=*$`; got != want {
			t.Errorf("identity validation expression = %q, want %q", got, want)
		}
		if got, want := aws.ToString(a.AuthorizerUri), invokeARN(authorizerARN); got != want {
			t.Errorf("authorizer uri = %q, want %q", got, want)
		}
	})

	t.Run("functions", func(t *testing.T) {
		lc := lambda.NewFromConfig(cfg)
		for fn, zip := range map[string]string{authorizerFn: authorizerZip, helloFn: helloZip} {
			f, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fn)})
			if err != nil {
				t.Fatal(err)
			}
			c := f.Configuration
			if c.Runtime != "provided.al2023" {
				t.Errorf("%s runtime = %q", fn, c.Runtime)
			}
			if aws.ToString(c.Handler) != "bootstrap" {
				t.Errorf("%s handler = %q", fn, aws.ToString(c.Handler))
			}
			if len(c.Architectures) != 1 || string(c.Architectures[0]) != testArch {
				t.Errorf("%s architectures = %v, want [%s]", fn, c.Architectures, testArch)
			}
			if got, want := aws.ToString(c.CodeSha256), fileSHA256(t, zip); got != want {
				t.Errorf("%s CodeSha256 = %q, want %q (the local zip)", fn, got, want)
			}
		}
		f, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(authorizerFn)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(f.Configuration.Timeout) != 6 || aws.ToInt32(f.Configuration.MemorySize) != 128 {
			t.Errorf("authorizer timeout/memory = %d/%d, want 6/128", aws.ToInt32(f.Configuration.Timeout), aws.ToInt32(f.Configuration.MemorySize))
		}
		// The Terraform <-> Go contract: settings left null are not set.
		var env map[string]string
		if f.Configuration.Environment != nil {
			env = f.Configuration.Environment.Variables
		}
		checkEnvironment(t, env, map[string]any{
			"ISSUERS": []any{map[string]any{
				"name":       "cognito",
				"issuer":     issuer,
				"jwks_url":   strings.Replace(jwksTemplate, "{user_pool_id}", poolID, 1),
				"audiences":  []any{},
				"client_ids": []any{clientID},
				"token_use":  "access",
			}},
			"ROUTES":            []any{map[string]any{"route": "GET/hello/{userId}", "scopes": []any{}, "issuers": []any{}}},
			"METRICS_NAMESPACE": "JWTAuthorizer/" + authorizerFn,
			"KEYS_TABLE_NAME":   tableName,
		})
		if want := "https://cognito-idp." + moto.Region + ".amazonaws.com/" + poolID; issuer != want {
			t.Errorf("issuer = %q, want %q", issuer, want)
		}
		// Invoke permissions: hello for GET /hello/* of stage v1 only, the
		// authorizer for this API's authorizer only.
		for fn, wantSource := range map[string]string{
			helloFn:      execARN + "/v1/GET/hello/*",
			authorizerFn: execARN + "/authorizers/*", // the body's authorizer: any of this API
		} {
			if got := permissionSources(ctx, t, lc, fn); strings.Join(got, " ") != wantSource {
				t.Errorf("%s permission sources = %v, want [%s]", fn, got, wantSource)
			}
		}
	})

	t.Run("table", func(t *testing.T) {
		db := dynamodb.NewFromConfig(cfg)
		ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &tableName})
		if err != nil {
			t.Fatal(err)
		}
		d := ttl.TimeToLiveDescription
		if d == nil || d.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "expires_at" {
			t.Errorf("table TTL = %+v, want ENABLED on expires_at", d)
		}
		tab, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &tableName})
		if err != nil {
			t.Fatal(err)
		}
		if bm := tab.Table.BillingModeSummary; bm == nil || bm.BillingMode != ddbtypes.BillingModePayPerRequest {
			t.Errorf("billing mode = %+v, want PAY_PER_REQUEST", bm)
		}
		if ks := tab.Table.KeySchema; len(ks) != 1 || aws.ToString(ks[0].AttributeName) != "PK" || ks[0].KeyType != ddbtypes.KeyTypeHash {
			t.Errorf("key schema = %+v, want PK HASH", ks)
		}
		if sse := tab.Table.SSEDescription; sse == nil || sse.Status != ddbtypes.SSEStatusEnabled {
			t.Errorf("server-side encryption = %+v, want ENABLED", sse)
		}
		cb, err := db.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: &tableName})
		if err != nil {
			t.Fatal(err)
		}
		if p := cb.ContinuousBackupsDescription.PointInTimeRecoveryDescription; p == nil || p.PointInTimeRecoveryStatus != ddbtypes.PointInTimeRecoveryStatusDisabled {
			t.Errorf("point-in-time recovery = %+v, want DISABLED (a cache rebuilt from the issuer)", p)
		}
	})

	t.Run("iam", func(t *testing.T) {
		ic := iam.NewFromConfig(cfg)
		logGroup := func(fn string) string {
			return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/lambda/%s:*", moto.Region, account, fn)
		}
		// Role names carry the region, so the same name applies in two regions.
		for role, want := range map[string]map[string][]string{
			authorizerFn + "-" + moto.Region: {
				"dynamodb:GetItem":     {tableARN},
				"dynamodb:UpdateItem":  {tableARN},
				"logs:CreateLogStream": {logGroup(authorizerFn)},
				"logs:PutLogEvents":    {logGroup(authorizerFn)},
			},
			helloFn + "-" + moto.Region: {
				"logs:CreateLogStream": {logGroup(helloFn)},
				"logs:PutLogEvents":    {logGroup(helloFn)},
			},
		} {
			if got := rolePermissions(ctx, t, ic, role); !equalGrants(got, want) {
				t.Errorf("role %s grants\n got %v\nwant %v", role, got, want)
			}
		}
	})

	s.destroy(t)
}
