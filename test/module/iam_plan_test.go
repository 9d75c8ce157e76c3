//go:build moto

package module

// TestIAMPlanLeastPrivilege plans callers of the module against moto
// (test/tfmoto), reads `terraform show -json` of each plan and checks that
// every role, every statement of its inline policy and every Lambda
// permission grants the least the functions need:
//
//	authorizer: dynamodb:GetItem + dynamodb:UpdateItem on the key table only
//	            (none without a table); kms:Decrypt + kms:Encrypt +
//	            kms:GenerateDataKey on the table's customer key only when one
//	            is set; logs:CreateLogStream + logs:PutLogEvents on its own
//	            log group;
//	hello:      logs on its own log group only;
//	X-Ray:      xray:PutTraceSegments + xray:PutTelemetryRecords on "*", only
//	            when tracing is enabled;
//	trust:      sts:AssumeRole by lambda.amazonaws.com only;
//	names:      the role's name ends with the region (from the API's ARN);
//	permissions: the authorizer's scoped to its API's authorizer, one per
//	            (function, route) scoped to the stage, verb and path, none
//	            for an HTTP route.
//
// Values unknown at plan time (a created log group's or table's ARN) are
// checked through the configuration instead: the expression must reference
// that resource. The live ARNs are checked by TestIAMLeastPrivilege and
// TestModuleCognito.
//
//	go test -tags moto -count=1 -run TestIAMPlan -v ./test/module/

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// customerKey is a customer managed KMS key's ARN; plans never call KMS.
const customerKey = "arn:aws:kms:us-east-1:123456789012:key/0f3a2c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"

// wantRole is what one function's role may grant: statement sid → actions,
// and the resources when they are known at plan time (nil: unknown, checked
// through the configuration).
type wantRole struct {
	roleName   string // "" when unknown at plan time
	statements map[string]wantStatement
}

type wantStatement struct {
	actions   []string
	resources []string
}

var (
	logsActions  = []string{"logs:CreateLogStream", "logs:PutLogEvents"}
	tableActions = []string{"dynamodb:GetItem", "dynamodb:UpdateItem"}
	kmsActions   = []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}
	xrayActions  = []string{"xray:PutTelemetryRecords", "xray:PutTraceSegments"}
)

