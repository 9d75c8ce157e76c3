// Command package builds the Lambda functions of this module for the
// provided.al2023 runtime and writes one deterministic zip per function:
// the same source and Go version give the same bytes, so Terraform's
// source_code_hash changes only when the code does.
//
//	go run ./cmd/package -arch arm64 -out dist
//	go run github.com/jwtauthz/terraform-aws-jwt-authorizer/cmd/package@v0.1.0 -out dist
//
// Output: <out>/<arch>/<function>.zip with a single executable named bootstrap.
package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// zipEpoch is the fixed modification time of every entry (the zip format's
// earliest date), so builds at different times give identical archives.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func main() {
	arch := flag.String("arch", "arm64", "Lambda architecture: arm64 or x86_64 (amd64 accepted)")
	out := flag.String("out", "dist", "output folder; zips go to <out>/<arch>/<function>.zip")
	src := flag.String("src", "", "module source folder (default: this module's root, or its module-cache copy under go run …@version)")
	fns := flag.String("functions", "authorizer,hello", "comma-separated functions under functions/")
	flag.Parse()
	if err := run(*arch, *out, *src, strings.Split(*fns, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "package:", err)
		os.Exit(1)
	}
}

func run(arch, out, src string, fns []string) error {
	goarch, lambdaArch, err := architecture(arch)
	if err != nil {
		return err
	}
	if src == "" {
		if src, err = sourceDir(); err != nil {
			return err
		}
	}
	outAbs, err := filepath.Abs(filepath.Join(out, lambdaArch))
	if err != nil {
		return fmt.Errorf("resolve output folder: %w", err)
	}
	if err := os.MkdirAll(outAbs, 0o755); err != nil {
		return fmt.Errorf("create output folder: %w", err)
	}
	tmp, err := os.MkdirTemp("", "package-")
	if err != nil {
		return fmt.Errorf("create build folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, fn := range fns {
		fn = strings.TrimSpace(fn)
		bin := filepath.Join(tmp, fn, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath",
			"-ldflags=-s -w -buildid=", "-o", bin, "./functions/"+fn)
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOFLAGS=-mod=readonly")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s: %w", fn, err)
		}
		zipPath := filepath.Join(outAbs, fn+".zip")
		sum, size, err := writeZip(zipPath, bin)
		if err != nil {
			return fmt.Errorf("zip %s: %w", fn, err)
		}
		fmt.Printf("%s\t%d bytes\tsha256=%s\n", zipPath, size, sum)
	}
	return nil
}

func architecture(a string) (goarch, lambdaArch string, err error) {
	switch a {
	case "arm64", "aarch64":
		return "arm64", "arm64", nil
	case "x86_64", "amd64":
		return "amd64", "x86_64", nil
	}
	return "", "", fmt.Errorf("unknown architecture %q (want arm64 or x86_64)", a)
}

// sourceDir finds the module to build: the enclosing checkout when run from
// it, or the module-cache copy when run as `go run <module>/cmd/package@v`.
func sourceDir() (string, error) {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		out, err := exec.Command("go", "mod", "download", "-json", bi.Main.Path+"@"+bi.Main.Version).Output()
		if err != nil {
			return "", fmt.Errorf("locate %s@%s: %w", bi.Main.Path, bi.Main.Version, err)
		}
		var m struct{ Dir string }
		if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
			return "", fmt.Errorf("locate %s@%s: no module folder", bi.Main.Path, bi.Main.Version)
		}
		return m.Dir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "functions", "authorizer", "main.go")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: run from the checkout or pass -src")
		}
		dir = parent
	}
}

// writeZip stores bin as an executable "bootstrap" with fixed metadata and
// returns the archive's base64 SHA-256, the form Lambda reports as CodeSha256.
func writeZip(path, bin string) (string, int, error) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return "", 0, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipEpoch}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return "", 0, err
	}
	if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
		return "", 0, err
	}
	if err := zw.Close(); err != nil {
		return "", 0, err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", 0, err
	}
	sum := sha256.Sum256(buf.Bytes())
	return base64.StdEncoding.EncodeToString(sum[:]), buf.Len(), nil
}
