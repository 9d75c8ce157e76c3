package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// MaxApplies bounds the applies up runs until the plan is clean: moto 5.2.1
// drops an authorizer's identity_validation_expression on create (the
// SnapshotProxy puts it back; without it a second apply sets it by update),
// and other gaps of moto may show the same way.
const MaxApplies = 3

// Bounds on each terraform command, so no local step hangs: moto has no
// UpdateIntegration, and the provider retries a changed integration for
// minutes before it gives up.
var (
	initTimeout  = 5 * time.Minute
	applyTimeout = 8 * time.Minute
	planTimeout  = 3 * time.Minute
)

// ErrNotClean is returned when the plan still has changes after MaxApplies.
var ErrNotClean = errors.New("plan not clean")

// localRun is the value of TF_VAR_local_run, the one variable a consumer's
// configuration reads to run locally (docs/local.md). Terraform ignores it
// where no variable "local_run" is declared.
type localRun struct {
	Issuer       string `json:"issuer"`        // the loopback issuer's URL (iss)
	Audience     string `json:"audience"`      // the aud its tokens carry
	Architecture string `json:"architecture"`  // this machine's Lambda architecture
	Packages     string `json:"packages"`      // folder with authorizer.zip and hello.zip for it
	MotoEndpoint string `json:"moto_endpoint"` // moto, as AWS (examples/cognito's JWKS URL: moto serves a pool's keys)
}

// Override is the text of the provider override up writes: moto's endpoints
// and credentials (tfmoto.OverrideVia, the one copy of that block), API
// Gateway's through apigateway (the SnapshotProxy; "" for moto itself), and
// a local backend under .local/, so a consumer's own state is never touched.
func Override(endpoint, apigateway, statePath string) string {
	var via tfmoto.Endpoints
	if apigateway != "" {
		via = tfmoto.Endpoints{"apigateway": apigateway}
	}
	return "# cmd/local up wrote this file; down removes it (*_override.tf belongs in .gitignore).\n" +
		tfmoto.OverrideVia(endpoint, via, statePath)
}

// terraform runs the terraform CLI on a consumer's configuration, against moto.
type terraform struct {
	p   paths
	env []string
}

func newTerraform(p paths, motoEndpoint string, lr localRun) (*terraform, error) {
	v, err := json.Marshal(lr)
	if err != nil {
		return nil, err
	}
	env := append((&moto.Server{Endpoint: motoEndpoint}).Env(),
		"TF_DATA_DIR="+p.data(), "TF_IN_AUTOMATION=1", "TF_INPUT=0", "TF_VAR_local_run="+string(v))
	return &terraform{p: p, env: env}, nil
}

func (t *terraform) log() string { return t.p.log("terraform") }

func (t *terraform) run(ctx context.Context, timeout time.Duration, args ...string) error {
	return run(ctx, timeout, t.p.root, t.env, t.log(), "terraform", args...)
}

// fail wraps a terraform step's error with the log and the command to rerun.
func (t *terraform) fail(step string, err error, args ...string) error {
	return &stepError{step: step, log: t.log(), err: err,
		rerun: fmt.Sprintf("%s up -chdir %s   (the failing command: terraform %s, its environment in %s)",
			self(), t.p.root, strings.Join(args, " "), t.p.log("terraform-env"))}
}

// writeEnv records the environment of the terraform commands, for a rerun by hand.
func (t *terraform) writeEnv() error {
	var b strings.Builder
	for _, kv := range t.env {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "export %s='%s'\n", k, strings.ReplaceAll(v, "'", `'\''`))
	}
	return os.WriteFile(t.p.log("terraform-env"), []byte(b.String()), 0o600)
}

func (t *terraform) init(ctx context.Context) error {
	args := []string{"init", "-input=false", "-reconfigure", "-no-color"}
	if err := t.run(ctx, initTimeout, args...); err != nil {
		return t.fail("terraform init", err, args...)
	}
	return nil
}

