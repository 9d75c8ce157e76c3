// Package rie runs Lambda function packages locally under the AWS Lambda
// Runtime Interface Emulator (aws-lambda-rie): one emulator process per
// function instance, each with its own loopback ports, invoked over the
// emulator's HTTP API.
//
// The emulator answers every invocation with HTTP 200 unless the runtime
// process crashed, and it drops the Lambda-Runtime-Function-Error-Type
// header, so this package classifies results from the body: a timeout is the
// plain text "Task timed out after N.00 seconds"; a function error is the
// runtime's JSON error object {"errorMessage": …, "errorType": …}.
package rie

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// EnvBin names the environment variable that points at the emulator binary.
const EnvBin = "RIE_BIN"

// BinaryName is the emulator's executable name on PATH.
const BinaryName = "aws-lambda-rie"

// InstallHint tells a user how to get the emulator.
const InstallHint = "make tools, or: GOBIN=$PWD/bin go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d"

// Sentinel errors.
var (
	// ErrNoEmulator: the aws-lambda-rie binary was not found.
	ErrNoEmulator = errors.New("aws-lambda-rie not found")
	// ErrStart: the emulator process did not come up.
	ErrStart = errors.New("emulator did not start")
	// ErrInvoke: the emulator could not be reached or answered outside its protocol.
	ErrInvoke = errors.New("invoke through emulator failed")
	// ErrClosed: the function was closed.
	ErrClosed = errors.New("function closed")
)

