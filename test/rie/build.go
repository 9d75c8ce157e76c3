package rie

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Version is the pinned emulator module version.
const Version = "v0.0.0-20261030222936-bef5c4ba774d"

// Module is the emulator's command package.
const Module = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// FindOrBuild returns Find()'s answer or, when the emulator is missing,
// installs the pinned version into dir with `go install` (through the Go
// module proxy) and returns its path. Tests call it once from TestMain.
func FindOrBuild(dir string) (string, error) {
	if p, err := Find(); err == nil {
		return p, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("build %s: %w", BinaryName, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("build %s: %w", BinaryName, err)
	}
	cmd := exec.Command("go", "install", Module+"@"+Version)
	cmd.Env = append(os.Environ(), "GOBIN="+abs, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w: %s", BinaryName, err, out)
	}
	return filepath.Join(abs, BinaryName), nil
}

// BuildFunction compiles the Go main package pkg (a path relative to the
// caller's folder or an import path) for the host into dir/bootstrap, the way
// cmd/package does for Lambda (CGO off, lambda.norpc), and returns the path.
func BuildFunction(pkg, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("build %s: %w", pkg, err)
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w: %s", pkg, err, b)
	}
	return out, nil
}
