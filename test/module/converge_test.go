//go:build moto

package module

import (
	"testing"
	"time"

	"github.com/gruntwork-io/terratest/modules/terraform"
)

// applyConverged runs init and apply, a second apply and a plan that must
// be empty. moto 5.2.1 drops identity_validation_expression from
// CreateAuthorizer (it keeps it on UpdateAuthorizer), so the first apply
// always leaves a one-attribute diff on aws_api_gateway_authorizer; the
// second apply converges. The module is not changed to suit moto.
func applyConverged(t *testing.T, opts *terraform.Options) {
	t.Helper()
	start := time.Now()
	terraform.InitAndApply(t, opts)
	t.Logf("timing: init+apply %s", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	terraform.Apply(t, opts)
	t.Logf("timing: second apply %s", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	code := terraform.PlanExitCode(t, opts)
	t.Logf("timing: plan %s", time.Since(start).Round(time.Millisecond))
	if code != 0 {
		t.Errorf("plan after apply exit code = %d, want 0 (no changes)", code)
	}
}
