// Package lambdarun runs one Lambda bootstrap under the AWS Lambda Runtime
// Interface Emulator for the benchmarks: one emulator per run, on its own
// loopback ports (the emulator's runtime API defaults to 127.0.0.1:9001,
// which would collide between runs and with other users of the machine).
//
// The emulator starts the bootstrap lazily, on the first invocation, so the
// time from posting the first invocation to its response is the function's
// cold start: process exec, init, and the first verdict.
package lambdarun

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Emulator is the aws-lambda-rie binary: $RIE_BIN, PATH, or bin/ of the
// checkout.
func Emulator(root string) (string, error) {
	if p := os.Getenv("RIE_BIN"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	p := filepath.Join(root, "bin", "aws-lambda-rie")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", errors.New("aws-lambda-rie not found: GOBIN=$PWD/bin go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d")
}

// Instance is a running emulator with its function.
type Instance struct {
	cmd    *exec.Cmd
	url    string
	client *http.Client
	done   chan struct{}

	mu      sync.Mutex
	log     bytes.Buffer
	initMs  float64
	hasInit bool
}

// Start launches the emulator for bootstrap (an executable) with env added
// to a minimal Lambda environment, and waits until it accepts connections.
func Start(emulator, bootstrap string, env []string) (*Instance, error) {
	var last error
	for range 3 {
		inst, err := startOnce(emulator, bootstrap, env)
		if err == nil {
			return inst, nil
		}
		last = err
	}
	return nil, last
}

func startOnce(emulator, bootstrap string, env []string) (*Instance, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	cmd := exec.Command(emulator,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(ports[1]),
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append([]string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"TZ=:UTC",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(bootstrap),
		"AWS_LAMBDA_FUNCTION_NAME=bench",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=10",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/bench",
		"AWS_LAMBDA_LOG_STREAM_NAME=local",
	}, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	inst := &Instance{
		cmd:    cmd,
		url:    "http://" + addr + "/2015-03-31/functions/function/invocations",
		client: &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 30 * time.Second},
		done:   make(chan struct{}),
	}
	go inst.readLog(pr)
	if err := cmd.Start(); err != nil {
		pw.Close()
		return nil, fmt.Errorf("start emulator: %w", err)
	}
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(inst.done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return inst, nil
		}
		select {
		case <-inst.done:
			return nil, fmt.Errorf("emulator exited early: %s", inst.Log())
		default:
		}
		if time.Now().After(deadline) {
			inst.Stop()
			return nil, fmt.Errorf("emulator not answering on %s", addr)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)`)

func (i *Instance) readLog(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i.mu.Lock()
		if i.log.Len() < 1<<20 {
			i.log.WriteString(line)
			i.log.WriteByte('\n')
		}
		if m := initReport.FindStringSubmatch(line); m != nil && !i.hasInit {
			i.initMs, _ = strconv.ParseFloat(m[1], 64)
			i.hasInit = true
		}
		i.mu.Unlock()
	}
	_, _ = io.Copy(io.Discard, r)
}

// Log returns what the emulator and the function printed so far.
func (i *Instance) Log() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.log.String()
}

// InitMs is the emulator's INIT REPORT duration of the function, if logged.
func (i *Instance) InitMs() (float64, bool) {
	// The line may trail the response by a moment.
	for range 50 {
		i.mu.Lock()
		ms, ok := i.initMs, i.hasInit
		i.mu.Unlock()
		if ok {
			return ms, true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, false
}

// Invoke posts one event and returns the response body and the round trip.
func (i *Instance) Invoke(ctx context.Context, payload []byte) ([]byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, i.url, bytes.NewReader(payload))
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	resp, err := i.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("invoke: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return nil, 0, fmt.Errorf("invoke: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return body, d, fmt.Errorf("invoke: status %d: %s", resp.StatusCode, body)
	}
	return body, d, nil
}

// FunctionPID returns the pid of the bootstrap process (the emulator's
// child), once it runs.
func (i *Instance) FunctionPID() (int, error) {
	parent := strconv.Itoa(i.cmd.Process.Pid)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		j := strings.LastIndexByte(s, ')')
		if j < 0 {
			continue
		}
		f := strings.Fields(s[j+1:])
		if len(f) > 1 && f[1] == parent {
			return pid, nil
		}
	}
	return 0, errors.New("function process not found")
}

// Stop kills the emulator and its function (its process group).
func (i *Instance) Stop() {
	if i.cmd.Process != nil {
		_ = syscall.Kill(-i.cmd.Process.Pid, syscall.SIGKILL)
	}
	select {
	case <-i.done:
	case <-time.After(5 * time.Second):
	}
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("pick port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// VmHWM returns the peak resident set size of pid in KiB.
func VmHWM(pid int) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, errors.New("no VmHWM")
}
