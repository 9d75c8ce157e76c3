// Package tfmoto points Terraform configurations at the embedded AWS (moto):
// it writes a provider override file into a configuration folder and builds
// Terratest options that run terraform against it with the offline provider
// mirror. Files named *_override.tf are git-ignored, so nothing it writes is
// committed.
//
//	opts := tfmoto.Options(t, "../examples/cognito", map[string]any{"name": name})
//	defer terraform.Destroy(t, opts)
//	terraform.InitAndApply(t, opts)
//
// Runs on one configuration folder are serialised across processes (a file
// lock held until the test ends), because the override file is per folder;
// the state and the .terraform data folder live in t.TempDir().
//
// Every run states its provider: where the CLI config takes hashicorp/*
// from, and when the test ends the provider version init installed and the
// source its binary was built from (Installed, LogProviders). Init runs with
// -upgrade and the folder's lock file is restored afterwards, so 5.x and 6.x
// runs can alternate on one checkout.
package tfmoto

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

// OverrideFile is the name of the file WriteOverride writes.
const OverrideFile = "moto_override.tf"

// Services are the provider endpoint keys routed to moto: every AWS service
// the module and its examples use.
var Services = []string{
	"apigateway", "cloudwatch", "cognitoidp", "dynamodb", "iam", "lambda", "logs", "sts", "xray",
}

// ErrNoRepoRoot is returned when no enclosing checkout (go.mod) is found.
var ErrNoRepoRoot = errors.New("repository root not found")

// Endpoints sends some provider endpoint keys elsewhere than moto itself,
// e.g. {"apigateway": proxy.URL} for a gateway.SnapshotProxy in front of it.
type Endpoints map[string]string

// Override returns the text of a provider "aws" override for endpoint. When
// statePath is not empty it also moves the local state there, so runs never
// touch a terraform.tfstate of the folder.
func Override(endpoint, statePath string) string {
	return OverrideVia(endpoint, nil, statePath)
}

// OverrideVia is Override with the services of via sent to their endpoint.
func OverrideVia(endpoint string, via Endpoints, statePath string) string {
	var b strings.Builder
	b.WriteString("# Routes the aws provider to moto (written by test/tfmoto, the one copy of these\n")
	b.WriteString("# settings: docs/local.md explains each). Do not commit.\n")
	if statePath != "" {
		fmt.Fprintf(&b, "terraform {\n  backend \"local\" {\n    path = %q\n  }\n}\n\n", filepath.ToSlash(statePath))
	}
	b.WriteString("provider \"aws\" {\n")
	b.WriteString("  # skip_requesting_account_id = false: moto answers sts:GetCallerIdentity,\n")
	b.WriteString("  # and without the account id execution ARNs lose their account field.\n")
	fmt.Fprintf(&b, "  region                      = %q\n", moto.Region)
	fmt.Fprintf(&b, "  access_key                  = %q\n", moto.AccessKeyID)
	fmt.Fprintf(&b, "  secret_key                  = %q\n", moto.SecretAccessKey)
	b.WriteString("  skip_credentials_validation = true\n")
	b.WriteString("  skip_metadata_api_check     = true\n")
	b.WriteString("  skip_requesting_account_id  = false\n\n")
	b.WriteString("  endpoints {\n")
	for _, s := range Services {
		ep := endpoint
		if v, ok := via[s]; ok {
			ep = v
		}
		fmt.Fprintf(&b, "    %-10s = %q\n", s, ep)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// WriteOverride writes OverrideFile into dir and returns its path.
func WriteOverride(dir, endpoint, statePath string) (string, error) {
	return WriteOverrideVia(dir, endpoint, nil, statePath)
}

// WriteOverrideVia is WriteOverride with the services of via sent to their endpoint.
func WriteOverrideVia(dir, endpoint string, via Endpoints, statePath string) (string, error) {
	p := filepath.Join(dir, OverrideFile)
	if err := os.WriteFile(p, []byte(OverrideVia(endpoint, via, statePath)), 0o644); err != nil {
		return "", fmt.Errorf("write moto override: %w", err)
	}
	return p, nil
}

// RepoRoot returns the checkout enclosing dir (the folder holding go.mod
// with the module's Makefile).
func RepoRoot(dir string) (string, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", dir, err)
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "Makefile")); err == nil {
				return d, nil
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("find repository root above %s: %w", dir, ErrNoRepoRoot)
		}
		d = parent
	}
}

