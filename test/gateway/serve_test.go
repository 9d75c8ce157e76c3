package gateway

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

func writeZip(t *testing.T, path string, files map[string]string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(0o755)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sum, err := zipSha(path)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestPrepareRefusals(t *testing.T) {
	dir := t.TempDir()
	sum := writeZip(t, filepath.Join(dir, "fn.zip"), map[string]string{"bootstrap": "#!/bin/sh\n"})
	zips, err := indexZips(dir)
	if err != nil {
		t.Fatal(err)
	}
	other := "arm64"
	if rie.HostArchitecture() == "arm64" {
		other = "x86_64"
	}
	host := rie.HostArchitecture()
	o := Options{Packages: dir, Emulator: "/bin/true"}
	cases := []struct {
		name string
		fn   Function
		want error
		text string
	}{
		{"other architecture", Function{Name: "a", Runtime: "provided.al2023", Architecture: other, CodeSha256: sum}, ErrPackage, "deployed for " + other},
		{"managed runtime", Function{Name: "b", Runtime: "python3.12", Architecture: host, CodeSha256: sum}, ErrUnsupported, "python3.12"},
		{"image", Function{Name: "c", Runtime: "provided.al2023", PackageType: "Image", Architecture: host}, ErrUnsupported, "Image"},
		{"hash not found", Function{Name: "d", Runtime: "provided.al2023", Architecture: host, CodeSha256: "AAAA"}, ErrPackage, "fn.zip=" + sum},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := prepare(&c.fn, o, zips, t.TempDir(), "us-east-1")
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("err = %v, want %v mentioning %q", err, c.want, c.text)
			}
		})
	}
	// The matching zip is unpacked with its executable bit.
	work := t.TempDir()
	f, err := prepare(&Function{Name: "ok", Runtime: "provided.al2023", Architecture: host, CodeSha256: sum}, o, zips, work, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, err := os.Stat(filepath.Join(work, "ok", "bootstrap"))
	if err != nil || st.Mode()&0o100 == 0 {
		t.Fatalf("bootstrap: %v %v", st, err)
	}
}

func TestUnzipRejectsEscapingPaths(t *testing.T) {
	dir := t.TempDir()
	writeZip(t, filepath.Join(dir, "evil.zip"), map[string]string{"../evil": "x"})
	if err := unzip(filepath.Join(dir, "evil.zip"), filepath.Join(dir, "out")); err == nil {
		t.Fatal("unzip accepted ../evil")
	}
	if _, err := os.Stat(filepath.Join(dir, "evil")); err == nil {
		t.Fatal("file written outside the folder")
	}
}

func TestNoPackages(t *testing.T) {
	if _, err := indexZips(t.TempDir()); !errors.Is(err, ErrPackage) {
		t.Fatalf("err = %v", err)
	}
}
