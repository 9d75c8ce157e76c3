// Command fn is a test Lambda function for the rie package: its behaviour is
// driven by the invocation payload.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type input struct {
	Sleep int    `json:"sleep"` // milliseconds
	Error string `json:"error"`
	Exit  *int   `json:"exit"`
	Env   string `json:"env"`
	Echo  any    `json:"echo"`
	Print string `json:"print"` // a line to write to stdout
}

type output struct {
	Echo any    `json:"echo"`
	Env  string `json:"env,omitempty"`
	PID  int    `json:"pid"`
	// Start and End (Unix ns) bracket the handler's run.
	Start int64 `json:"start"`
	End   int64 `json:"end"`
}

func handle(ctx context.Context, in input) (output, error) {
	start := time.Now().UnixNano()
	if in.Print != "" {
		fmt.Println(in.Print)
	}
	if in.Sleep > 0 {
		time.Sleep(time.Duration(in.Sleep) * time.Millisecond)
	}
	if in.Exit != nil {
		os.Exit(*in.Exit)
	}
	if in.Error != "" {
		return output{}, errors.New(in.Error)
	}
	out := output{Echo: in.Echo, PID: os.Getpid(), Start: start, End: time.Now().UnixNano()}
	if in.Env != "" {
		out.Env = os.Getenv(in.Env)
	}
	return out, nil
}

func main() {
	if code := os.Getenv("EXIT_AT_INIT"); code != "" {
		fmt.Println("exiting at init")
		os.Exit(3)
	}
	lambda.Start(handle)
}
