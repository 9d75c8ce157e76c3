package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

const modulePath = "github.com/jwtauthz/terraform-aws-jwt-authorizer"

// TestSameZipsFromCheckoutAndModuleCache builds the packages the two ways a
// commit is built and wants the same bytes: `go run ./cmd/package` in the
// checkout (a git work tree, as `make package` and `make release` run it),
// and `go run <module>/cmd/package@<version>` from another folder, the
// module served by a file:// module proxy (what a consumer runs with
// @<commit> or @<tag>: the source is the module cache's copy, without .git,
// in another folder). Both runs get the same environment and the same Go.
func TestSameZipsFromCheckoutAndModuleCache(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go not found:", err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	const arch = "arm64"
	realCache := strings.TrimSpace(goOutput(t, root, nil, "env", "GOMODCACHE"))
	env := []string{
		"GOTOOLCHAIN=local", // the same Go both ways: the one running the test
		"GOWORK=off",
		// The caller's GOFLAGS must not reach the functions' build; a
		// checkout's VCS stamps would (this machine's go.env may turn them off).
		"GOFLAGS=-buildvcs=auto",
	}

	start := time.Now()
	checkout := t.TempDir()
	runGo(t, root, env, "run", "./cmd/package", "-arch", arch, "-out", checkout)
	t.Logf("timing: checkout build %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	proxy, version := moduleProxy(t, root)
	modcache := t.TempDir() // the module comes from the proxy, not from the checkout
	t.Cleanup(func() {
		cmd := exec.Command("go", "clean", "-modcache")
		cmd.Env = append(os.Environ(), "GOMODCACHE="+modcache)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("clean module cache: %v\n%s", err, out)
		}
	})
	remote := t.TempDir()
	runGo(t, t.TempDir(), append(env,
		// The module from the local proxy; its dependencies from the
		// machine's module cache, in proxy layout (no network).
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(realCache, "cache", "download")),
		"GOMODCACHE="+modcache,
		"GOFLAGS=-mod=mod",
		"GONOSUMDB="+modulePath,
		"GOSUMDB=off",
	), "run", modulePath+"/cmd/package@"+version, "-arch", arch, "-out", remote)
	t.Logf("timing: go run …/cmd/package@%s %s", version, time.Since(start).Round(time.Millisecond))
	if _, err := os.Stat(filepath.Join(modcache, filepath.FromSlash(modulePath)+"@"+version, "functions")); err != nil {
		t.Fatalf("the module did not come through the proxy: %v", err)
	}

	for _, fn := range []string{"authorizer", "hello"} {
		a := readFile(t, filepath.Join(checkout, arch, fn+".zip"))
		b := readFile(t, filepath.Join(remote, arch, fn+".zip"))
		t.Logf("%s.zip: checkout sha256=%s, @%s sha256=%s", fn, hexSum(a), version, hexSum(b))
		biA, biB := zipBuildInfo(t, a), zipBuildInfo(t, b)
		if !bytes.Equal(a, b) {
			t.Errorf("%s.zip differs between the checkout and the module cache builds\ncheckout build info:\n%s\n@%s build info:\n%s", fn, biA, version, biB)
			continue
		}
		if biA.Main.Version != "(devel)" {
			t.Errorf("%s: main module version %q, want (devel)", fn, biA.Main.Version)
		}
		for _, s := range biA.Settings {
			if strings.HasPrefix(s.Key, "vcs") {
				t.Errorf("%s: build info holds %s=%s", fn, s.Key, s.Value)
			}
		}
	}
}

// TestWriteZipFixedMetadata: one entry, bootstrap, mode 0755, the 1980 epoch,
// and the same bytes from the same binary whenever and wherever it is zipped.
func TestWriteZipFixedMetadata(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bin, bytes.Repeat([]byte("ELF binary "), 1000), 0o700); err != nil {
		t.Fatal(err)
	}
	sum1, _, err := writeZip(filepath.Join(dir, "a.zip"), bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(bin, time.Now(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(bin, 0o500); err != nil {
		t.Fatal(err)
	}
	sum2, _, err := writeZip(filepath.Join(dir, "b.zip"), bin)
	if err != nil {
		t.Fatal(err)
	}
	a, b := readFile(t, filepath.Join(dir, "a.zip")), readFile(t, filepath.Join(dir, "b.zip"))
	if sum1 != sum2 || !bytes.Equal(a, b) {
		t.Fatalf("zips of the same binary differ: %s, %s", sum1, sum2)
	}
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 {
		t.Fatalf("%d entries, want 1", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != "bootstrap" || f.Mode().Perm() != 0o755 || !f.Modified.Equal(zipEpoch) {
		t.Errorf("entry %s mode %v modified %v, want bootstrap -rwxr-xr-x %v", f.Name, f.Mode(), f.Modified, zipEpoch)
	}
}

// goCmd is the go command with args, run in dir with env added to ours.
func goCmd(dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

func goOutput(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	out, err := goCmd(dir, env, args...).Output()
	if err != nil {
		t.Fatalf("go %v: %v", args, err)
	}
	return string(out)
}

func runGo(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	out, err := goCmd(dir, env, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go %v: %v\n%s", args, err, out)
	}
	t.Logf("go %s:\n%s", strings.Join(args, " "), out)
}

// moduleProxy lays out a file:// module proxy ($module/@v/list,
// $version.info, .mod, .zip) serving the working tree's files (tracked, and
// untracked ones not ignored; no dist/, no .git, not the nested modules
// bench/ and tools/) at a pseudo-version made from their hash.
func moduleProxy(t *testing.T, root string) (proxy, version string) {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	names := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	var nested []string
	for _, rel := range names {
		if strings.HasSuffix(rel, "/go.mod") {
			nested = append(nested, strings.TrimSuffix(rel, "go.mod"))
		}
	}
	files := map[string][]byte{}
	h := sha256.New()
	sort.Strings(names)
	for _, rel := range names {
		if inAny(rel, nested) {
			continue
		}
		fi, err := os.Lstat(filepath.Join(root, rel))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		files[rel] = readFile(t, filepath.Join(root, rel))
		io.WriteString(h, rel+"\x00")
		h.Write(files[rel])
	}
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	version = "v0.0.0-" + when.Format("20060102150405") + "-" + hex.EncodeToString(h.Sum(nil))[:12]

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	rels := make([]string, 0, len(files))
	for rel := range files {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	for _, rel := range rels {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: path.Join(modulePath+"@"+version, rel), Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(files[rel]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}

	proxy = t.TempDir()
	v := filepath.Join(proxy, filepath.FromSlash(modulePath), "@v")
	if err := os.MkdirAll(v, 0o755); err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": when.Format(time.RFC3339)})
	for name, b := range map[string][]byte{"list": []byte(version + "\n"), version + ".info": info, version + ".mod": files["go.mod"], version + ".zip": buf.Bytes()} {
		if err := os.WriteFile(filepath.Join(v, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return proxy, version
}

func inAny(rel string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(rel, d) {
			return true
		}
	}
	return false
}

// zipBuildInfo reads the build info of the zip's bootstrap (`go version -m`).
func zipBuildInfo(t *testing.T, z []byte) *buildinfo.BuildInfo {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	bin, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	bi, err := buildinfo.Read(bytes.NewReader(bin))
	if err != nil {
		t.Fatal(err)
	}
	return bi
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
