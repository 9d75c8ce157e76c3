package emftest

import (
	"fmt"
	"testing"
)

// Tally sums records written in pieces, prefixed, from several writers, by
// the dimension set each metric is summarized on.
func TestTally(t *testing.T) {
	deny := func(result, issuer, reason string) string {
		return fmt.Sprintf(`[authz#1] {"msg":"deny","_aws":{"Timestamp":1800000000000,"CloudWatchMetrics":[`+
			`{"Namespace":"N","Dimensions":[["Result","Issuer"],["Result"]],"Metrics":[{"Name":"Verdicts","Unit":"Count"}]},`+
			`{"Namespace":"N","Dimensions":[["Reason"],[]],"Metrics":[{"Name":"Denials","Unit":"Count"}]}]},`+
			`"Result":%q,"Issuer":%q,"Reason":%q,"Verdicts":1,"Denials":1}`+"\n", result, issuer, reason)
	}
	allows := `[authz#2] {"msg":"metrics: allows","_aws":{"Timestamp":1800000000000,"CloudWatchMetrics":[` +
		`{"Namespace":"N","Dimensions":[["Result","Issuer"],["Result"]],"Metrics":[{"Name":"Verdicts","Unit":"Count"}]}]},` +
		`"Result":"allow","Issuer":"okta","Verdicts":3}` + "\n"
	load := `{"msg":"keys: fetched","_aws":{"Timestamp":1800000000000,"CloudWatchMetrics":[` +
		`{"Namespace":"N","Dimensions":[["Source","Outcome"]],"Metrics":[{"Name":"KeyLoads","Unit":"Count"}]}]},` +
		`"Source":"issuer","Outcome":"ok","KeyLoads":1}` + "\n"
	var tl Tally
	two := deny("unauthorized", "okta", "expired")
	for _, w := range []string{deny("unauthorized", "none", "missing"), two[:40], two[40:], allows, load,
		"[authz#1] REPORT RequestId: 1\n", `{"_aws":{"Timestamp":1}}` + "\n"} {
		if _, err := tl.Write([]byte(w)); err != nil {
			t.Fatal(err)
		}
	}
	want := "metrics: verdicts allow=3 unauthorized=2; denials expired=1 missing=1; key loads issuer/ok=1; 1 invalid EMF records"
	if got := tl.Summary(); got != want {
		t.Fatalf("summary\n got %s\nwant %s", got, want)
	}
}