func TestIAMPlanLeastPrivilege(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	srv, root := fx.srv, fx.root
	authorizerZip, helloZip := filepath.ToSlash(fx.zip("authorizer")), filepath.ToSlash(fx.zip("hello"))
	logs := wantStatement{actions: logsActions}
	xray := wantStatement{actions: xrayActions, resources: []string{"*"}}

	t.Run("examples_cognito", func(t *testing.T) {
		plan := planAndShow(t, srv, filepath.Join(root, "examples", "cognito"), map[string]any{
			"name":               "iam-plan",
			"region":             moto.Region,
			"architecture":       testArch,
			"authorizer_package": authorizerZip,
			"hello_package":      helloZip,
		})
		checkPlan(t, plan, map[string]wantRole{
			"iam-plan-authorizer": {statements: map[string]wantStatement{"Logs": logs, "KeyCache": {actions: tableActions}}},
			"iam-plan-hello":      {statements: map[string]wantStatement{"Logs": logs}},
		}, map[string]string{"GET /hello/{userId}": "iam-plan-hello"})
	})

	t.Run("root_tracing_kms_routes", func(t *testing.T) {
		// The root module with tracing, a customer key on the table, a second
		// function's route and an HTTP route (no permission).
		plan := planAndShow(t, srv, caller(t, `
module "jwt_authorizer" {
  source             = "{{root}}"
  name               = "iam-plan"
  architecture       = "`+testArch+`"
  authorizer_package = { path = "`+authorizerZip+`" }
  hello_package      = { path = "`+helloZip+`" }
  issuers            = { main = { issuer = "https://issuer.example.com/oauth2/default", audiences = ["api://default"] } }
  tracing_enabled    = true
  key_table          = { kms_key_arn = "`+customerKey+`" }
  routes = {
    "POST /hello/{userId}/messages" = {
      function_name = "iam-plan-inbox"
      invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:iam-plan-inbox/invocations"
      scopes        = ["messages.write"]
    }
    "GET /status" = { http_url = "https://status.example.com/" }
  }
}
`), nil)
		checkPlan(t, plan, map[string]wantRole{
			"iam-plan-authorizer": {statements: map[string]wantStatement{
				"Logs": logs, "KeyCache": {actions: tableActions}, "XRay": xray,
				"KeyCacheKMS": {actions: kmsActions, resources: []string{customerKey}},
			}},
			"iam-plan-hello": {statements: map[string]wantStatement{"Logs": logs, "XRay": xray}},
		}, map[string]string{"GET /hello/{userId}": "iam-plan-hello", "POST /hello/{userId}/messages": "iam-plan-inbox"})
	})

	// modules/authorizer on a caller's API: the API's ARN is known, so the
	// role's name is too.
	const api = `rest_api_id = "a1b2c3d4e5"
  rest_api_execution_arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5"`
	t.Run("authorizer_existing_table_customer_key", func(t *testing.T) {
		tableName, tableARN := existingTable(ctx, t, srv)
		plan := planAndShow(t, srv, caller(t, `
module "authorizer" {
  source  = "{{root}}/modules/authorizer"
  name    = "iam-plan-sa"
  `+api+`
  architecture = "`+testArch+`"
  package      = { path = "`+authorizerZip+`" }
  issuers      = { main = { issuer = "https://issuer.example.com/oauth2/default", audiences = ["api://default"] } }
  key_table    = { create = false, existing_table_name = "`+tableName+`", existing_table_kms_key_arn = "`+customerKey+`" }
}
`), nil)
		checkPlan(t, plan, map[string]wantRole{
			"iam-plan-sa": {roleName: "iam-plan-sa-" + moto.Region, statements: map[string]wantStatement{
				"Logs":        logs,
				"KeyCache":    {actions: tableActions, resources: []string{tableARN}},
				"KeyCacheKMS": {actions: kmsActions, resources: []string{customerKey}},
			}},
		}, nil)
	})

	t.Run("authorizer_memory_only_prefix", func(t *testing.T) {
		plan := planAndShow(t, srv, caller(t, `
module "authorizer" {
  source  = "{{root}}/modules/authorizer"
  name    = "iam-plan-mem"
  `+api+`
  architecture     = "`+testArch+`"
  package          = { path = "`+authorizerZip+`" }
  issuers          = { main = { issuer = "https://issuer.example.com/oauth2/default", client_ids = ["0oa1b2c3d4"] } }
  key_table        = { create = false }
  role_name_prefix = "acme-jwt-"
}
`), nil)
		checkPlan(t, plan, map[string]wantRole{
			"iam-plan-mem": {roleName: "acme-jwt-" + moto.Region, statements: map[string]wantStatement{"Logs": logs}},
		}, nil)
	})

	t.Run("api_gateway_account", func(t *testing.T) {
		// Once per account and region: a role API Gateway assumes, with AWS's
		// push-to-CloudWatch policy and nothing else.
		plan := planAndShow(t, srv, caller(t, `
module "account" {
  source    = "{{root}}/modules/api-gateway-account"
  role_name = "apigateway-cloudwatch-`+moto.Region+`"
}
`), nil)
		iamTypes := map[string]int{}
		byAddr := map[string]map[string]any{}
		for _, rc := range plan.ResourceChanges {
			byAddr[rc.Address] = rc.Change.After
			if strings.HasPrefix(rc.Type, "aws_iam_") && rc.Mode == "managed" {
				iamTypes[rc.Type]++
			}
		}
		if want := map[string]int{"aws_iam_role": 1, "aws_iam_role_policy_attachment": 1}; fmt.Sprint(iamTypes) != fmt.Sprint(want) {
			t.Errorf("IAM objects planned = %v, want %v", iamTypes, want)
		}
		role := byAddr["module.account.aws_iam_role.this"]
		checkTrustDoc(t, "account", role["assume_role_policy"], "apigateway.amazonaws.com")
		if got := str(byAddr["module.account.aws_iam_role_policy_attachment.this"]["policy_arn"]); got != "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" {
			t.Errorf("account role policy = %q, want AmazonAPIGatewayPushToCloudWatchLogs", got)
		}
		if _, ok := byAddr["module.account.aws_api_gateway_account.this"]; !ok {
			t.Error("aws_api_gateway_account not planned")
		}
	})
}

