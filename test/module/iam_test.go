//go:build moto

package module

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

// wildcardActions may be granted on "*": X-Ray's write actions support no
// resource-level permissions. Nothing else may.
var wildcardActions = map[string]bool{
	"xray:PutTraceSegments":    true,
	"xray:PutTelemetryRecords": true,
}

// TestIAMLeastPrivilege applies the root module with its optional features on
// (tracing, throttling, access logs naming the account's CloudWatch role,
// reserved concurrency) from a caller written to a temporary folder, and
// audits every role the stack created: "*" only for the X-Ray actions,
// everything else on the stack's own ARNs.
func TestIAMLeastPrivilege(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	root, dist := fx.root, fx.dist
	dir := t.TempDir()
	rel, err := filepath.Rel(dir, root)
	if err != nil {
		t.Fatal(err)
	}
	caller := `provider "aws" {
  region = "` + moto.Region + `"
}

variable "name" {
  type = string
}

variable "dist" {
  type = string
}

# The account's API Gateway CloudWatch role, outside the API's stack. Not
# modules/api-gateway-account: moto does not load AWS managed policies, so its
# AmazonAPIGatewayPushToCloudWatchLogs attachment fails here (that module is
# audited by TestIAMPlanLeastPrivilege).
resource "aws_iam_role" "apigw_logs" {
  name = "${var.name}-apigw-logs-` + moto.Region + `"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "apigateway.amazonaws.com" } }]
  })
}

module "under_test" {
  source = "` + filepath.ToSlash(rel) + `"

  name               = var.name
  architecture       = "` + testArch + `"
  authorizer_package = { path = "${var.dist}/` + testArch + `/authorizer.zip" }
  hello_package      = { path = "${var.dist}/` + testArch + `/hello.zip" }
  issuers = {
    main = { issuer = "https://issuer.example.com/", audiences = ["api://default"] }
  }
  tracing_enabled = true
  throttling      = { burst_limit = 20, rate_limit = 10 }
  access_logs     = { enabled = true, retention_in_days = 7, cloudwatch_role_arn = aws_iam_role.apigw_logs.arn }

  authorizer_function = { reserved_concurrent_executions = 5 }
}

output "stack" {
  value = module.under_test
}

`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(caller), 0o644); err != nil {
		t.Fatal(err)
	}
	name := "ti-" + strings.ToLower(random.UniqueId())
	applied := fx.apply(t, dir, name, map[string]any{"name": name, "dist": filepath.ToSlash(dist)})
	stack := terraform.OutputMap(t, applied.opts, "stack")
	cfg := fx.cfg
	account := strings.Split(stack["authorizer_function_arn"], ":")[4]
	logGroup := func(fn string) string {
		return "arn:aws:logs:" + moto.Region + ":" + account + ":log-group:/aws/lambda/" + fn + ":*"
	}
	authorizerRole := stack["authorizer_function_name"] + "-" + moto.Region
	helloRole := stack["hello_function_name"] + "-" + moto.Region
	accountRole := name + "-apigw-logs-" + moto.Region
	ic := iam.NewFromConfig(cfg)

	// The caller's account role is not the module's: only its trust is read.
	checkTrust(ctx, t, ic, accountRole, "apigateway.amazonaws.com")

	// Every other role named after the run: no "*" but X-Ray's, and exactly
	// the grants each function needs.
	audited := map[string]bool{}
	roles := iam.NewListRolesPaginator(ic, &iam.ListRolesInput{})
	for roles.HasMorePages() {
		page, err := roles.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Roles {
			role := aws.ToString(r.RoleName)
			if !strings.HasPrefix(role, name) || role == accountRole {
				continue
			}
			audited[role] = true
			checkTrust(ctx, t, ic, role, "lambda.amazonaws.com")
			for action, resources := range rolePermissions(ctx, t, ic, role) {
				for _, res := range resources {
					if strings.Contains(res, "*") && !strings.HasSuffix(res, ":log-group:/aws/lambda/"+strings.TrimSuffix(role, "-"+moto.Region)+":*") && !(res == "*" && wildcardActions[action]) {
						t.Errorf("role %s: %s granted on %q", role, action, res)
					}
				}
			}
		}
	}
	if len(audited) != 2 || !audited[authorizerRole] || !audited[helloRole] {
		t.Errorf("audited roles %v, want %s and %s", audited, authorizerRole, helloRole)
	}
	xray := []string{"*"}
	for role, want := range map[string]map[string][]string{
		authorizerRole: {
			"dynamodb:GetItem":         {stack["key_table_arn"]},
			"dynamodb:UpdateItem":      {stack["key_table_arn"]},
			"logs:CreateLogStream":     {logGroup(stack["authorizer_function_name"])},
			"logs:PutLogEvents":        {logGroup(stack["authorizer_function_name"])},
			"xray:PutTraceSegments":    xray,
			"xray:PutTelemetryRecords": xray,
		},
		helloRole: {
			"logs:CreateLogStream":     {logGroup(stack["hello_function_name"])},
			"logs:PutLogEvents":        {logGroup(stack["hello_function_name"])},
			"xray:PutTraceSegments":    xray,
			"xray:PutTelemetryRecords": xray,
		},
	} {
		if got := rolePermissions(ctx, t, ic, role); !equalGrants(got, want) {
			t.Errorf("role %s grants\n got %v\nwant %v", role, got, want)
		}
	}

	// Resource policies: the authorizer for this API's authorizer, hello for
	// its route on this stage.
	lc := lambda.NewFromConfig(cfg)
	execARN := stack["rest_api_execution_arn"]
	for fn, want := range map[string]string{
		stack["authorizer_function_name"]: execARN + "/authorizers/*", // the body's authorizer: any of this API
		stack["hello_function_name"]:      execARN + "/" + stack["stage_name"] + "/GET/hello/*",
	} {
		if got := permissionSources(ctx, t, lc, fn); strings.Join(got, " ") != want {
			t.Errorf("%s permission sources = %v, want [%s]", fn, got, want)
		}
	}

	gw := apigateway.NewFromConfig(cfg)
	st, err := gw.GetStage(ctx, &apigateway.GetStageInput{RestApiId: aws.String(stack["rest_api_id"]), StageName: aws.String(stack["stage_name"])})
	if err != nil {
		t.Fatal(err)
	}
	if !st.TracingEnabled {
		t.Error("stage X-Ray tracing off, want on")
	}
	wantLogs := "arn:aws:logs:" + moto.Region + ":" + account + ":log-group:" + stack["access_log_group_name"]
	if st.AccessLogSettings == nil || strings.TrimSuffix(aws.ToString(st.AccessLogSettings.DestinationArn), ":*") != wantLogs {
		t.Errorf("stage access logs = %+v, want destination %s", st.AccessLogSettings, wantLogs)
	}
	if ms, ok := st.MethodSettings["*/*"]; !ok || ms.ThrottlingBurstLimit != 20 || ms.ThrottlingRateLimit != 10 {
		t.Errorf("stage method settings */* = %+v, want burst 20 rate 10", st.MethodSettings)
	}

	applied.destroy(t)
}

// checkTrust checks that role may be assumed by service only, with
// sts:AssumeRole and no other statement.
func checkTrust(ctx context.Context, t *testing.T, ic *iam.Client, role, service string) {
	t.Helper()
	r, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: &role})
	if err != nil {
		t.Fatal(err)
	}
	text := aws.ToString(r.Role.AssumeRolePolicyDocument)
	if dec, err := url.QueryUnescape(text); err == nil && strings.HasPrefix(text, "%7B") {
		text = dec
	}
	var doc struct {
		Statement []struct {
			Effect    string
			Action    any
			Principal map[string]any
			Condition any
		}
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("role %s trust policy: %v\n%s", role, err, text)
	}
	if len(doc.Statement) != 1 {
		t.Fatalf("role %s trust policy has %d statements, want 1: %s", role, len(doc.Statement), text)
	}
	s := doc.Statement[0]
	if s.Effect != "Allow" || fmt.Sprint(s.Action) != "sts:AssumeRole" || len(s.Principal) != 1 || fmt.Sprint(s.Principal["Service"]) != service {
		t.Errorf("role %s trust statement %+v, want sts:AssumeRole by Service %s only", role, s, service)
	}
}
