package tfmoto

import (
	"os"
	"os/exec"
)

func runScript(script string, args ...string) error {
	cmd := exec.Command(script, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}