// caller writes a configuration holding body and the provider requirements
// into a temporary folder and returns the folder. {{root}} in body becomes
// the checkout's path relative to that folder: a local source, as an
// absolute path would make the module a package its own ../ sources escape.
func caller(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	root, err := tfmoto.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(dir, root)
	if err != nil {
		t.Fatal(err)
	}
	body = strings.ReplaceAll(body, "{{root}}", filepath.ToSlash(rel))
	text := `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}

provider "aws" {
  region = "` + moto.Region + `"
}
` + body
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// existingTable creates a key table on moto as a caller would have it and
// returns its name and ARN; it is deleted when the test ends.
func existingTable(ctx context.Context, t *testing.T, srv *moto.Server) (string, string) {
	t.Helper()
	cfg, err := srv.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	name := "iam-plan-" + strings.ToLower(random.UniqueId()) + "-keys"
	out, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            &name,
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: ddbtypes.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name}); err != nil {
			t.Errorf("delete table %s: %v", name, err)
		}
	})
	return name, aws.ToString(out.TableDescription.TableArn)
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
		_ = os.WriteFile(p+"-"+strings.ReplaceAll(t.Name(), "/", "-")+".json", []byte(out), 0o644)
	}
	var plan planJSON
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan JSON: %v", err)
	}
	return &plan
}

// checkPlan checks every IAM object and Lambda permission of the plan:
// roles (by function name) hold exactly the wanted statements, nothing else
// is planned in IAM, and routes (route key → function name) each have one
// permission scoped to the stage, verb and path, plus the authorizer's own.
func checkPlan(t *testing.T, plan *planJSON, roles map[string]wantRole, routes map[string]string) {
	t.Helper()
	byAddr := map[string]map[string]any{}
	iamTypes := map[string]int{}
	var roleModules, routePerms, authorizerPerms []string
	for _, rc := range plan.ResourceChanges {
		byAddr[rc.Address] = rc.Change.After
		if strings.HasPrefix(rc.Type, "aws_iam_") && rc.Mode == "managed" {
			iamTypes[rc.Type]++
		}
		switch {
		case rc.Mode == "managed" && rc.Type == "aws_iam_role":
			roleModules = append(roleModules, strings.TrimSuffix(rc.Address, "aws_iam_role.this[0]"))
		case rc.Mode == "managed" && rc.Type == "aws_lambda_permission" && rc.Name == "route":
			routePerms = append(routePerms, rc.Address)
		case rc.Mode == "managed" && rc.Type == "aws_lambda_permission":
			authorizerPerms = append(authorizerPerms, rc.Address)
		}
	}
	// One role with one inline policy per function: no managed-policy
	// attachments (AWSLambdaBasicExecutionRole grants logs:CreateLogGroup on
	// "*"), no standalone policies, no account-wide API Gateway role.
	want := map[string]int{"aws_iam_role": len(roles), "aws_iam_role_policy": len(roles)}
	if fmt.Sprint(iamTypes) != fmt.Sprint(want) {
		t.Errorf("IAM objects planned = %v, want %v", iamTypes, want)
	}
	fnModule := findModule(plan.Configuration.RootModule, "function")
	if fnModule == nil {
		t.Fatal("configuration: modules/function not found")
	}
	// The Logs statement is static in modules/function: its own log group.
	if refs := dataRefs(*fnModule, "this", "Logs"); strings.Join(refs, ",") != "aws_cloudwatch_log_group.this,aws_cloudwatch_log_group.this.arn" {
		t.Errorf("Logs: resources reference %v, want the function's own log group only", refs)
	}
	seen := map[string]bool{}
	for _, mod := range roleModules {
		fn := str(byAddr[mod+"aws_lambda_function.this"]["function_name"])
		w, ok := roles[fn]
		if !ok {
			t.Errorf("role of %s (%s) not expected", fn, mod)
			continue
		}
		seen[fn] = true
		if lg := str(byAddr[mod+"aws_cloudwatch_log_group.this"]["name"]); lg != "/aws/lambda/"+fn {
			t.Errorf("%s: log group %q", fn, lg)
		}
		role := byAddr[mod+"aws_iam_role.this[0]"]
		if w.roleName != "" && str(role["name"]) != w.roleName {
			t.Errorf("%s: role name %q, want %q", fn, role["name"], w.roleName)
		}
		checkPlannedTrust(t, fn, role)
		checkStatements(t, fn, byAddr[mod+"data.aws_iam_policy_document.this[0]"], w.statements)
	}
	for fn := range roles {
		if !seen[fn] {
			t.Errorf("no role planned for %s", fn)
		}
	}

	// The authorizer's permission: its API's authorizers only (the body's
	// authorizer id is API Gateway's, unknown to Terraform; with rest_api_id,
	// that authorizer's).
	if len(authorizerPerms) != 1 {
		t.Errorf("authorizer permissions planned %v, want 1", authorizerPerms)
	}
	authCfg := findModule(plan.Configuration.RootModule, "authorizer")
	for _, a := range authorizerPerms {
		checkPermission(t, a, byAddr[a])
		refs := resourceRefs(authCfg, "aws_lambda_permission", "this", "source_arn")
		if !slices.Contains(refs, "var.rest_api_execution_arn") || !slices.Contains(refs, "aws_api_gateway_authorizer.this[0].id") || slices.ContainsFunc(refs, func(r string) bool {
			return r != "var.rest_api_execution_arn" && !strings.HasPrefix(r, "aws_api_gateway_authorizer.this")
		}) {
			t.Errorf("%s: source_arn references %v, want the API's execution ARN and the authorizer's id when it creates one", a, refs)
		}
	}
	// One permission per (function, route), on that stage, verb and path.
	var wantPerms []string
	for route := range routes {
		wantPerms = append(wantPerms, fmt.Sprintf("module.jwt_authorizer.module.rest_api.aws_lambda_permission.route[%q]", route))
	}
	sort.Strings(wantPerms)
	sort.Strings(routePerms)
	if strings.Join(routePerms, "\n") != strings.Join(wantPerms, "\n") {
		t.Errorf("route permissions planned\n %v\nwant\n %v", routePerms, wantPerms)
	}
	if len(routePerms) > 0 {
		refs := resourceRefs(findModule(plan.Configuration.RootModule, "rest_api"), "aws_lambda_permission", "route", "source_arn")
		// The source (verb and path, or */* per function) comes from
		// local.permissions; modules/rest-api's tests (routes.tftest.hcl,
		// "tree") pin its value per route.
		for _, r := range []string{"aws_api_gateway_rest_api.this.execution_arn", "var.stage_name", "each.value.source"} {
			if !slices.Contains(refs, r) {
				t.Errorf("route permissions: source_arn references %v, want %s among them", refs, r)
			}
		}
	}
	for _, a := range routePerms {
		after := byAddr[a]
		checkPermission(t, a, after)
		route := a[strings.Index(a, "[")+2 : len(a)-2]
		if fn := str(after["function_name"]); fn != routes[route] {
			t.Errorf("%s: function %q, want %q", a, fn, routes[route])
		}
	}
}

