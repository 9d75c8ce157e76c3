//go:build moto

package module

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gruntwork-io/terratest/modules/random"
	"github.com/gruntwork-io/terratest/modules/terraform"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// oneIssuerCommit is the last commit of the module's one-issuer form (root
// variables issuer, jwks_url, audiences, allowed_routes; authorizer_package a
// string), "Functions, key cache, Terraform module, local gateway, bench:
// first drafts". The next commit brought the issuers and routes maps.
const oneIssuerCommit = "4945ebe2cb042af34f9fff8887b039f75d3f2b06"

// upgradeKept maps each address of the current root whose AWS object keeps
// its name across the upgrade to its address in oneIssuerCommit's state
// (equal when it did not move). The upgrade plan may update these in place,
// never delete them: a delete with a create of the same name races
// ("ResourceConflictException: ... already exists").
var upgradeKept = map[string]string{
	"module.authorizer.module.function.aws_lambda_function.this":      "module.authorizer.aws_lambda_function.this",
	"module.authorizer.module.function.aws_cloudwatch_log_group.this": "module.authorizer.aws_cloudwatch_log_group.this",
	"module.hello[0].aws_lambda_function.this":                        "module.hello.aws_lambda_function.this",
	"module.hello[0].aws_cloudwatch_log_group.this":                   "module.hello.aws_cloudwatch_log_group.this",
	"module.rest_api.aws_api_gateway_rest_api.this":                   "module.rest_api.aws_api_gateway_rest_api.this",
	"module.rest_api.aws_api_gateway_stage.this":                      "module.rest_api.aws_api_gateway_stage.this",
}

// upgradeReplaced are the addresses the upgrade may replace: their AWS name
// changes (roles hold the region, the key table is NAME-authorizer-keys, the
// hello permission's statement id is per route and stage), or, for the
// deployment, a new one is the point. Each is created before the old one is
// deleted, under a different name, so nothing races. The authorizer's
// permission keeps its statement id and is replaced in place (its source is
// now any authorizer of the API: the body's id is API Gateway's): deleted,
// then created.
var upgradeReplaced = []string{
	"module.authorizer.aws_lambda_permission.this",
	"module.authorizer.module.function.aws_iam_role.this[0]",
	"module.authorizer.module.function.aws_iam_role_policy.this[0]",
	"module.authorizer.module.key_table[0].aws_dynamodb_table.this",
	"module.hello[0].aws_iam_role.this[0]",
	"module.hello[0].aws_iam_role_policy.this[0]",
	"module.rest_api.aws_api_gateway_deployment.this",
	`module.rest_api.aws_lambda_permission.route["GET /hello/{userId}"]`,
}

// upgradeDeleted are the old addresses of what the API's OpenAPI body now
// holds: the upgrade deletes them, and only after the stage serves the
// body's deployment (they were create_before_destroy, which the state
// keeps), when no method of the body references the old authorizer.
var upgradeDeleted = []string{
	"module.rest_api.aws_api_gateway_authorizer.this",
	"module.rest_api.aws_api_gateway_resource.hello",
	"module.rest_api.aws_api_gateway_resource.user_id",
	"module.rest_api.aws_api_gateway_method.get_hello",
	"module.rest_api.aws_api_gateway_integration.get_hello",
}

