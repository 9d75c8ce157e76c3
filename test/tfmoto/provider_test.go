package tfmoto

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestInstalled(t *testing.T) {
	// The test binary stands in for a provider: a Go binary, linked from
	// the data folder as init links a mirror's.
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	d := filepath.Join(data, "providers", "registry.terraform.io", "hashicorp", "aws", "6.47.1", runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(exe, filepath.Join(d, "terraform-provider-aws_v6.47.1")); err != nil {
		t.Fatal(err)
	}
	ps, err := Installed(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Source != "registry.terraform.io/hashicorp/aws" || ps[0].Version != "6.47.1" {
		t.Fatalf("Installed = %+v, want registry.terraform.io/hashicorp/aws 6.47.1", ps)
	}
	if ps, err := Installed(t.TempDir()); err != nil || len(ps) != 0 {
		t.Errorf("Installed(empty) = %v, %v; want none", ps, err)
	}
	if b := build(fakeProvider(t, t.TempDir(), mirrorVersion)); b != "" {
		t.Errorf("build(script) = %q, want empty: a script has no Go build information", b)
	}
}

func TestDescribe(t *testing.T) {
	const mod = "github.com/hashicorp/terraform-provider-aws"
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"go install of a pseudo-version", debug.BuildInfo{Main: debug.Module{Path: mod, Version: "v1.60.1-0.20260602190131-5f2286d6d836"}},
			mod + " v1.60.1-0.20260602190131-5f2286d6d836"},
		{"release build from a checkout", debug.BuildInfo{
			Main:     debug.Module{Path: mod, Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "f7a3b98da589ab1d52756b0dcee0dbf2de83d635"}},
		}, "commit f7a3b98da589ab1d52756b0dcee0dbf2de83d635"},
		{"nothing recorded", debug.BuildInfo{Main: debug.Module{Path: mod, Version: "(devel)"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describe(&tt.info); got != tt.want {
				t.Errorf("describe = %q, want %q", got, tt.want)
			}
		})
	}
	p := Provider{Source: "registry.terraform.io/hashicorp/aws", Version: "6.47.1", Build: mod + " v1.60.1-0.20260602190131-5f2286d6d836"}
	if got, want := p.String(), "registry.terraform.io/hashicorp/aws 6.47.1 ("+mod+" v1.60.1-0.20260602190131-5f2286d6d836)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestProviderSource(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, rc, want string }{
		{"mirror", "provider_installation {\n  filesystem_mirror {\n    path    = \"/opt/tf-plugins\"\n  }\n}\n", "filesystem mirror /opt/tf-plugins"},
		{"registry", "# no provider mirror\n", "the registry, no filesystem mirror"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := filepath.Join(dir, tt.name+".rc")
			if err := os.WriteFile(rc, []byte(tt.rc), 0o644); err != nil {
				t.Fatal(err)
			}
			if got, want := providerSource(rc), tt.want+" (CLI config "+rc+")"; got != want {
				t.Errorf("providerSource = %q, want %q", got, want)
			}
		})
	}
}
