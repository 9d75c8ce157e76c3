package rie_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

var (
	emulator  string
	bootstrap string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "rie-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if emulator, err = rie.FindOrBuild(filepath.Join(tmp, "bin")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if bootstrap, err = rie.BuildFunction("./testdata/fn", filepath.Join(tmp, "fn")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func newFunction(t *testing.T, timeout time.Duration, n int) (*rie.Function, *jwttest.Log) {
	t.Helper()
	logs := &jwttest.Log{}
	f, err := rie.New(rie.Config{
		Name: "fn-" + strings.ToLower(t.Name()), Emulator: emulator, Bootstrap: bootstrap,
		Env: map[string]string{"GREETING": "hi"}, Timeout: timeout, Log: logs,
	}, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f, logs
}

type out struct {
	Echo  any    `json:"echo"`
	Env   string `json:"env"`
	PID   int    `json:"pid"`
	Start int64  `json:"start"`
	End   int64  `json:"end"`
}

func invoke(t *testing.T, f *rie.Function, payload string) (*rie.Result, out) {
	t.Helper()
	res, err := f.Invoke(context.Background(), []byte(payload))
	if err != nil {
		t.Fatalf("invoke %s: %v", payload, err)
	}
	var o out
	if !res.Failed() {
		if err := json.Unmarshal(res.Payload, &o); err != nil {
			t.Fatalf("invoke %s: payload %q: %v", payload, res.Payload, err)
		}
	}
	return res, o
}

func TestInvokeEnvAndWarmReuse(t *testing.T) {
	f, logs := newFunction(t, 3*time.Second, 1)
	res, o := invoke(t, f, `{"echo":"a","env":"GREETING"}`)
	if res.Failed() || o.Echo != "a" || o.Env != "hi" {
		t.Fatalf("got %+v %+v", res, o)
	}
	_, o2 := invoke(t, f, `{"echo":"b","env":"AWS_LAMBDA_FUNCTION_NAME"}`)
	if o2.PID != o.PID {
		t.Errorf("second invoke ran in a new process (%d != %d): want a warm start", o2.PID, o.PID)
	}
	if o2.Env != f.Name() {
		t.Errorf("AWS_LAMBDA_FUNCTION_NAME = %q, want %q", o2.Env, f.Name())
	}
	_, o3 := invoke(t, f, `{"env":"HOME"}`)
	if o3.Env != "" {
		t.Errorf("HOME leaked into the function: %q", o3.Env)
	}
	// Invoke returns once the emulator's lines of the invocation are read.
	if s := f.Stats(); s.Invocations != 3 || s.Processes != 1 || s.ColdStarts != 1 {
		t.Errorf("stats = %+v", s)
	}
	if n := strings.Count(logs.String(), "REPORT RequestId"); n != 3 {
		t.Errorf("%d REPORT lines in Config.Log, want 3:\n%s", n, logs)
	}
	if n := strings.Count(f.Log(), "REPORT RequestId"); n != 3 {
		t.Errorf("%d REPORT lines in Function.Log, want 3", n)
	}
}

func TestInitReportedOnColdStartOnly(t *testing.T) {
	f, _ := newFunction(t, 3*time.Second, 1)
	cold, _ := invoke(t, f, `{}`)
	if cold.Init <= 0 || cold.Init > cold.Duration {
		t.Errorf("cold invocation: Init = %v (round trip %v), want the INIT REPORT duration", cold.Init, cold.Duration)
	}
	warm, _ := invoke(t, f, `{}`)
	if warm.Init != 0 {
		t.Errorf("warm invocation: Init = %v, want 0", warm.Init)
	}
}

func TestWaitLogSeesFunctionLines(t *testing.T) {
	f, _ := newFunction(t, 3*time.Second, 1)
	invoke(t, f, `{"print":"first line"}`)
	invoke(t, f, `{"print":"second line"}`)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := f.WaitLog(ctx, "second line", 1); err != nil {
		t.Fatal(err)
	}
	// Lines of one function arrive in the order it wrote them.
	if !strings.Contains(f.Log(), "first line") {
		t.Errorf("second line read before the first:\n%s", f.Log())
	}
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if err := f.WaitLog(short, "first line", 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitLog for a line never written: err = %v, want DeadlineExceeded", err)
	}
}

func TestRuntimePIDs(t *testing.T) {
	f, _ := newFunction(t, 3*time.Second, 1)
	_, o := invoke(t, f, `{}`)
	pids, err := f.RuntimePIDs()
	if err != nil {
		t.Fatal(err)
	}
	if len(pids) != 1 || pids[0] != o.PID {
		t.Errorf("RuntimePIDs = %v, want [%d] (the bootstrap's own pid)", pids, o.PID)
	}
}

func TestFunctionError(t *testing.T) {
	f, _ := newFunction(t, 3*time.Second, 1)
	res, _ := invoke(t, f, `{"error":"Unauthorized"}`)
	if res.Error == nil || res.Error.Message != "Unauthorized" || res.TimedOut {
		t.Fatalf("got %+v (payload %s), want function error Unauthorized", res, res.Payload)
	}
	// A normal payload that merely has an errorMessage field is not an error.
	res, o := invoke(t, f, `{"echo":{"errorMessage":"x"}}`)
	if res.Failed() || o.Echo == nil {
		t.Fatalf("got %+v", res)
	}
}

func TestTimeoutThenColdStart(t *testing.T) {
	f, _ := newFunction(t, time.Second, 1)
	_, before := invoke(t, f, `{}`)
	res, _ := invoke(t, f, `{"sleep":3000}`)
	if !res.TimedOut {
		t.Fatalf("got %+v (payload %q), want a timeout", res, res.Payload)
	}
	_, after := invoke(t, f, `{}`)
	if after.PID == before.PID {
		t.Errorf("runtime not re-initialised after the timeout")
	}
	if s := f.Stats(); s.Timeouts != 1 || s.ColdStarts != 2 {
		t.Errorf("stats = %+v", s)
	}
}

func TestCrash(t *testing.T) {
	f, _ := newFunction(t, 3*time.Second, 1)
	start := time.Now()
	res, _ := invoke(t, f, `{"exit":2}`)
	if res.Error == nil || res.Error.Type != "Runtime.ExitError" {
		t.Fatalf("got %+v (payload %q), want Runtime.ExitError", res, res.Payload)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("invoke took %v: the end of a crashed invocation was not recognised", took)
	}
	if res, _ := invoke(t, f, `{"echo":1}`); res.Failed() {
		t.Fatalf("invoke after crash: %+v", res)
	}
	if s := f.Stats(); s.Processes != 1 || s.ColdStarts != 2 || s.Errors != 1 {
		t.Errorf("stats = %+v: want the crash handled in the same emulator, one re-init", s)
	}
}

func TestCrashAtInit(t *testing.T) {
	logs := &jwttest.Log{}
	f, err := rie.New(rie.Config{
		Name: "fn-crash-at-init", Emulator: emulator, Bootstrap: bootstrap,
		Env: map[string]string{"EXIT_AT_INIT": "3"}, Log: logs,
	}, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	start := time.Now()
	res, _ := invoke(t, f, `{}`)
	if res.Error == nil || !strings.HasPrefix(res.Error.Type, "Runtime.") {
		t.Fatalf("got %+v (payload %q), want a Runtime.* error", res, res.Payload)
	}
	// Invoke saw the end of the failed invocation in the log rather than
	// waiting out its bound.
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("invoke took %v: the end of a failed init was not recognised\n%s", took, logs)
	}
}

func TestRestartIsColdStart(t *testing.T) {
	f, _ := newFunction(t, 3*time.Second, 1)
	_, a := invoke(t, f, `{}`)
	f.Restart()
	_, b := invoke(t, f, `{}`)
	if a.PID == b.PID {
		t.Fatal("same runtime process after Restart")
	}
	if s := f.Stats(); s.Processes != 2 {
		t.Errorf("processes = %d, want 2", s.Processes)
	}
}

func TestConcurrentInstances(t *testing.T) {
	f, _ := newFunction(t, 3*time.Second, 2)
	var calls int
	var mu sync.Mutex
	f.OnInvoke(func() { mu.Lock(); calls++; mu.Unlock() })
	var wg sync.WaitGroup
	pids := make([]int, 4)
	spans := make([][2]int64, 4)
	for i := range pids {
		wg.Go(func() {
			res, err := f.Invoke(context.Background(), []byte(`{"sleep":500}`))
			if err != nil || res.Failed() {
				t.Errorf("invoke: %v %+v", err, res)
				return
			}
			var o out
			_ = json.Unmarshal(res.Payload, &o)
			pids[i] = o.PID
			spans[i] = [2]int64{o.Start, o.End}
		})
	}
	wg.Wait()
	// Two 500 ms invocations in flight at once: the instances run in parallel
	// (a timing bound would be flaky on a loaded machine).
	overlap := false
	for i := range spans {
		for j := range spans {
			if i != j && spans[i][0] <= spans[j][0] && spans[j][0] < spans[i][1] {
				overlap = true
			}
		}
	}
	if !overlap {
		t.Errorf("no two invocations overlapped: %v", spans)
	}
	distinct := map[int]bool{}
	for _, p := range pids {
		distinct[p] = true
	}
	if len(distinct) != 2 {
		t.Errorf("pids %v: want exactly 2 instances", pids)
	}
	if calls != 4 {
		t.Errorf("hook calls = %d", calls)
	}
}

func TestFindHonoursEnv(t *testing.T) {
	t.Setenv(rie.EnvBin, filepath.Join(t.TempDir(), "nope"))
	if _, err := rie.Find(); err == nil || !strings.Contains(err.Error(), rie.EnvBin) {
		t.Fatalf("err = %v", err)
	}
}