func checkPermission(t *testing.T, addr string, after map[string]any) {
	t.Helper()
	if after["principal"] != "apigateway.amazonaws.com" || after["action"] != "lambda:InvokeFunction" {
		t.Errorf("%s: principal %v action %v, want lambda:InvokeFunction by apigateway.amazonaws.com", addr, after["principal"], after["action"])
	}
	if after["source_account"] != nil || after["principal_org_id"] != nil {
		t.Errorf("%s: %v", addr, after)
	}
}

func checkPlannedTrust(t *testing.T, fn string, role map[string]any) {
	t.Helper()
	checkTrustDoc(t, fn, role["assume_role_policy"], "lambda.amazonaws.com")
}

// checkTrustDoc checks a planned assume-role policy: sts:AssumeRole by
// service only.
func checkTrustDoc(t *testing.T, who string, doc any, service string) {
	t.Helper()
	var trust struct {
		Statement []struct {
			Effect    string
			Action    any
			Principal map[string]any
			Condition any
		}
	}
	if text, _ := doc.(string); json.Unmarshal([]byte(text), &trust) != nil || len(trust.Statement) != 1 {
		t.Errorf("%s: assume_role_policy = %v", who, doc)
		return
	}
	st := trust.Statement[0]
	if st.Effect != "Allow" || fmt.Sprint(st.Action) != "sts:AssumeRole" || len(st.Principal) != 1 || fmt.Sprint(st.Principal["Service"]) != service || st.Condition != nil {
		t.Errorf("%s: trust statement %+v, want sts:AssumeRole by Service %s only", who, st, service)
	}
}

// narrowing is the one condition a statement must carry, by sid: the key
// table's items of the configured issuers only, its customer key only
// through DynamoDB. Any other condition is an error.
var narrowing = map[string][2]string{
	"KeyCache":    {"ForAllValues:StringEquals", "dynamodb:LeadingKeys"},
	"KeyCacheKMS": {"StringEquals", "kms:ViaService"},
}