// TestModuleUpgradeFromOneIssuer applies the root of oneIssuerCommit to moto
// with one issuer, then plans the current root on the same state with the
// same issuer as issuers = { default = … }: the moved blocks (moved.tf) keep
// every resource that keeps its name (updated in place at most), and only the
// resources of upgradeReplaced are replaced. The saved plan is applied, the
// next plan changes no resource (only the authorizer_id output, read while
// the old authorizer still existed), the one after it nothing, and the
// destroy leaves nothing.
func TestModuleUpgradeFromOneIssuer(t *testing.T) {
	fx := newFixture(t)
	oldDir := t.TempDir()
	oldRoot(t, fx.root, oldDir)
	newDir := t.TempDir()
	copyRoot(t, fx.root, newDir)

	name := "up-" + strings.ToLower(random.UniqueId())
	const issuer = "https://issuer.example.com"
	jwks := fx.srv.Endpoint + "/jwks.json"
	oldOpts := tfmoto.OptionsFor(t, fx.srv, oldDir, map[string]any{
		"name":               name,
		"issuer":             issuer,
		"jwks_url":           jwks,
		"audiences":          []string{"api"},
		"architecture":       testArch,
		"authorizer_package": fx.zip("authorizer"),
		"hello_package":      fx.zip("hello"),
	})
	newOpts := tfmoto.OptionsFor(t, fx.srv, newDir, map[string]any{
		"name": name,
		"issuers": map[string]any{"default": map[string]any{
			"issuer":    issuer,
			"jwks_url":  jwks,
			"audiences": []string{"api"},
		}},
		"architecture":       testArch,
		"authorizer_package": map[string]any{"path": fx.zip("authorizer")},
		"hello_package":      map[string]any{"path": fx.zip("hello")},
	})
	// Whichever configuration holds the state when the test ends destroys it.
	s := &stack{cfg: fx.cfg, name: name, opts: oldOpts}
	t.Cleanup(func() {
		if !s.destroyed {
			terraform.Destroy(t, s.opts)
		}
	})

	start := time.Now()
	terraform.InitAndApply(t, oldOpts)
	t.Logf("timing: %s init+apply %s", oneIssuerCommit[:7], time.Since(start).Round(time.Millisecond))

	// The current root takes over the state.
	b, err := os.ReadFile(statePath(t, oldOpts))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(statePath(t, newOpts), b, 0o644); err != nil {
		t.Fatal(err)
	}
	s.opts = newOpts

	planOpts := *newOpts
	planOpts.PlanFilePath = filepath.Join(t.TempDir(), "upgrade.tfplan")
	start = time.Now()
	plan := terraform.InitAndPlanAndShowWithStruct(t, &planOpts)
	t.Logf("timing: upgrade init+plan %s", time.Since(start).Round(time.Millisecond))
	checkUpgradePlan(t, plan)
	if t.Failed() {
		return
	}

	start = time.Now()
	terraform.Apply(t, &planOpts) // the saved plan, as checked
	t.Logf("timing: upgrade apply %s", time.Since(start).Round(time.Millisecond))
	// The next plan changes no resource. The authorizer_id output may be
	// new: the upgrade read it while the old authorizer still existed.
	nextOpts := *newOpts
	nextOpts.PlanFilePath = filepath.Join(t.TempDir(), "next.tfplan")
	start = time.Now()
	next := terraform.InitAndPlanAndShowWithStruct(t, &nextOpts)
	t.Logf("timing: plan %s", time.Since(start).Round(time.Millisecond))
	for addr, rc := range next.ResourceChangesMap {
		if !rc.Change.Actions.NoOp() && !rc.Change.Actions.Read() {
			t.Errorf("plan after the upgrade: %s: actions %v, want none", addr, rc.Change.Actions)
		}
	}
	for name, oc := range next.RawPlan.OutputChanges {
		if !oc.Actions.NoOp() && name != "authorizer_id" {
			t.Errorf("plan after the upgrade: output %s: actions %v, want none", name, oc.Actions)
		}
	}
	terraform.Apply(t, newOpts)
	if code := terraform.PlanExitCode(t, newOpts); code != 0 {
		t.Errorf("plan after the upgrade and one more apply: exit code %d, want 0 (no changes)", code)
	}
	s.destroy(t)
}

