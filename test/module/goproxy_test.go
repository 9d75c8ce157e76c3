//go:build moto

package module

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// modulePath is the Go module a consumer runs cmd/package from.
const modulePath = "github.com/jwtauthz/terraform-aws-jwt-authorizer"

// trackedCopy copies the files git tracks in the checkout at root (as they
// are in the working tree; no dist/, nothing ignored) into a new git
// repository and commits them, as a release tag would hold them. It returns
// the repository's folder, the commit and its time.
func trackedCopy(t *testing.T, root string) (dir, commit string, when time.Time) {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	dir = t.TempDir()
	for _, rel := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, rel)
		fi, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the working tree, not yet committed
		}
		if err != nil {
			t.Fatal(err)
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=release", "-c", "user.email=release@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
		return strings.TrimSpace(string(b))
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "release")
	commit = git("rev-parse", "HEAD")
	sec := git("log", "-1", "--format=%ct")
	var unix int64
	if _, err := fmt.Sscan(sec, &unix); err != nil {
		t.Fatalf("commit time %q: %v", sec, err)
	}
	return dir, commit, time.Unix(unix, 0).UTC()
}

// writeModuleProxy lays out a file:// module proxy (the GOPROXY protocol:
// $module/@v/list, $version.info, .mod, .zip) serving the module in dir at
// a pseudo-version made from commit, and returns the proxy folder and the
// version.
func writeModuleProxy(t *testing.T, dir, commit string, when time.Time) (proxy, version string) {
	t.Helper()
	version = "v0.0.0-" + when.Format("20060102150405") + "-" + commit[:12]
	proxy = t.TempDir()
	v := filepath.Join(proxy, filepath.FromSlash(modulePath), "@v")
	if err := os.MkdirAll(v, 0o755); err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": when.Format(time.RFC3339)})
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	z := moduleZip(t, dir, version)
	for name, b := range map[string][]byte{"list": []byte(version + "\n"), version + ".info": info, version + ".mod": mod, version + ".zip": z} {
		if err := os.WriteFile(filepath.Join(v, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return proxy, version
}

// moduleZip builds the module zip the go command expects: every regular file
// under "$module@$version/", without .git, vendor/ and the folders of nested
// modules (bench/, tools/: they hold their own go.mod).
func moduleZip(t *testing.T, dir, version string) []byte {
	t.Helper()
	var files []string
	nested := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".git" || rel == "vendor" {
				return filepath.SkipDir
			}
			if rel != "." {
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					nested[rel] = true
					return filepath.SkipDir
				}
			}
			return nil
		}
		if d.Type().IsRegular() {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !nested["bench"] || !nested["tools"] {
		t.Fatalf("nested modules %v, want bench and tools left out", nested)
	}
	sort.Strings(files)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	prefix := modulePath + "@" + version + "/"
	for _, rel := range files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: path.Join(prefix, rel), Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
