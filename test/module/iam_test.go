//go:build moto

package module

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// wildcardActions may be granted on "*": X-Ray's write actions support no
// resource-level permissions. Nothing else may.
var wildcardActions = map[string]bool{
	"xray:PutTraceSegments":    true,
	"xray:PutTelemetryRecords": true,
}

// TestIAMLeastPrivilege applies the root module with its optional features on
// (tracing, throttling, access logs, reserved concurrency) from a caller
// written to a temporary folder, and audits every role the stack created:
// "*" only for the X-Ray actions, everything else on the stack's own ARNs.
func TestIAMLeastPrivilege(t *testing.T) {
	ctx := context.Background()
	srv := motoServer(t)
	root, err := tfmoto.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dist := packages(t, root)
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

module "under_test" {
  source = "` + filepath.ToSlash(rel) + `"

  name               = var.name
  architecture       = "` + testArch + `"
  authorizer_package = "${var.dist}/` + testArch + `/authorizer.zip"
  hello_package      = "${var.dist}/` + testArch + `/hello.zip"
  issuer             = "https://issuer.example.com/"
  audiences          = ["api://default"]
  tracing_enabled    = true
  throttling         = { burst_limit = 20, rate_limit = 10 }
  access_logs        = { enabled = true, retention_in_days = 7 }

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
	opts := tfmoto.OptionsFor(t, srv, dir, map[string]any{"name": name, "dist": filepath.ToSlash(dist)})
	defer terraform.Destroy(t, opts)
	start := time.Now()
	terraform.InitAndApply(t, opts)
	t.Logf("timing: init+apply %s", time.Since(start).Round(time.Millisecond))

	stack := terraform.OutputMap(t, opts, "stack")
	cfg, err := srv.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	account := strings.Split(stack["authorizer_function_arn"], ":")[4]
	logGroup := func(fn string) string {
		return "arn:aws:logs:" + moto.Region + ":" + account + ":log-group:/aws/lambda/" + fn + ":*"
	}
	ic := iam.NewFromConfig(cfg)
	roles, err := ic.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	audited := 0
	for _, r := range roles.Roles {
		role := aws.ToString(r.RoleName)
		if !strings.HasPrefix(role, name) {
			continue
		}
		audited++
		for action, resources := range rolePermissions(ctx, t, ic, role) {
			for _, res := range resources {
				if strings.Contains(res, "*") && res != logGroup(role) && !(res == "*" && wildcardActions[action]) {
					t.Errorf("role %s: %s granted on %q", role, action, res)
				}
			}
		}
	}
	if audited != 2 {
		t.Errorf("audited %d roles named %s*, want 2 (authorizer, hello)", audited, name)
	}
	xray := []string{"*"}
	for role, want := range map[string]map[string][]string{
		stack["authorizer_function_name"]: {
			"dynamodb:GetItem":         {stack["key_table_arn"]},
			"dynamodb:PutItem":         {stack["key_table_arn"]},
			"logs:CreateLogStream":     {logGroup(stack["authorizer_function_name"])},
			"logs:PutLogEvents":        {logGroup(stack["authorizer_function_name"])},
			"xray:PutTraceSegments":    xray,
			"xray:PutTelemetryRecords": xray,
		},
		stack["hello_function_name"]: {
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

	start = time.Now()
	if code := terraform.PlanExitCode(t, opts); code != 0 {
		// moto drops identity_validation_expression on CreateAuthorizer (see
		// TestModuleCognito); converge once, then the plan must be empty.
		terraform.Apply(t, opts)
		if code := terraform.PlanExitCode(t, opts); code != 0 {
			t.Errorf("plan after apply exit code = %d, want 0", code)
		}
	}
	t.Logf("timing: plan(s) %s", time.Since(start).Round(time.Millisecond))
}
