package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeTerraform puts a terraform on PATH that appends its first argument
// to the file $CALLS (returned), then runs script (sh).
func fakeTerraform(t *testing.T, script string) string {
	t.Helper()
	dir := t.TempDir()
	calls := filepath.Join(dir, "calls")
	body := "#!/bin/sh\nCALLS=" + calls + "\necho \"$1\" >> \"$CALLS\"\n" + script
	if err := os.WriteFile(filepath.Join(dir, "terraform"), []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return calls
}

func testTerraform(t *testing.T) *terraform {
	t.Helper()
	p := paths{root: t.TempDir()}
	if err := os.MkdirAll(p.logs(), 0o755); err != nil {
		t.Fatal(err)
	}
	tf, err := newTerraform(p, "http://127.0.0.1:9", localRun{Issuer: "http://127.0.0.1:8", Audience: "local"})
	if err != nil {
		t.Fatal(err)
	}
	return tf
}

func callsOf(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// A plan that never comes clean stops after MaxApplies applies, naming
// what still changes; it never loops on.
func TestApplyUntilCleanIsBounded(t *testing.T) {
	calls := fakeTerraform(t, `case "$1" in
plan) exit 2 ;;
show) echo '{"resource_changes":[{"address":"aws_api_gateway_integration.x","change":{"actions":["update"]}},{"address":"aws_iam_role.r","change":{"actions":["no-op"]}}]}' ;;
esac
`)
	tf := testTerraform(t)
	err := tf.applyUntilClean(context.Background())
	if !errors.Is(err, ErrNotClean) {
		t.Fatalf("applyUntilClean: %v, want ErrNotClean", err)
	}
	var se *stepError
	if !errors.As(err, &se) || se.step != "terraform apply" || se.log != tf.log() || !strings.Contains(err.Error(), "aws_api_gateway_integration.x (update)") || strings.Contains(err.Error(), "aws_iam_role.r") {
		t.Fatalf("error does not name the step, the log and what changes: %v", err)
	}
	applies := 0
	for _, c := range callsOf(t, calls) {
		if c == "apply" {
			applies++
		}
	}
	if applies != MaxApplies {
		t.Fatalf("%d applies, want %d", applies, MaxApplies)
	}
}

// The second apply makes the plan clean: two applies, no error.
func TestApplyUntilCleanSecondApply(t *testing.T) {
	// The plan is clean once two applies ran.
	calls := fakeTerraform(t, `case "$1" in
plan) [ "$(grep -c '^apply$' "$CALLS")" -ge 2 ] || exit 2 ;;
show) echo '{"resource_changes":[]}' ;;
esac
`)
	if err := testTerraform(t).applyUntilClean(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(callsOf(t, calls), " "); got != "apply plan show apply plan" {
		t.Fatalf("calls %q, want apply plan show apply plan", got)
	}
}

// An apply that hangs (moto has no UpdateIntegration: the provider retries)
// is interrupted at the bound, and the error says why and what to do.
func TestApplyHangIsBounded(t *testing.T) {
	fakeTerraform(t, `[ "$1" = apply ] && exec sleep 60
`)
	defer func(d time.Duration) { applyTimeout = d }(applyTimeout)
	applyTimeout = 500 * time.Millisecond
	start := time.Now()
	err := testTerraform(t).applyUntilClean(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "UpdateIntegration") || !strings.Contains(err.Error(), "run down, then up") {
		t.Fatalf("applyUntilClean: %v, want the bound's error naming UpdateIntegration", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("took %s: the bound did not stop the apply", d)
	}
}

// up refuses a folder with a run recorded, naming down as the way out.
func TestUpRefusesRecordedRun(t *testing.T) {
	p := paths{root: t.TempDir()}
	if err := os.MkdirAll(p.dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, pid := range map[string]int{"running": os.Getpid(), "ended without teardown": 0} {
		t.Run(name, func(t *testing.T) {
			if err := p.save(&state{Root: p.root, UpPID: pid}); err != nil {
				t.Fatal(err)
			}
			u := &up{p: p, listen: "127.0.0.1:0"}
			err := u.run(context.Background(), "local")
			var se *stepError
			if !errors.Is(err, ErrAlreadyUp) || !errors.As(err, &se) || !strings.Contains(se.rerun, " down -chdir "+p.root) {
				t.Fatalf("up: %v, want ErrAlreadyUp with down to run", err)
			}
			if u.st != nil {
				t.Fatal("up took over the recorded run")
			}
		})
	}
}
