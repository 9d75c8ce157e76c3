package authorizer

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/metrics"
)

// Every sentinel of the table is reached under its own name when wrapped as
// the packages wrap it (no earlier entry shadows it), names are unique
// snake_case, and an unknown error is "other".
func TestDenialReasonNames(t *testing.T) {
	seen := map[string]bool{}
	name := regexp.MustCompile(`^[a-z][a-z_]{1,31}$`)
	for _, r := range denialReasons {
		if !name.MatchString(r.name) || seen[r.name] {
			t.Errorf("reason name %q: not snake_case or used twice", r.name)
		}
		seen[r.name] = true
		got, result := reasonOf(fmt.Errorf("verb noun: %w", r.err))
		if got != r.name {
			t.Errorf("%v is named %q, want %q", r.err, got, r.name)
		}
		if want := map[bool]metrics.Result{true: metrics.Error, false: metrics.Unauthorized}[r.fault]; result != want {
			t.Errorf("%s: result %s, want %s", r.name, result, want)
		}
	}
	if got, result := reasonOf(fmt.Errorf("something new")); got != metrics.Other || result != metrics.Unauthorized {
		t.Errorf("unknown error: %s, %s", got, result)
	}
}
