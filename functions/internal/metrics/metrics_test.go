package metrics_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/metrics"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/emftest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

const ns = "JWTAuthorizer/orders"

func newRecorder(t *testing.T) (*metrics.Recorder, *bytes.Buffer, *jwttest.Clock) {
	t.Helper()
	logger, buf := jsonLogger(slog.LevelInfo)
	clock := jwttest.NewClock(time.Time{})
	r := metrics.New(metrics.Options{
		Namespace: ns,
		Issuers:   []string{"okta", "cognito"},
		Logger:    logger,
		Now:       clock.Now,
	})
	return r, buf, clock
}

// jsonLogger is a JSON logger at level and the buffer it writes to.
func jsonLogger(level slog.Level) (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level})), &buf
}

func records(t *testing.T, log string) []emftest.Record {
	t.Helper()
	recs, err := emftest.Lines(log)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// Every kind of record follows the EMF specification and counts what it
// says; dimension values outside the fixed sets are written as "other".
func TestRecordsFollowEMF(t *testing.T) {
	r, own, clock := newRecorder(t)
	log, line := jsonLogger(slog.LevelWarn)
	ctx := context.Background()

	r.Emit(ctx, log, slog.LevelWarn, "deny", r.Verdict(metrics.Unauthorized, "okta", "expired"), slog.String("reason", "check exp: token expired"))
	r.Emit(ctx, log, slog.LevelWarn, "deny", r.Verdict(metrics.Unauthorized, "eve@example.com", "signature"))
	r.Emit(ctx, log, slog.LevelWarn, "deny", r.Verdict(metrics.Deny, "cognito", "no_route"))
	r.Emit(ctx, log, slog.LevelWarn, "deny", r.Verdict(metrics.Result("/users/eve"), "", "malformed"))
	r.Loaded(ctx, log, slog.LevelWarn, "keys: DynamoDB load failed", metrics.SourceTable, metrics.OutcomeFailed, slog.String("error", "boom"))
	r.Loaded(ctx, log, slog.LevelWarn, "keys: issuer fetch failed, serving the held keys", metrics.SourceIssuer, "eve", slog.String("error", "boom"))
	r.ColdStart(ctx, 12345*time.Microsecond)
	for range 3 {
		r.Allow("okta")
		r.Served(metrics.OutcomeOK)
	}
	r.Allow("cognito")
	r.Allow("mallory") // not configured: not counted
	r.Served(metrics.OutcomeStale)
	clock.Advance(metrics.FlushInterval)
	r.Tick(ctx)

	recs := records(t, line.String()+own.String())
	if len(recs) != 11 {
		t.Fatalf("%d records, want 11 (4 denies, 2 loads, cold start, 2 allows, 2 served):\n%s%s", len(recs), line.String(), own.String())
	}
	for _, c := range []struct {
		metric string
		dims   map[string]string
		want   float64
	}{
		{metrics.Verdicts, map[string]string{"Result": "unauthorized", "Issuer": "okta"}, 1},
		{metrics.Verdicts, map[string]string{"Result": "unauthorized", "Issuer": metrics.Other}, 1},
		{metrics.Verdicts, map[string]string{"Result": "deny", "Issuer": "cognito"}, 1},
		{metrics.Verdicts, map[string]string{"Result": metrics.Other, "Issuer": metrics.NoIssuer}, 1},
		{metrics.Verdicts, map[string]string{"Result": "allow", "Issuer": "okta"}, 3},
		{metrics.Verdicts, map[string]string{"Result": "allow", "Issuer": "cognito"}, 1},
		{metrics.Verdicts, map[string]string{"Result": "unauthorized"}, 2},
		{metrics.Verdicts, map[string]string{"Result": "allow"}, 4},
		{metrics.Denials, map[string]string{}, 4},
		{metrics.Denials, map[string]string{"Reason": "expired"}, 1},
		{metrics.Denials, map[string]string{"Reason": "no_route"}, 1},
		{metrics.KeyLoads, map[string]string{"Source": "table", "Outcome": "failed"}, 1},
		{metrics.KeyLoads, map[string]string{"Source": "issuer", "Outcome": metrics.Other}, 1},
		{metrics.KeyLoads, map[string]string{"Source": "memory", "Outcome": "ok"}, 3},
		{metrics.KeyLoads, map[string]string{"Source": "memory", "Outcome": "stale"}, 1},
		{metrics.ColdStartLoadMs, map[string]string{}, 12.345},
	} {
		if got := emftest.Sum(recs, ns, c.metric, c.dims); got != c.want {
			t.Errorf("%s %v = %v, want %v", c.metric, c.dims, got, c.want)
		}
	}
	// The deny line is the one already written: its own members stay.
	if !strings.Contains(line.String(), `"Denials":1,"reason":"check exp: token expired"}`) {
		t.Errorf("deny line lost its reason:\n%s", line.String())
	}
	for _, rec := range recs {
		for _, d := range rec.Directives {
			for _, m := range d.Metrics {
				want := "Count"
				if m.Name == metrics.ColdStartLoadMs {
					want = "Milliseconds"
				}
				if m.Unit != want {
					t.Errorf("%s: unit %q, want %q", m.Name, m.Unit, want)
				}
			}
		}
	}
}

// Counts kept in memory are written at most every FlushInterval, at the
// next Tick, and each count only once.
func TestTickFlushesAtMostEveryInterval(t *testing.T) {
	r, own, clock := newRecorder(t)
	ctx := context.Background()
	allows := func() float64 {
		return emftest.Sum(records(t, own.String()), ns, metrics.Verdicts, map[string]string{"Result": "allow", "Issuer": "okta"})
	}
	r.Allow("okta")
	r.Allow("okta")
	clock.Advance(metrics.FlushInterval - time.Millisecond)
	r.Tick(ctx)
	if got := allows(); got != 0 {
		t.Fatalf("flushed %v allows before the interval", got)
	}
	clock.Advance(time.Millisecond)
	r.Tick(ctx)
	r.Tick(ctx)
	if got := allows(); got != 2 {
		t.Fatalf("allows after the interval = %v, want 2", got)
	}
	r.Allow("okta")
	clock.Advance(metrics.FlushInterval / 2)
	r.Tick(ctx)
	if got := allows(); got != 2 {
		t.Fatalf("flushed again inside the interval: %v", got)
	}
	clock.Advance(metrics.FlushInterval / 2)
	r.Tick(ctx)
	if got := allows(); got != 3 {
		t.Fatalf("allows after two intervals = %v, want 3", got)
	}
	lines := strings.Count(own.String(), "\n")
	clock.Advance(metrics.FlushInterval)
	r.Tick(ctx)
	if got := strings.Count(own.String(), "\n"); got != lines {
		t.Fatalf("a flush with nothing counted wrote %d lines", got-lines)
	}
}

// A record whose line LOG_LEVEL filters out is written alone, on the
// Recorder's logger: no metric depends on the log level.
func TestEmitWhenLevelFiltered(t *testing.T) {
	r, own, _ := newRecorder(t)
	log, line := jsonLogger(slog.LevelError)
	ctx := context.Background()
	r.Emit(ctx, log, slog.LevelWarn, "deny", r.Verdict(metrics.Unauthorized, "okta", "expired"), slog.String("reason", "check exp: token expired"))
	r.Loaded(ctx, log, slog.LevelInfo, "keys: loaded from DynamoDB", metrics.SourceTable, metrics.OutcomeOK)
	if line.Len() != 0 {
		t.Fatalf("filtered line written: %s", line.String())
	}
	recs := records(t, own.String())
	if got := emftest.Sum(recs, ns, metrics.Denials, map[string]string{"Reason": "expired"}); got != 1 {
		t.Errorf("Denials = %v, want 1", got)
	}
	if got := emftest.Sum(recs, ns, metrics.KeyLoads, map[string]string{"Source": "table", "Outcome": "ok"}); got != 1 {
		t.Errorf("KeyLoads = %v, want 1", got)
	}
	if strings.Contains(own.String(), "token expired") {
		t.Errorf("the filtered line's own members were written: %s", own.String())
	}
}

// A nil Recorder records nothing and still writes the lines it is given.
func TestNilRecorder(t *testing.T) {
	var r *metrics.Recorder
	log, line := jsonLogger(slog.LevelInfo)
	ctx := context.Background()
	r.Allow("okta")
	r.Served(metrics.OutcomeOK)
	r.Tick(ctx)
	r.ColdStart(ctx, time.Second)
	r.Emit(ctx, log, slog.LevelWarn, "deny", r.Verdict(metrics.Unauthorized, "okta", "expired"))
	r.Loaded(ctx, log, slog.LevelWarn, "keys: DynamoDB load failed", metrics.SourceTable, metrics.OutcomeFailed)
	if n := strings.Count(line.String(), "\n"); n != 2 || strings.Contains(line.String(), "_aws") {
		t.Fatalf("want the two lines without EMF, got:\n%s", line.String())
	}
}
