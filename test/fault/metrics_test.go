package fault

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/emftest"
)

// namespace is the authorizer's METRICS_NAMESPACE in every scenario.
const namespace = "JWTAuthorizer/fault"

// issuerName is the one-issuer form's entry (config.DefaultIssuerName): the
// Issuer dimension of these scenarios.
const issuerName = "default"

// rieLinePrefix is what test/rie puts before each line of the function.
var rieLinePrefix = regexp.MustCompile(`(?m)^\[[^\]]*\] `)

// want is one metric sum a scenario expects.
type want struct {
	metric string
	dims   map[string]string
	n      float64
}

func keyLoads(source, outcome string, n float64) want {
	return want{"KeyLoads", map[string]string{"Source": source, "Outcome": outcome}, n}
}

func verdicts(result, issuer string, n float64) want {
	return want{"Verdicts", map[string]string{"Result": result, "Issuer": issuer}, n}
}

func denials(reason string, n float64) want {
	return want{"Denials", map[string]string{"Reason": reason}, n}
}

// checkMetrics reads the EMF records the function wrote so far (each
// checked against the specification's rules), fails t for every sum that
// differs from its want, and returns the sums for the fault table. Callers
// first wait for the line that follows the records they count.
func (a *authz) checkMetrics(t *testing.T, wants ...want) string {
	t.Helper()
	recs, err := emftest.Lines(rieLinePrefix.ReplaceAllString(a.fn.Log(), ""))
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, w := range wants {
		got := emftest.Sum(recs, namespace, w.metric, w.dims)
		if got != w.n {
			t.Errorf("%s %v = %v, want %v", w.metric, w.dims, got, w.n)
		}
		var d []string
		for k, v := range w.dims {
			d = append(d, k+"="+v)
		}
		sort.Strings(d)
		seen = append(seen, fmt.Sprintf("%s{%s}=%v", w.metric, strings.Join(d, ","), got))
	}
	return "metrics " + strings.Join(seen, " ")
}
