package emftest

import (
	"fmt"
	"strings"
	"testing"
)

// Parse refuses each rule of the specification it checks.
func TestParseRejects(t *testing.T) {
	directive := func(s string) string {
		return `{"_aws":{"Timestamp":1800000000000,"CloudWatchMetrics":[` + s + `]},"Result":"allow","Verdicts":1}`
	}
	ok := `{"Namespace":"N","Dimensions":[["Result"]],"Metrics":[{"Name":"Verdicts","Unit":"Count"}]}`
	many := make([]string, MaxDimensions+1)
	for i := range many {
		many[i] = fmt.Sprintf("%q", "Result")
	}
	for name, line := range map[string]string{
		"no timestamp":          `{"_aws":{"CloudWatchMetrics":[` + ok + `]},"Result":"allow","Verdicts":1}`,
		"timestamp not integer": `{"_aws":{"Timestamp":"now","CloudWatchMetrics":[` + ok + `]},"Result":"allow","Verdicts":1}`,
		"no directives":         `{"_aws":{"Timestamp":1800000000000,"CloudWatchMetrics":[]},"Verdicts":1}`,
		"no namespace":          directive(`{"Dimensions":[["Result"]],"Metrics":[{"Name":"Verdicts"}]}`),
		"AWS namespace":         directive(`{"Namespace":"AWS/Lambda","Dimensions":[["Result"]],"Metrics":[{"Name":"Verdicts"}]}`),
		"no dimensions":         directive(`{"Namespace":"N","Metrics":[{"Name":"Verdicts"}]}`),
		"31 dimensions":         directive(`{"Namespace":"N","Dimensions":[[` + strings.Join(many, ",") + `]],"Metrics":[{"Name":"Verdicts"}]}`),
		"dimension not member":  directive(`{"Namespace":"N","Dimensions":[["Issuer"]],"Metrics":[{"Name":"Verdicts"}]}`),
		"metric not member":     directive(`{"Namespace":"N","Dimensions":[["Result"]],"Metrics":[{"Name":"Denials"}]}`),
		"metric not number":     directive(`{"Namespace":"N","Dimensions":[["Result"]],"Metrics":[{"Name":"Result"}]}`),
		"unknown unit":          directive(`{"Namespace":"N","Dimensions":[["Result"]],"Metrics":[{"Name":"Verdicts","Unit":"Requests"}]}`),
		"no metrics":            directive(`{"Namespace":"N","Dimensions":[["Result"]],"Metrics":[]}`),
	} {
		if _, err := Parse([]byte(line)); err == nil {
			t.Errorf("%s: accepted %s", name, line)
		}
	}
	rec, err := Parse([]byte(directive(ok)))
	if err != nil || rec == nil {
		t.Fatalf("valid record: %v", err)
	}
	if got := Sum([]Record{*rec}, "N", "Verdicts", map[string]string{"Result": "allow"}); got != 1 {
		t.Errorf("Sum = %v, want 1", got)
	}
	if rec, err := Parse([]byte(`{"msg":"deny"}`)); rec != nil || err != nil {
		t.Errorf("a line without _aws is not a record: %v %v", rec, err)
	}
}
