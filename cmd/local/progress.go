package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

// modulePath is this module's path, for the commands printed to consumers.
const modulePath = "github.com/jwtauthz/terraform-aws-jwt-authorizer"

// say prints one progress line.
func say(format string, a ...any) { fmt.Printf("local: "+format+"\n", a...) }

// stepError is a failed step: what failed, where its output is, and what to
// run again once the cause is fixed.
type stepError struct {
	step  string
	log   string
	rerun string
	err   error
}

func (e *stepError) Error() string {
	s := fmt.Sprintf("step %q failed: %v", e.step, e.err)
	if e.log != "" {
		s += "\n  log:   " + e.log
	}
	if e.rerun != "" {
		s += "\n  rerun: " + e.rerun
	}
	return s
}

func (e *stepError) Unwrap() error { return e.err }

// self is how a consumer runs this command: go run MODULE/cmd/local@VERSION
// when it was built from a module version, else the binary's own path.
func self() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" && !strings.Contains(bi.Main.Version, "+dirty") {
		return "go run " + modulePath + "/cmd/local@" + bi.Main.Version
	}
	if exe, err := os.Executable(); err == nil && !strings.Contains(exe, "go-build") {
		return exe
	}
	return "go run ./cmd/local"
}

// run runs a tool in dir with env added, its output appended to logFile;
// its own process group keeps a terminal's Ctrl-C from reaching it (ctx's
// end interrupts it instead, so terraform saves its state). timeout > 0
// bounds it.
func run(ctx context.Context, timeout time.Duration, dir string, env []string, logFile, name string, args ...string) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	defer f.Close()
	fmt.Fprintf(f, "\n$ %s %s   (in %s, %s)\n", name, strings.Join(args, " "), dir, time.Now().UTC().Format(time.RFC3339))
	c := exec.CommandContext(ctx, name, args...)
	c.Dir = dir
	c.Env = append(os.Environ(), env...)
	c.Stdout, c.Stderr = f, f
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return c.Process.Signal(os.Interrupt) }
	c.WaitDelay = time.Minute
	err = c.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("%s %s did not finish in %s: %w", name, args[0], timeout, ctx.Err())
	}
	return err
}