// Find locates the emulator: $RIE_BIN, then PATH, then bin/aws-lambda-rie in
// the current folder or any parent (the repository's tool folder).
func Find() (string, error) {
	if p := os.Getenv(EnvBin); p != "" {
		if isExec(p) {
			return p, nil
		}
		return "", fmt.Errorf("find %s at %s=%s: %w", BinaryName, EnvBin, p, ErrNoEmulator)
	}
	if p, err := exec.LookPath(BinaryName); err == nil {
		return p, nil
	}
	if dir, err := os.Getwd(); err == nil {
		for {
			p := filepath.Join(dir, "bin", BinaryName)
			if isExec(p) {
				return p, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("find %s (set %s or put it on PATH; %s): %w", BinaryName, EnvBin, InstallHint, ErrNoEmulator)
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// Config describes one function to run.
type Config struct {
	// Name is the function name (AWS_LAMBDA_FUNCTION_NAME, log prefix).
	Name string
	// Emulator is the aws-lambda-rie binary; empty means Find().
	Emulator string
	// Bootstrap is the executable to run (the package's "bootstrap").
	Bootstrap string
	// Dir is the task root (working folder, LAMBDA_TASK_ROOT); default: Bootstrap's folder.
	Dir string
	// Env is the function's environment. Nothing of this process's
	// environment is passed on except what Env holds.
	Env map[string]string
	// Timeout is the function timeout (whole seconds; default 3s like Lambda).
	Timeout time.Duration
	// MemoryMB is reported as AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 128).
	MemoryMB int
	// Log receives the emulator's and the function's stdout/stderr, one
	// prefixed line at a time. Nil discards.
	Log io.Writer
}

// Result is one invocation's outcome.
type Result struct {
	// Payload is the function's response body (or its error object).
	Payload []byte
	// Error is set when the function returned an error or crashed.
	Error *FunctionError
	// TimedOut is set when the function ran past its timeout.
	TimedOut bool
	// Duration is the round trip through the emulator.
	Duration time.Duration
}

// Failed reports whether the invocation did not return a normal response.
func (r *Result) Failed() bool { return r.Error != nil || r.TimedOut }

// FunctionError is the runtime's error object.
type FunctionError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Stats counts what a Function did.
type Stats struct {
	Invocations int64 // invocations sent to an instance
	ColdStarts  int64 // runtime inits (the emulator's "INIT START")
	Errors      int64 // function errors and crashes
	Timeouts    int64 // invocations past the timeout
	Processes   int64 // emulator processes started
}

// Function runs up to N instances of one function, each an emulator process
// started on first use and reused while idle, like Lambda execution
// environments. Safe for concurrent use.
type Function struct {
	cfg  Config
	slot chan struct{} // one token per instance that may run
	mu   sync.Mutex
	idle []*instance
	all  map[*instance]struct{}
	gen  int
	done bool
	seq  int

	invocations, coldStarts, errs, timeouts, processes atomic.Int64
	onInvoke                                           func()
}

// New prepares a function with at most instances concurrent executions
// (minimum 1). No process starts until the first Invoke.
func New(cfg Config, instances int) (*Function, error) {
	if instances < 1 {
		instances = 1
	}
	if cfg.Emulator == "" {
		p, err := Find()
		if err != nil {
			return nil, err
		}
		cfg.Emulator = p
	}
	if !isExec(cfg.Bootstrap) {
		return nil, fmt.Errorf("run %s: bootstrap %q is not an executable file: %w", cfg.Name, cfg.Bootstrap, ErrStart)
	}
	if cfg.Dir == "" {
		cfg.Dir = filepath.Dir(cfg.Bootstrap)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.MemoryMB <= 0 {
		cfg.MemoryMB = 128
	}
	if cfg.Name == "" {
		cfg.Name = "function"
	}
	f := &Function{cfg: cfg, slot: make(chan struct{}, instances), all: map[*instance]struct{}{}}
	for range instances {
		f.slot <- struct{}{}
	}
	return f, nil
}

// Name returns the function name.
func (f *Function) Name() string { return f.cfg.Name }

// OnInvoke registers a hook called at the start of every invocation.
func (f *Function) OnInvoke(fn func()) {
	f.mu.Lock()
	f.onInvoke = fn
	f.mu.Unlock()
}

// Stats returns the counters so far.
func (f *Function) Stats() Stats {
	return Stats{
		Invocations: f.invocations.Load(),
		ColdStarts:  f.coldStarts.Load(),
		Errors:      f.errs.Load(),
		Timeouts:    f.timeouts.Load(),
		Processes:   f.processes.Load(),
	}
}

// Invoke sends payload to an idle instance (starting one if none is idle and
// fewer than N exist; waiting otherwise) and classifies the answer.
func (f *Function) Invoke(ctx context.Context, payload []byte) (*Result, error) {
	select {
	case <-f.slot:
	case <-ctx.Done():
		return nil, fmt.Errorf("invoke %s: wait for an instance: %w", f.cfg.Name, ctx.Err())
	}
	defer func() { f.slot <- struct{}{} }()

	inst, err := f.acquire()
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	hook := f.onInvoke
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	f.invocations.Add(1)
	res, err := inst.invoke(ctx, payload, f.cfg.Timeout)
	if err != nil {
		f.discard(inst)
		return nil, err
	}
	switch {
	case res.TimedOut:
		f.timeouts.Add(1)
	case res.Error != nil:
		f.errs.Add(1)
	}
	f.release(inst)
	return res, nil
}

func (f *Function) acquire() (*instance, error) {
	f.mu.Lock()
	if f.done {
		f.mu.Unlock()
		return nil, fmt.Errorf("invoke %s: %w", f.cfg.Name, ErrClosed)
	}
	if n := len(f.idle); n > 0 {
		inst := f.idle[n-1]
		f.idle = f.idle[:n-1]
		f.mu.Unlock()
		return inst, nil
	}
	f.seq++
	seq, gen := f.seq, f.gen
	f.mu.Unlock()

	inst, err := f.start(seq, gen)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		inst.stop()
		return nil, fmt.Errorf("invoke %s: %w", f.cfg.Name, ErrClosed)
	}
	f.all[inst] = struct{}{}
	return inst, nil
}

func (f *Function) release(inst *instance) {
	f.mu.Lock()
	if f.done || inst.gen != f.gen || inst.exited() {
		delete(f.all, inst)
		f.mu.Unlock()
		inst.stop()
		return
	}
	f.idle = append(f.idle, inst)
	f.mu.Unlock()
}

func (f *Function) discard(inst *instance) {
	f.mu.Lock()
	delete(f.all, inst)
	f.mu.Unlock()
	inst.stop()
}

// Restart stops every instance: the next invocation is a cold start in a new
// process. Invocations in flight finish first; their instances are then dropped.
func (f *Function) Restart() {
	f.mu.Lock()
	f.gen++
	idle := f.idle
	f.idle = nil
	for _, inst := range idle {
		delete(f.all, inst)
	}
	f.mu.Unlock()
	for _, inst := range idle {
		inst.stop()
	}
}

// Close stops every instance; later invocations fail with ErrClosed.
func (f *Function) Close() {
	f.mu.Lock()
	f.done = true
	all := make([]*instance, 0, len(f.all))
	for inst := range f.all {
		all = append(all, inst)
	}
	f.all = map[*instance]struct{}{}
	f.idle = nil
	f.mu.Unlock()
	for _, inst := range all {
		inst.stop()
	}
}

// instance is one emulator process.
type instance struct {
	url    string
	gen    int
	cmd    *exec.Cmd
	exit   chan struct{}
	client *http.Client
	once   sync.Once
	logw   *io.PipeWriter
}

func (i *instance) exited() bool {
	select {
	case <-i.exit:
		return true
	default:
		return false
	}
}

func (i *instance) stop() {
	i.once.Do(func() {
		if i.cmd.Process != nil {
			// The emulator's runtime is its child: end the whole group.
			_ = syscall.Kill(-i.cmd.Process.Pid, syscall.SIGKILL)
		}
		<-i.exit
		i.client.CloseIdleConnections()
	})
}

const startAttempts = 3

func (f *Function) start(seq, gen int) (*instance, error) {
	var last error
	for range startAttempts {
		inst, err := f.startOnce(seq, gen)
		if err == nil {
			return inst, nil
		}
		last = err
	}
	return nil, last
}

func (f *Function) startOnce(seq, gen int) (*instance, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, fmt.Errorf("start %s: pick ports: %w", f.cfg.Name, err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	cmd := exec.Command(f.cfg.Emulator,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(ports[1]),
		f.cfg.Bootstrap)
	cmd.Dir = f.cfg.Dir
	cmd.Env = f.environ()
	cmd.SysProcAttr = sysProcAttr()
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	prefix := fmt.Sprintf("[%s#%d] ", f.cfg.Name, seq)
	go f.copyLog(pr, prefix)
	if err := cmd.Start(); err != nil {
		pw.Close()
		return nil, fmt.Errorf("start %s: %w: %w", f.cfg.Name, ErrStart, err)
	}
	f.processes.Add(1)
	inst := &instance{
		url:    "http://" + addr + "/2015-03-31/functions/function/invocations",
		gen:    gen,
		cmd:    cmd,
		exit:   make(chan struct{}),
		client: &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1}},
		logw:   pw,
	}
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(inst.exit)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return inst, nil
		}
		if inst.exited() {
			return nil, fmt.Errorf("start %s: emulator exited (port taken?): %w", f.cfg.Name, ErrStart)
		}
		if time.Now().After(deadline) {
			inst.stop()
			return nil, fmt.Errorf("start %s: no answer on %s: %w", f.cfg.Name, addr, ErrStart)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// environ is the emulator's environment, which it passes to the runtime.
func (f *Function) environ() []string {
	env := map[string]string{
		"PATH":                            "/usr/local/bin:/usr/bin:/bin",
		"LANG":                            "en_US.UTF-8",
		"TZ":                              ":UTC",
		"LAMBDA_TASK_ROOT":                f.cfg.Dir,
		"AWS_LAMBDA_FUNCTION_NAME":        f.cfg.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.cfg.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + f.cfg.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      "local",
		"LOG_LEVEL":                       "info", // INIT START lines count cold starts
	}
	for k, v := range f.cfg.Env {
		env[k] = v
	}
	secs := int((f.cfg.Timeout + time.Second - 1) / time.Second)
	env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = strconv.Itoa(secs)
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func (f *Function) copyLog(r io.Reader, prefix string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		// The emulator logs INIT START for every runtime init, including
		// the re-init after a timeout or crash; its other info lines are noise.
		if strings.Contains(line, "(rapid) INIT START") {
			f.coldStarts.Add(1)
		}
		if strings.Contains(line, "[INFO] (rapid)") && !strings.Contains(line, "INIT START") {
			continue
		}
		if f.cfg.Log != nil {
			fmt.Fprintln(f.cfg.Log, prefix+line)
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

var timedOut = []byte("Task timed out after ")

func (i *instance) invoke(ctx context.Context, payload []byte, timeout time.Duration) (*Result, error) {
	// The emulator enforces the function timeout; this bound only guards
	// against a hung emulator.
	ctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, i.url, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("invoke: %w: %w", ErrInvoke, err)
	}
	start := time.Now()
	resp, err := i.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke: %w: %w", ErrInvoke, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("invoke: read response: %w: %w", ErrInvoke, err)
	}
	res := &Result{Payload: body, Duration: time.Since(start)}
	switch {
	case resp.StatusCode == http.StatusOK && bytes.HasPrefix(body, timedOut):
		res.TimedOut = true
	case resp.StatusCode == http.StatusOK:
		res.Error = parseFunctionError(body)
	case resp.StatusCode == http.StatusBadGateway:
		// The runtime crashed or failed to init.
		if fe := parseFunctionError(body); fe != nil {
			res.Error = fe
		} else {
			res.Error = &FunctionError{Type: "Runtime.Unknown", Message: strings.TrimSpace(string(body))}
		}
	default:
		return nil, fmt.Errorf("invoke: emulator answered %d %q: %w", resp.StatusCode, truncate(body, 200), ErrInvoke)
	}
	return res, nil
}

// parseFunctionError returns the error object when body is exactly a runtime
// error: a JSON object with errorMessage and errorType and nothing else than
// the optional stackTrace/cause.
func parseFunctionError(body []byte) *FunctionError {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil
	}
	if _, ok := m["errorMessage"]; !ok {
		return nil
	}
	if _, ok := m["errorType"]; !ok {
		return nil
	}
	for k := range m {
		switch k {
		case "errorMessage", "errorType", "stackTrace", "cause", "requestId":
		default:
			return nil
		}
	}
	var fe FunctionError
	if err := json.Unmarshal(body, &fe); err != nil {
		return nil
	}
	return &fe
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

func freePorts(n int) ([]int, error) {
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// HostArchitecture is this machine's Lambda architecture name.
func HostArchitecture() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
}