// CLIConfig returns the Terraform CLI config to use: TF_CLI_CONFIG_FILE when
// it names an existing file, else build/terraform.rc of the checkout
// enclosing dir (or the working directory, for folders outside any), written
// with .ci/terraformrc when missing, as `make terraformrc` does.
func CLIConfig(dir string) (string, error) {
	if p := os.Getenv("TF_CLI_CONFIG_FILE"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	root, err := RepoRoot(dir)
	if err != nil {
		// dir may be a temporary folder: use the checkout the test runs in.
		if root, err = RepoRoot("."); err != nil {
			return "", err
		}
	}
	p := filepath.Join(root, "build", "terraform.rc")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	script := filepath.Join(root, ".ci", "terraformrc")
	if err := runScript(script, p); err != nil {
		return "", fmt.Errorf("write terraform CLI config: %w", err)
	}
	return p, nil
}

// Options starts (or reuses) the shared moto server, writes the override
// into dir with the state and the data folder in a temporary folder, and
// returns Terratest options for dir with vars. Init runs with -upgrade and
// the folder's lock file is restored when the test ends, so runs against
// different provider versions never trip over each other's lock; the test
// logs where the providers come from and, when it ends, the provider version
// (and build) init installed. The environment also names
// moto for any AWS SDK a provisioner or data source might start. The
// override is removed when the test ends, after deferred destroys. The shared
// server (moto.Start) outlives the test binary unless TestMain calls
// moto.StopShared; OptionsFor takes a server you stop yourself.
func Options(t testing.TB, dir string, vars map[string]any) *terraform.Options {
	t.Helper()
	return OptionsFor(t, moto.Start(t), dir, vars)
}

// OptionsFor is Options with a given moto server.
func OptionsFor(t testing.TB, srv *moto.Server, dir string, vars map[string]any) *terraform.Options {
	t.Helper()
	return OptionsVia(t, srv, dir, vars, nil)
}

// OptionsVia is OptionsFor with the provider's endpoints for the services
// of via (keys of Services) pointing elsewhere, e.g. apigateway at a
// gateway.SnapshotProxy of the test's own. Without one, apigateway goes
// through a SnapshotProxy started here (closed when the test ends): moto
// cannot import the OpenAPI body modules/rest-api puts, the proxy applies it.
func OptionsVia(t testing.TB, srv *moto.Server, dir string, vars map[string]any, via Endpoints) *terraform.Options {
	t.Helper()
	for k := range via {
		if !slices.Contains(Services, k) {
			t.Fatalf("tfmoto: endpoint %q is not one of %v", k, Services)
		}
	}
	via = snapshotted(t, srv, via)
	lockDir(t, dir) // registered first, so released after the override is removed
	keepLockFile(t, dir)
	tmp := t.TempDir()
	state := filepath.Join(tmp, "terraform.tfstate")
	p, err := WriteOverrideVia(dir, srv.Endpoint, via, state)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove(p) })
	rc, err := CLIConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(tmp, "data") // the folder's own .terraform stays untouched
	t.Logf("tfmoto: %s: providers from %s", dir, providerSource(rc))
	t.Cleanup(func() { LogProviders(t, data) }) // runs after deferred destroys, before the removals above
	env := map[string]string{
		"TF_CLI_CONFIG_FILE": rc,
		"TF_IN_AUTOMATION":   "1",
		"TF_DATA_DIR":        data,
	}
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return &terraform.Options{
		TerraformDir: dir,
		Vars:         vars,
		EnvVars:      env,
		NoColor:      true,
		Reconfigure:  true, // the state location changes every run
		Upgrade:      true, // select from what is installable now, whatever an old lock file says
	}
}

// snapshotted returns via with apigateway sent to a new gateway.SnapshotProxy
// in front of srv, unless via already sends it elsewhere.
func snapshotted(t testing.TB, srv *moto.Server, via Endpoints) Endpoints {
	t.Helper()
	if _, ok := via["apigateway"]; ok {
		return via
	}
	cfg, err := srv.Config(context.Background())
	if err != nil {
		t.Fatalf("tfmoto: moto config: %v", err)
	}
	p, err := gateway.StartSnapshotProxy(cfg, srv.Endpoint, nil)
	if err != nil {
		t.Fatalf("tfmoto: %v", err)
	}
	t.Cleanup(p.Close) // registered first: closed after the destroys
	out := Endpoints{"apigateway": p.URL}
	maps.Copy(out, via)
	return out
}