// checkUpgradePlan checks the upgrade plan against upgradeKept and
// upgradeReplaced: a kept resource comes from its old address and is never
// deleted; any other delete is one of upgradeReplaced.
func checkUpgradePlan(t *testing.T, plan *terraform.PlanStruct) {
	t.Helper()
	for addr, from := range upgradeKept {
		rc, ok := plan.ResourceChangesMap[addr]
		if !ok {
			t.Errorf("%s: not in the upgrade plan", addr)
			continue
		}
		prev := rc.PreviousAddress
		if prev == "" {
			prev = addr
		}
		if prev != from {
			t.Errorf("%s: comes from %q, want %q (a moved block)", addr, prev, from)
		}
		if rc.Change.Actions.Delete() || rc.Change.Actions.Replace() || rc.Change.Actions.Create() {
			t.Errorf("%s (was %s): actions %v, want no-op or update: it keeps its name", addr, from, rc.Change.Actions)
		}
	}
	for _, addr := range upgradeDeleted {
		rc, ok := plan.ResourceChangesMap[addr]
		if !ok {
			t.Errorf("%s: not in the upgrade plan, want deleted", addr)
			continue
		}
		if !rc.Change.Actions.Delete() {
			t.Errorf("%s: actions %v, want delete (the API's body holds it now)", addr, rc.Change.Actions)
		}
	}
	var deleted []string
	for addr, rc := range plan.ResourceChangesMap {
		if !slices.Contains(rc.Change.Actions, tfjson.ActionDelete) {
			continue
		}
		deleted = append(deleted, addr)
		if _, kept := upgradeKept[addr]; kept {
			continue // reported above
		}
		if !slices.Contains(upgradeReplaced, addr) && !slices.Contains(upgradeDeleted, addr) {
			t.Errorf("%s: actions %v: deleted by the upgrade, and neither kept nor expected to be replaced", addr, rc.Change.Actions)
		}
	}
	sort.Strings(deleted)
	t.Logf("upgrade plan: deleted or replaced %v", deleted)
}

// statePath is the local state file tfmoto.OptionsFor set up for opts (next
// to its data folder).
func statePath(t *testing.T, opts *terraform.Options) string {
	t.Helper()
	data := opts.EnvVars["TF_DATA_DIR"]
	if data == "" {
		t.Fatal("tfmoto options without TF_DATA_DIR")
	}
	return filepath.Join(filepath.Dir(data), "terraform.tfstate")
}

// oldRoot extracts the root and submodules of oneIssuerCommit into dir. A
// checkout without that commit (a shallow clone) skips the test.
func oldRoot(t *testing.T, root, dir string) {
	t.Helper()
	if err := exec.Command("git", "-C", root, "cat-file", "-e", oneIssuerCommit+"^{commit}").Run(); err != nil {
		t.Skipf("commit %s is not in this checkout (shallow clone?): %v", oneIssuerCommit[:7], err)
	}
	var out, errb bytes.Buffer
	archive := exec.Command("git", "-C", root, "archive", oneIssuerCommit, "main.tf", "variables.tf", "outputs.tf", "versions.tf", "modules")
	archive.Stdout, archive.Stderr = &out, &errb
	if err := archive.Run(); err != nil {
		t.Fatalf("git archive %s: %v\n%s", oneIssuerCommit[:7], err, errb.String())
	}
	tar := exec.Command("tar", "-x", "-C", dir)
	tar.Stdin = &out
	if b, err := tar.CombinedOutput(); err != nil {
		t.Fatalf("extract %s: %v\n%s", oneIssuerCommit[:7], err, b)
	}
}

// copyRoot copies the current root's and submodules' .tf files into dir
// (not *_override.tf, not the submodules' tests/ or .terraform/), so the
// test never writes into the checkout's root.
func copyRoot(t *testing.T, root, dir string) {
	t.Helper()
	keep := func(rel string) bool {
		return strings.HasSuffix(rel, ".tf") && !strings.HasSuffix(rel, "_override.tf")
	}
	files, err := filepath.Glob(filepath.Join(root, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(filepath.Join(root, "modules"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "tests" || d.Name() == ".terraform") {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range files {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		if !keep(rel) {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
