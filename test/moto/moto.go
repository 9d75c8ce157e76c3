package moto

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Region and the static credentials every local run uses against moto.
const (
	Region          = "us-east-1"
	AccessKeyID     = "testing"
	SecretAccessKey = "testing"
)

// ErrNotRunning is returned when no moto answers and none could be started.
var ErrNotRunning = errors.New("moto server not available")

// Server is a moto endpoint, started by this process or found running.
type Server struct {
	Endpoint string
	cmd      *exec.Cmd
}

// Stop ends the server (its whole process group) if this process started it.
func (s *Server) Stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	_, _ = s.cmd.Process.Wait()
}

// PID is the process id of a server this process started (Launch, Ensure),
// 0 for one found running.
func (s *Server) PID() int {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Env returns the environment a child process (terraform, a Lambda under the
// RIE, the AWS CLI) needs to talk to this server.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.Endpoint,
		"AWS_REGION=" + Region,
		"AWS_DEFAULT_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
	}
}

// Config returns an SDK configuration bound to this server.
func (s *Server) Config(ctx context.Context) (aws.Config, error) {
	// No keep-alive: moto's server may close an idle connection just as the
	// SDK reuses it, and the SDK's retry of a create moto already carried out
	// then fails with "already exists". A new loopback connection per call
	// costs nothing here.
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.DisableKeepAlives = true })
	return config.LoadDefaultConfig(ctx,
		config.WithRegion(Region),
		config.WithBaseEndpoint(s.Endpoint),
		config.WithHTTPClient(hc),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, "")),
	)
}

// Reset drops every resource moto holds.
func (s *Server) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint+"/moto-api/reset", nil)
	if err != nil {
		return fmt.Errorf("reset moto: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reset moto: %w", err)
	}
	resp.Body.Close()
	return nil
}

// Ensure returns the server at MOTO_ENDPOINT if it answers, or starts one.
func Ensure() (*Server, error) {
	if ep := os.Getenv("MOTO_ENDPOINT"); ep != "" {
		if Answers(ep, 2*time.Second) {
			return &Server{Endpoint: ep}, nil
		}
		return nil, fmt.Errorf("find moto at MOTO_ENDPOINT=%s: %w", ep, ErrNotRunning)
	}
	return Launch(0, nil)
}

// Launch starts moto_server on 127.0.0.1:port (0: a free port) in its own
// process group, so a terminal's Ctrl-C reaches the caller, which can still
// destroy what it applied before it stops the server. log (nil: discarded)
// receives the server's output. It returns once the server answers.
func Launch(port int, log io.Writer) (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("find moto_server on PATH (pip install 'moto[server]'): %w", ErrNotRunning)
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, fmt.Errorf("pick moto port: %w", err)
		}
	}
	ep := "http://127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	s := &Server{Endpoint: ep, cmd: cmd}
	if !Answers(ep, 30*time.Second) {
		s.Stop()
		return nil, fmt.Errorf("wait for moto_server on %s: %w", ep, ErrNotRunning)
	}
	return s, nil
}

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
)

// Start returns a moto server shared by every test of the binary (call Stop
// from TestMain, or let the process exit). It fails the test when moto
// cannot be reached: integration tests never pass silently without it.
func Start(tb testing.TB) *Server {
	tb.Helper()
	sharedOnce.Do(func() { shared, sharedErr = Ensure() })
	if sharedErr != nil {
		tb.Fatalf("moto: %v (install moto[server] or set MOTO_ENDPOINT)", sharedErr)
	}
	return shared
}

// StopShared stops the server Start may have launched.
func StopShared() { shared.Stop() }

// Answers reports whether a moto server answers at endpoint within wait.
func Answers(endpoint string, wait time.Duration) bool {
	deadline := time.Now().Add(wait)
	c := http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		resp, err := c.Get(endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
