//go:build moto

package module

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
	"slices"
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
	Outputs map[string]struct {
		Expression map[string]any `json:"expression"`
	} `json:"outputs"`
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
	t.Helper()
	byAddr := map[string]map[string]any{}
	iamTypes := map[string]int{}
	for _, rc := range plan.ResourceChanges {
		byAddr[rc.Address] = rc.Change.After
		if strings.HasPrefix(rc.Type, "aws_iam_") && rc.Mode == "managed" {
			iamTypes[rc.Mode+"."+rc.Type]++
		}
	}
	// Exactly two roles with one inline policy each: no managed-policy
	// attachments (AWSLambdaBasicExecutionRole grants logs:CreateLogGroup on
	// "*"), no standalone policies, no account-wide API Gateway role.
	want := map[string]int{"managed.aws_iam_role": 2, "managed.aws_iam_role_policy": 2}
	if fmt.Sprint(iamTypes) != fmt.Sprint(want) {
		t.Errorf("IAM objects planned = %v, want %v", iamTypes, want)
	}
	cfg := plan.Configuration.RootModule.ModuleCalls["jwt_authorizer"].Module
	for _, fn := range []string{"authorizer", "hello"} {
		mod := prefix + "module." + fn + "."
		name := "iam-plan-" + fn
		if byAddr[mod+"aws_lambda_function.this"]["function_name"] != name ||
			byAddr[mod+"aws_cloudwatch_log_group.this"]["name"] != "/aws/lambda/"+name {
			t.Errorf("%s: function %v, log group %v", fn, byAddr[mod+"aws_lambda_function.this"]["function_name"], byAddr[mod+"aws_cloudwatch_log_group.this"]["name"])
		}
		// Assume-role policy: sts:AssumeRole by lambda.amazonaws.com only.
		role := byAddr[mod+"aws_iam_role.this[0]"]
		var trust struct {
			Statement []struct {
				Effect    string
				Action    any
				Principal map[string]any
				Condition any
			}
		}
		if doc, _ := role["assume_role_policy"].(string); json.Unmarshal([]byte(doc), &trust) != nil || len(trust.Statement) != 1 {
			t.Errorf("%s: assume_role_policy = %v", fn, role["assume_role_policy"])
		} else {
			st := trust.Statement[0]
			if st.Effect != "Allow" || fmt.Sprint(st.Action) != "sts:AssumeRole" || len(st.Principal) != 1 || fmt.Sprint(st.Principal["Service"]) != "lambda.amazonaws.com" {
				t.Errorf("%s: trust statement %+v, want sts:AssumeRole by Service lambda.amazonaws.com only", fn, st)
			}
		}
		// The inline policy: its statements as planned.
		doc := byAddr[mod+"data.aws_iam_policy_document.this[0]"]
		stmts, _ := doc["statement"].([]any)
		got := map[string]statement{}
		for _, raw := range stmts {
			m := raw.(map[string]any)
			st := statement{Sid: str(m["sid"]), Effect: str(m["effect"]), Actions: strList(m["actions"]), Resources: strList(m["resources"])}
			for _, k := range []string{"not_actions", "not_resources"} {
				if m[k] != nil {
					t.Errorf("%s/%s: %s = %v", fn, st.Sid, k, m[k])
				}
			}
			if p, _ := m["principals"].([]any); len(p) != 0 {
				t.Errorf("%s/%s: principals in an identity policy", fn, st.Sid)
			}
			if st.Effect != "" && st.Effect != "Allow" {
				t.Errorf("%s/%s: effect %s", fn, st.Sid, st.Effect)
			}
			got[st.Sid] = st
		}
		wantSids := []string{"Logs"}
		if fn == "authorizer" {
			wantSids = append(wantSids, "KeyCache")
		}
		if tracing {
			wantSids = append(wantSids, "XRay")
		}
		var sids []string
		for sid := range got {
			sids = append(sids, sid)
		}
		sort.Strings(sids)
		sort.Strings(wantSids)
		if strings.Join(sids, ",") != strings.Join(wantSids, ",") {
			t.Errorf("%s: statements %v, want %v", fn, sids, wantSids)
		}
		eq := func(sid string, a []string, b ...string) {
			if strings.Join(a, ",") != strings.Join(b, ",") {
				t.Errorf("%s/%s: actions %v, want %v", fn, sid, a, b)
			}
		}
		if st, ok := got["Logs"]; ok {
			eq("Logs", st.Actions, "logs:CreateLogStream", "logs:PutLogEvents")
			// Unknown at plan time: the expression must be the function's own
			// log group (modules/function: "${aws_cloudwatch_log_group.this.arn}:*").
			refs := dataRefs(cfg.ModuleCalls[fn].Module, "this", "Logs")
			if strings.Join(refs, ",") != "aws_cloudwatch_log_group.this,aws_cloudwatch_log_group.this.arn" {
				t.Errorf("%s/Logs: resources reference %v, want its own log group only", fn, refs)
			}
			if len(st.Resources) != 1 {
				t.Errorf("%s/Logs: %d resources", fn, len(st.Resources))
			}
		}
		if st, ok := got["KeyCache"]; ok {
			eq("KeyCache", st.Actions, "dynamodb:GetItem", "dynamodb:PutItem")
			refs := exprRefs(cfg.ModuleCalls[fn].Expressions["policy_statements"])
			out := exprRefs(cfg.ModuleCalls["key_cache"].Module.Outputs["table_arn"].Expression)
			if strings.Join(refs, ",") != "module.key_cache,module.key_cache.table_arn" ||
				strings.Join(out, ",") != "aws_dynamodb_table.this,aws_dynamodb_table.this.arn" || len(st.Resources) != 1 {
				t.Errorf("KeyCache: resources reference %v (table_arn = %v), want the key table's ARN only", refs, out)
			}
		}
		if st, ok := got["XRay"]; ok {
			eq("XRay", st.Actions, "xray:PutTelemetryRecords", "xray:PutTraceSegments")
			if strings.Join(st.Resources, ",") != "*" {
				t.Errorf("%s/XRay: resources %v, want [*] (X-Ray has no resource-level permissions)", fn, st.Resources)
			}
		}
		for sid, st := range got {
			for _, r := range st.Resources {
				if r == "*" && sid != "XRay" {
					t.Errorf("%s/%s: resource \"*\"", fn, sid)
				}
			}
			for _, a := range st.Actions {
				if strings.Contains(a, "*") {
					t.Errorf("%s/%s: wildcard action %s", fn, sid, a)
				}
			}
		}
		t.Logf("%s: trust lambda.amazonaws.com; statements %v", fn, func() (l []string) {
			for _, sid := range sids {
				st := got[sid]
				res := st.Resources
				if len(res) == 1 && res[0] == "" {
					res = []string{"(known after apply)"}
				}
				l = append(l, fmt.Sprintf("%s %v on %v", sid, st.Actions, res))
			}
			return l
		}())
	}
	// Resource policies: API Gateway may invoke each function, from this API only.
	for _, p := range []string{"authorizer", "hello"} {
		after := byAddr[prefix+"module.rest_api.aws_lambda_permission."+p+"[0]"]
		if after["principal"] != "apigateway.amazonaws.com" || after["action"] != "lambda:InvokeFunction" {
			t.Errorf("lambda permission %s: %v", p, after)
		}
		var refs []string
		for _, r := range cfg.ModuleCalls["rest_api"].Module.Resources {
			if r.Type == "aws_lambda_permission" && r.Name == p {
				refs = exprRefs(r.Expressions["source_arn"])
			}
		}
		if !slices.Contains(refs, "aws_api_gateway_rest_api.this.execution_arn") {
			t.Errorf("lambda permission %s: source_arn references %v, want this API's execution ARN", p, refs)
		}
	}
}

// dataRefs returns the references of the resources expression of the static
// statement sid of data.aws_iam_policy_document.<name> in mod.
func dataRefs(mod configModule, name, sid string) []string {
	for _, r := range mod.Resources {
		if r.Mode != "data" || r.Type != "aws_iam_policy_document" || r.Name != name {
			continue
		}
		stmts, _ := r.Expressions["statement"].([]any)
		for _, raw := range stmts {
			m, _ := raw.(map[string]any)
			if s, _ := m["sid"].(map[string]any); s != nil && s["constant_value"] == sid {
				return exprRefs(m["resources"])
			}
		}
	}
	return nil
}

func exprRefs(v any) []string {
	m, _ := v.(map[string]any)
	return strList(m["references"])
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
