// Command package builds the Lambda functions of this module for the
// provided.al2023 runtime and writes one deterministic zip per function:
// the same source and Go toolchain give the same bytes however the command
// is invoked (in a checkout, `make release`, or `go run …/cmd/package@<ref>`
// from the module cache), so Terraform's source_code_hash changes only when
// the code does.
//
//	go run ./cmd/package -arch arm64 -out dist
//	GOTOOLCHAIN=auto GOFLAGS=-mod=mod GOPRIVATE=github.com/jwtauthz \
//	  go run github.com/jwtauthz/terraform-aws-jwt-authorizer/cmd/package@<commit> -arch arm64 -out dist
//
// Each function is built with `go build` in the module's own folder (the
// checkout, or its read-only copy in the module cache) as the main module,
// with -trimpath, -buildvcs=false and -ldflags='-s -w -buildid=' and a fixed
// environment (GOOS, GOARCH and its level, CGO_ENABLED=0, GOWORK=off, the
// caller's GOFLAGS and GOEXPERIMENT dropped): the embedded build info then
// holds no paths, no VCS stamps and the main module's version "(devel)" in
// every case. The Go toolchain is the one variable left: GOTOOLCHAIN=auto
// selects go.mod's toolchain line, the one the release assets are built with.
//
// Output: <out>/<arch>/<function>.zip with a single executable named bootstrap.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
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
	for i, fn := range fns {
		fn = strings.TrimSpace(fn)
		bin := filepath.Join(tmp, fn, "bootstrap")
		if err := build(src, goarch, fn, bin); err != nil {
			return fmt.Errorf("build %s: %w", fn, err)
		}
		goVersion, err := checkBuildInfo(bin)
		if err != nil {
			return fmt.Errorf("build %s: %w", fn, err)
		}
		if want := toolchainLine(src); i == 0 && want != "" && goVersion != want {
			fmt.Fprintf(os.Stderr, "package: built with %s; the release assets are built with go.mod's toolchain %s (GOTOOLCHAIN=auto selects it), so these bytes differ from theirs\n", goVersion, want)
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

// buildFlags are the go build flags of every function. -buildvcs=false keeps
// a checkout's VCS stamps (vcs.revision, vcs.modified and the main module's
// pseudo-version since Go 1.24) out of the binary, as the module cache's copy
// has none; -trimpath drops the folder the source was in.
var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid="}

// build compiles ./functions/<fn> in src, the main module, to bin.
func build(src, goarch, fn, bin string) error {
	args := append([]string{"build"}, buildFlags...)
	args = append(args, "-o", bin, "./functions/"+fn)
	cmd := exec.Command("go", args...)
	cmd.Dir = src
	cmd.Env = buildEnv(goarch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// buildEnv is the caller's environment with everything that reaches the
// binary or its build info fixed (exec keeps the last of duplicate keys).
func buildEnv(goarch string) []string {
	env := append(os.Environ(),
		"CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch,
		"GOAMD64=v1", "GOARM64=v8.0", // the Lambda baseline, whatever the caller's
		"GOFLAGS=-mod=readonly", // not the caller's (-mod=mod, -buildvcs, -tags …)
		"GOEXPERIMENT=", "GOFIPS140=off",
		"GOWORK=off", // a go.work around the checkout would change the main modules
	)
	return env
}

// checkBuildInfo reads the binary's build info and fails if anything that
// depends on how or where it was built got in; it returns the Go version.
func checkBuildInfo(bin string) (string, error) {
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "", fmt.Errorf("read build info: %w", err)
	}
	if bi.Main.Version != "(devel)" {
		return "", fmt.Errorf("main module version %q, want (devel)", bi.Main.Version)
	}
	for _, s := range bi.Settings {
		if strings.HasPrefix(s.Key, "vcs") {
			return "", fmt.Errorf("build info holds %s=%s", s.Key, s.Value)
		}
	}
	return bi.GoVersion, nil
}

// toolchainLine returns go.mod's toolchain (e.g. go1.26.10), or "".
func toolchainLine(src string) string {
	f, err := os.Open(filepath.Join(src, "go.mod"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) == 2 && fs[0] == "toolchain" {
			return fs[1]
		}
	}
	return ""
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
	// A version without VCS settings is `go run …@<ref>`'s module; a checkout
	// build may carry one too (Go ≥ 1.24 stamps a pseudo-version from git).
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" && !vcsStamped(bi) {
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

func vcsStamped(bi *debug.BuildInfo) bool {
	for _, s := range bi.Settings {
		if s.Key == "vcs" {
			return true
		}
	}
	return false
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
