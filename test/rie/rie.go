package rie

import (
	"errors"
	"io"
	"time"
)

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
	// prefixed line at a time. Nil discards (Function.Log still keeps them).
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
	// Duration is the round trip through the emulator. For the first
	// invocation of an instance it includes the runtime's exec and init:
	// the emulator starts the bootstrap lazily.
	Duration time.Duration
	// Init is the runtime init's duration as the emulator reports it
	// (INIT REPORT) when this invocation ran one, else zero.
	Init time.Duration
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
