// Command fn is a test Lambda function for the rie package: its behaviour is
// driven by the invocation payload.
package main

import (
	"context"
	"errors"
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
}

type output struct {
	Echo any    `json:"echo"`
	Env  string `json:"env,omitempty"`
	PID  int    `json:"pid"`
}

func handle(ctx context.Context, in input) (output, error) {
	if in.Sleep > 0 {
		time.Sleep(time.Duration(in.Sleep) * time.Millisecond)
	}
	if in.Exit != nil {
		os.Exit(*in.Exit)
	}
	if in.Error != "" {
		return output{}, errors.New(in.Error)
	}
	out := output{Echo: in.Echo, PID: os.Getpid()}
	if in.Env != "" {
		out.Env = os.Getenv(in.Env)
	}
	return out, nil
}

func main() { lambda.Start(handle) }