// applyUntilClean applies until a plan shows no change, at most MaxApplies times.
func (t *terraform) applyUntilClean(ctx context.Context) error {
	apply := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	planFile := filepath.Join(t.p.dir(), "check.tfplan")
	plan := []string{"plan", "-detailed-exitcode", "-input=false", "-no-color", "-out", planFile}
	for i := 1; i <= MaxApplies; i++ {
		say("      terraform apply (%d of at most %d)", i, MaxApplies)
		if err := t.run(ctx, applyTimeout, apply...); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("%w; moto 5.2.1 has no UpdateIntegration, and the provider retries a changed integration until it gives up: run down, then up, to create it afresh", err)
			}
			return t.fail("terraform apply", err, apply...)
		}
		err := t.run(ctx, planTimeout, plan...)
		var exit *exec.ExitError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &exit) && exit.ExitCode() == 2:
			changes, _ := t.planChanges(ctx, planFile)
			say("      the plan is not clean after apply %d (%s): moto did not keep all that was applied (docs/local.md); applying again", i, strings.Join(changes, ", "))
		default:
			return t.fail("terraform plan", err, plan...)
		}
	}
	changes, _ := t.planChanges(ctx, planFile)
	return t.fail("terraform apply", fmt.Errorf("%w after %d applies: %s still change (a gap of moto: see docs/local.md)", ErrNotClean, MaxApplies, strings.Join(changes, ", ")), apply...)
}

// planChanges lists the addresses a saved plan changes.
func (t *terraform) planChanges(ctx context.Context, planFile string) ([]string, error) {
	var p struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := t.showJSON(ctx, &p, planFile); err != nil {
		return nil, err
	}
	var out []string
	for _, rc := range p.ResourceChanges {
		if len(rc.Change.Actions) != 1 || rc.Change.Actions[0] != "no-op" {
			out = append(out, rc.Address+" ("+strings.Join(rc.Change.Actions, "+")+")")
		}
	}
	return out, nil
}

// showJSON decodes `terraform show -json [file]` into v.
func (t *terraform) showJSON(ctx context.Context, v any, file ...string) error {
	ctx, cancel := context.WithTimeout(ctx, planTimeout)
	defer cancel()
	var out, errb bytes.Buffer
	c := exec.CommandContext(ctx, "terraform", append([]string{"show", "-json", "-no-color"}, file...)...)
	c.Dir, c.Env, c.Stdout, c.Stderr = t.p.root, append(os.Environ(), t.env...), &out, &errb
	if err := c.Run(); err != nil {
		return fmt.Errorf("terraform show: %w: %s", err, strings.TrimSpace(errb.String()))
	}
	return json.Unmarshal(out.Bytes(), v)
}

// deployed is what up serves from a consumer's state: each REST API stage,
// and the local zip of each Lambda function deployed from a file.
type deployed struct {
	stages []stage
	zips   map[string]string // function name → zip path
}

type stage struct{ restAPIID, name string }

type tfModule struct {
	Resources []struct {
		Type   string         `json:"type"`
		Values map[string]any `json:"values"`
	} `json:"resources"`
	ChildModules []tfModule `json:"child_modules"`
}

// readState lists the stages and function packages in the state.
func (t *terraform) readState(ctx context.Context) (*deployed, error) {
	var s struct {
		Values struct {
			RootModule tfModule `json:"root_module"`
		} `json:"values"`
	}
	if err := t.showJSON(ctx, &s); err != nil {
		return nil, err
	}
	d := &deployed{zips: map[string]string{}}
	var walk func(m tfModule)
	walk = func(m tfModule) {
		for _, r := range m.Resources {
			str := func(k string) string { v, _ := r.Values[k].(string); return v }
			switch r.Type {
			case "aws_api_gateway_stage":
				d.stages = append(d.stages, stage{restAPIID: str("rest_api_id"), name: str("stage_name")})
			case "aws_lambda_function":
				if f := str("filename"); f != "" {
					if !filepath.IsAbs(f) {
						f = filepath.Join(t.p.root, f)
					}
					d.zips[str("function_name")] = f
				}
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(s.Values.RootModule)
	return d, nil
}

// destroy destroys what the state holds.
func (t *terraform) destroy(ctx context.Context) error {
	args := []string{"destroy", "-auto-approve", "-input=false", "-no-color"}
	if err := t.run(ctx, applyTimeout, args...); err != nil {
		return t.fail("terraform destroy", err, args...)
	}
	return nil
}
