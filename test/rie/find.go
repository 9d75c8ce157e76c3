package rie

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// EnvBin names the environment variable that points at the emulator binary.
const EnvBin = "RIE_BIN"

// BinaryName is the emulator's executable name on PATH.
const BinaryName = "aws-lambda-rie"

// InstallHint tells a user how to get the emulator.
const InstallHint = "make tools, or: GOBIN=$PWD/bin go install " + Module + "@" + Version

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

// HostArchitecture is this machine's Lambda architecture name.
func HostArchitecture() string {
	if runtime.GOARCH == "arm64" {
		return "arm64"
	}
	return "x86_64"
}
