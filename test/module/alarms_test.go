//go:build moto

package module

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// TestModuleAlarms applies examples/existing-api with an on-call topic and
// the dashboard to moto, reads the six alarms and the dashboard back through
// the CloudWatch API (metric math included: moto 5.2.1 keeps an alarm's
// Metrics), checks that a second plan is empty, destroys the stack and
// checks that no alarm or dashboard is left.
//
// go.mod holds aws-sdk-go-v2/service/cloudwatch at v1.52.8, the last release
// that speaks AWS Query: v1.53.0 moved to Smithy RPC v2 CBOR, which moto
// 5.2.1 does not serve (404).
func TestModuleAlarms(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	const topic = "arn:aws:sns:us-east-1:123456789012:oncall"
	s := fx.exampleStack(t, "existing-api", "ta", map[string]any{
		"issuer":           "https://dev-123456.okta.com/oauth2/default",
		"user_id_claim":    "uid",
		"orders_package":   fx.zip("hello"),
		"alarm_topic_arns": []string{topic},
		"dashboard":        true,
	})
	fn, ns := s.str(t, "authorizer_function_name"), s.str(t, "metrics_namespace")
	if want := "JWTAuthorizer/" + s.name + "-authorizer"; ns != want {
		t.Errorf("metrics_namespace = %q, want %q", ns, want)
	}
	names := map[string]string{}
	for k, v := range s.out["alarm_names"].(map[string]any) {
		names[k] = v.(string)
	}
	cw := cloudwatch.NewFromConfig(fx.cfg)
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(s.name)})
	if err != nil {
		t.Fatal(err)
	}
	alarms := map[string]cwtypes.MetricAlarm{}
	for _, a := range out.MetricAlarms {
		alarms[aws.ToString(a.AlarmName)] = a
	}
	if len(alarms) != 6 || len(names) != 6 {
		t.Fatalf("%d alarms in moto, %d in the output; want 6", len(alarms), len(names))
	}
	// What each alarm reads: namespace/metric{dimensions} (statistic), for a
	// plain alarm, or every metric of its math, sorted.
	want := map[string][]string{
		"errors":            {"AWS/Lambda/Errors{FunctionName=" + fn + "} Sum", ns + "/Verdicts{Result=error} Sum", ns + "/Verdicts{Result=unauthorized} Sum"},
		"throttles":         {"AWS/Lambda/Throttles{FunctionName=" + fn + "} Sum"},
		"duration_p99":      {"AWS/Lambda/Duration{FunctionName=" + fn + "} p99"},
		"api_5xx":           {"AWS/ApiGateway/5XXError{ApiName=" + s.name + ",Stage=v1} Average"},
		"deny_rate":         {ns + "/Denials{} Sum", ns + "/Verdicts{Result=allow} Sum", ns + "/Verdicts{Result=deny} Sum", ns + "/Verdicts{Result=error} Sum", ns + "/Verdicts{Result=unauthorized} Sum"},
		"key_load_failures": {ns + "/KeyLoads{Outcome=failed,Source=issuer} Sum", ns + "/KeyLoads{Outcome=stale,Source=issuer} Sum"},
	}
	for key, reads := range want {
		a, ok := alarms[names[key]]
		if !ok {
			t.Errorf("alarm %s (%s) not in moto", key, names[key])
			continue
		}
		if got := alarmReads(a); !slices.Equal(got, reads) {
			t.Errorf("alarm %s reads\n %q\nwant\n %q", key, got, reads)
		}
		if !slices.Equal(a.AlarmActions, []string{topic}) || !slices.Equal(a.OKActions, []string{topic}) {
			t.Errorf("alarm %s actions %v / ok %v, want the topic", key, a.AlarmActions, a.OKActions)
		}
		if !strings.Contains(aws.ToString(a.AlarmDescription), "docs/operations.md#") {
			t.Errorf("alarm %s does not link its runbook section: %q", key, aws.ToString(a.AlarmDescription))
		}
	}
	if rate := alarms[names["deny_rate"]]; !slices.ContainsFunc(rate.Metrics, func(q cwtypes.MetricDataQuery) bool {
		return aws.ToBool(q.ReturnData) && strings.Contains(aws.ToString(q.Expression), "100 * FILL(denials, 0) / verdicts")
	}) {
		t.Errorf("deny_rate returns no Denials/Verdicts expression: %+v", rate.Metrics)
	}

	d, err := cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(s.str(t, "dashboard_name"))})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Widgets []struct {
			Properties struct {
				Title   string
				Metrics []json.RawMessage
			}
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(d.DashboardBody)), &body); err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, w := range body.Widgets {
		titles = append(titles, w.Properties.Title)
		if len(w.Properties.Metrics) == 0 {
			t.Errorf("widget %q shows no metric", w.Properties.Title)
		}
	}
	for _, wantTitle := range []string{"Verdicts by result", "Denials by reason", "Deny rate (% of verdicts)", "Key loads by source and outcome",
		"Cold start key load (ms)", "Authorizer invocations, errors, throttles", "Authorizer duration (ms)",
		"API " + s.name + " v1: requests, 4XX, 5XX", "API " + s.name + " v1: latency (ms)"} {
		if !slices.Contains(titles, wantTitle) {
			t.Errorf("dashboard lacks %q (has %q)", wantTitle, titles)
		}
	}
	s.destroy(t)
}

// alarmReads lists what an alarm reads, sorted: its metric, or each metric
// of its metric math, as namespace/name{dims} statistic.
func alarmReads(a cwtypes.MetricAlarm) []string {
	read := func(ns, name string, dims []cwtypes.Dimension, stat string) string {
		var d []string
		for _, x := range dims {
			d = append(d, aws.ToString(x.Name)+"="+aws.ToString(x.Value))
		}
		sort.Strings(d)
		return ns + "/" + name + "{" + strings.Join(d, ",") + "} " + stat
	}
	var out []string
	if a.MetricName != nil {
		stat := string(a.Statistic)
		if a.ExtendedStatistic != nil {
			stat = aws.ToString(a.ExtendedStatistic)
		}
		out = append(out, read(aws.ToString(a.Namespace), aws.ToString(a.MetricName), a.Dimensions, stat))
	}
	for _, q := range a.Metrics {
		if q.MetricStat != nil {
			m := q.MetricStat.Metric
			out = append(out, read(aws.ToString(m.Namespace), aws.ToString(m.MetricName), m.Dimensions, aws.ToString(q.MetricStat.Stat)))
		}
	}
	sort.Strings(out)
	return out
}
