package rie

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// instance is one emulator process.
type instance struct {
	url    string
	gen    int
	cmd    *exec.Cmd
	exit   chan struct{} // closed when the process has exited
	client *http.Client
	once   sync.Once

	// Fed by the log reader: one token per REPORT line; logDone closes at
	// the end of the log; init is an INIT REPORT not yet handed to a Result.
	reported chan struct{}
	logDone  chan struct{}
	mu       sync.Mutex
	init     time.Duration

	// inits counts this process's INIT START lines; apiRefused is set when
	// the runtime could not reach the emulator's runtime API (see
	// Function.Invoke).
	inits      atomic.Int64
	apiRefused atomic.Bool
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

func (i *instance) setInit(d time.Duration) {
	i.mu.Lock()
	i.init = d
	i.mu.Unlock()
}

func (i *instance) takeInit() time.Duration {
	i.mu.Lock()
	defer i.mu.Unlock()
	d := i.init
	i.init = 0
	return d
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
	inst := &instance{
		url:      "http://" + addr + "/2015-03-31/functions/function/invocations",
		gen:      gen,
		cmd:      cmd,
		exit:     make(chan struct{}),
		client:   &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1}},
		reported: make(chan struct{}, 16),
		logDone:  make(chan struct{}),
	}
	go f.readLog(inst, pr, fmt.Sprintf("[%s#%d] ", f.cfg.Name, seq))
	if err := cmd.Start(); err != nil {
		pw.Close()
		return nil, fmt.Errorf("start %s: %w: %w", f.cfg.Name, ErrStart, err)
	}
	f.processes.Add(1)
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
		time.Sleep(5 * time.Millisecond)
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
		"LOG_LEVEL":                       "info", // INIT START and REPORT lines mark inits and invocations
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

// freePorts returns n ports to give the emulator. They come from below the
// kernel's ephemeral range, so that no outgoing connection (the SDK's, the
// bootstrap's) can take one between the check here and the emulator's bind,
// and each is handed out once per process, so that concurrent starts never
// share one. Where the range is unknown, the kernel picks.
func freePorts(n int) ([]int, error) {
	portsMu.Lock()
	defer portsMu.Unlock()
	lo, hi := quietRange()
	ports := make([]int, 0, n)
	for tries := 0; len(ports) < n && tries < 1000; tries++ {
		p := 0
		if hi > lo {
			p = lo + rand.IntN(hi-lo)
			if portsGiven[p] {
				continue
			}
		}
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue
		}
		p = l.Addr().(*net.TCPAddr).Port
		l.Close()
		portsGiven[p] = true
		ports = append(ports, p)
	}
	if len(ports) < n {
		return nil, errors.New("no free port below the ephemeral range")
	}
	return ports, nil
}

var (
	portsMu    sync.Mutex
	portsGiven = map[int]bool{}
)

// quietRange is [lo, hi): the 8,000 ports below the ephemeral range of
// /proc/sys/net/ipv4/ip_local_port_range, or an empty range.
func quietRange() (lo, hi int) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0
	}
	low, err := strconv.Atoi(f[0])
	if err != nil || low < 10_000 {
		return 0, 0
	}
	return low - 8_000, low
}