func checkConditions(t *testing.T, fn, sid string, raw any) {
	t.Helper()
	l, _ := raw.([]any)
	want, narrowed := narrowing[sid]
	switch {
	case !narrowed && len(l) != 0:
		t.Errorf("%s/%s: condition = %v", fn, sid, l)
	case narrowed && len(l) != 1:
		t.Errorf("%s/%s: conditions %v, want exactly %s on %s", fn, sid, l, want[0], want[1])
	case narrowed:
		c, _ := l[0].(map[string]any)
		if str(c["test"]) != want[0] || str(c["variable"]) != want[1] {
			t.Errorf("%s/%s: condition %v, want %s on %s", fn, sid, c, want[0], want[1])
		}
	}
}

// checkStatements compares the planned policy document's statements with
// want, sid by sid.
func checkStatements(t *testing.T, fn string, doc map[string]any, want map[string]wantStatement) {
	t.Helper()
	stmts, _ := doc["statement"].([]any)
	got := map[string]statement{}
	for _, raw := range stmts {
		m := raw.(map[string]any)
		st := statement{Sid: str(m["sid"]), Effect: str(m["effect"]), Actions: strList(m["actions"]), Resources: strList(m["resources"])}
		for _, k := range []string{"not_actions", "not_resources"} {
			if l, _ := m[k].([]any); len(l) != 0 {
				t.Errorf("%s/%s: %s = %v", fn, st.Sid, k, m[k])
			}
		}
		checkConditions(t, fn, st.Sid, m["condition"])
		if p, _ := m["principals"].([]any); len(p) != 0 {
			t.Errorf("%s/%s: principals in an identity policy", fn, st.Sid)
		}
		if st.Effect != "" && st.Effect != "Allow" {
			t.Errorf("%s/%s: effect %s", fn, st.Sid, st.Effect)
		}
		if _, dup := got[st.Sid]; dup {
			t.Errorf("%s: statement %s twice", fn, st.Sid)
		}
		got[st.Sid] = st
	}
	var sids, wantSids []string
	for sid := range got {
		sids = append(sids, sid)
	}
	for sid := range want {
		wantSids = append(wantSids, sid)
	}
	sort.Strings(sids)
	sort.Strings(wantSids)
	if strings.Join(sids, ",") != strings.Join(wantSids, ",") {
		t.Errorf("%s: statements %v, want %v", fn, sids, wantSids)
	}
	for sid, st := range got {
		w, ok := want[sid]
		if !ok {
			continue
		}
		if strings.Join(st.Actions, ",") != strings.Join(w.actions, ",") {
			t.Errorf("%s/%s: actions %v, want %v", fn, sid, st.Actions, w.actions)
		}
		switch {
		case w.resources != nil:
			if strings.Join(st.Resources, ",") != strings.Join(w.resources, ",") {
				t.Errorf("%s/%s: resources %v, want %v", fn, sid, st.Resources, w.resources)
			}
		case len(st.Resources) != 1 || st.Resources[0] == "*":
			// Unknown at plan time: one ARN, never "*".
			t.Errorf("%s/%s: resources %v, want one (known after apply)", fn, sid, st.Resources)
		}
		for _, a := range st.Actions {
			if strings.Contains(a, "*") {
				t.Errorf("%s/%s: wildcard action %s", fn, sid, a)
			}
		}
		if sid != "XRay" && slices.Contains(st.Resources, "*") {
			t.Errorf("%s/%s: resource \"*\"", fn, sid)
		}
	}
	t.Logf("%s: trust lambda.amazonaws.com; statements %v", fn, sids)
}

// findModule returns the configuration of the first module call named name
// (depth first), or nil.
func findModule(m configModule, name string) *configModule {
	for n, c := range m.ModuleCalls {
		if n == name {
			mod := c.Module
			return &mod
		}
	}
	for _, c := range m.ModuleCalls {
		if f := findModule(c.Module, name); f != nil {
			return f
		}
	}
	return nil
}

// resourceRefs returns the references of attr of resource typ.name in mod.
func resourceRefs(mod *configModule, typ, name, attr string) []string {
	if mod == nil {
		return nil
	}
	for _, r := range mod.Resources {
		if r.Mode == "managed" && r.Type == typ && r.Name == name {
			return exprRefs(r.Expressions[attr])
		}
	}
	return nil
}

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
