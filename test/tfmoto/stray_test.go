package tfmoto

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// A provider named like hashicorp/aws that sits somewhere on the disk (the Go
// module cache holds terraform-provider-aws* files once the 6.x provider is
// built, a user may keep old plugins in ~/.terraform.d) must change nothing:
// the CLI config .ci/terraformrc writes is the same, and init installs the
// provider of the mirror it names. The strays are fakes of a higher version
// than the mirror's, so picking one would show as the installed version.

const (
	mirrorVersion = "5.100.0"
	strayVersion  = "6.99.0"
)

// fakeProvider writes an unpacked-mirror entry for hashicorp/aws version
// under root. Init installs providers without running them, so a script will do.
func fakeProvider(t *testing.T, root, version string) string {
	t.Helper()
	d := filepath.Join(root, "registry.terraform.io", "hashicorp", "aws", version, runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(d, "terraform-provider-aws_v"+version+"_x5")
	if err := os.WriteFile(p, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// sandbox is a HOME, XDG data folder, Go module cache and configuration
// folder of its own, so the test sees no file of the machine's.
type sandbox struct {
	home, xdg, gomodcache, config string
}

func newSandbox(t *testing.T) sandbox {
	t.Helper()
	tmp := t.TempDir()
	s := sandbox{
		home:       filepath.Join(tmp, "home"),
		xdg:        filepath.Join(tmp, "xdg"),
		gomodcache: filepath.Join(tmp, "gomodcache"),
		config:     filepath.Join(tmp, "config"),
	}
	for _, d := range []string{s.home, s.xdg, s.gomodcache, s.config} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tf := "terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0, < 7.0\"\n    }\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(s.config, "main.tf"), []byte(tf), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s sandbox) env(extra ...string) []string {
	env := []string{
		"HOME=" + s.home, "XDG_DATA_HOME=" + s.xdg, "GOMODCACHE=" + s.gomodcache, "PATH=" + os.Getenv("PATH"),
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", // no version check over the network
	}
	return append(env, extra...)
}

// strayPlaces are the places a stray provider is put: where a disk search
// would find one, and the implicit local mirrors Terraform itself reads when
// a CLI config has no provider_installation block.
var strayPlaces = map[string]func(sandbox) string{
	"go module cache": func(s sandbox) string {
		return filepath.Join(s.gomodcache, "github.com", "hashicorp", "terraform-provider-aws@v1.60.1-0.20260602190131-5f2286d6d836", "mirror")
	},
	"home plugins":         func(s sandbox) string { return filepath.Join(s.home, ".terraform.d", "plugins") },
	"xdg plugins":          func(s sandbox) string { return filepath.Join(s.xdg, "terraform", "plugins") },
	"configuration folder": func(s sandbox) string { return filepath.Join(s.config, "terraform.d", "plugins") },
}

func terraformrc(t *testing.T, s sandbox, extraEnv ...string) string {
	t.Helper()
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(t.TempDir(), "terraform.rc")
	cmd := exec.Command(filepath.Join(root, ".ci", "terraformrc"), rc)
	cmd.Dir = s.config
	cmd.Env = s.env(extraEnv...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf(".ci/terraformrc: %v\n%s", err, out)
	}
	b, err := os.ReadFile(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// initProviders runs terraform init in the sandbox's configuration folder
// with the CLI config rc and returns what it installed.
func initProviders(t *testing.T, s sandbox, rc string) []Provider {
	t.Helper()
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("terraform not on PATH: the tests need it (see the README's prerequisites)")
	}
	data := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(tf, "init", "-upgrade", "-backend=false", "-input=false", "-no-color")
	cmd.Dir = s.config
	cmd.Env = s.env("TF_CLI_CONFIG_FILE="+rc, "TF_DATA_DIR="+data)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}
	ps, err := Installed(data)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestStrayProviderChangesNothing(t *testing.T) {
	clean := newSandbox(t)
	mirror := filepath.Join(t.TempDir(), "mirror")
	fakeProvider(t, mirror, mirrorVersion)
	wantRC := terraformrc(t, clean, "TF_PROVIDER_MIRROR="+mirror)
	// Without TF_PROVIDER_MIRROR the script's answer depends on the machine
	// (/opt/tf-plugins or the registry), but never on a stray file.
	wantDefaultRC := terraformrc(t, clean)

	for place, dir := range strayPlaces {
		t.Run(place, func(t *testing.T) {
			s := newSandbox(t)
			stray := fakeProvider(t, dir(s), strayVersion)

			rc := terraformrc(t, s, "TF_PROVIDER_MIRROR="+mirror)
			if rc != wantRC {
				t.Errorf("CLI config changed by %s:\n%s\nwant:\n%s", stray, rc, wantRC)
			}
			if got := terraformrc(t, s); got != wantDefaultRC || strings.Contains(got, strayVersion) {
				t.Errorf("default CLI config changed by %s:\n%s\nwant:\n%s", stray, got, wantDefaultRC)
			}
			rcFile := filepath.Join(t.TempDir(), "terraform.rc")
			if err := os.WriteFile(rcFile, []byte(rc), 0o644); err != nil {
				t.Fatal(err)
			}
			ps := initProviders(t, s, rcFile)
			if len(ps) != 1 || ps[0].Source != "registry.terraform.io/hashicorp/aws" || ps[0].Version != mirrorVersion {
				t.Errorf("init installed %v, want hashicorp/aws %s from the mirror (stray %s)", ps, mirrorVersion, stray)
			}
		})
	}
}

// TestStrayProviderSeen is the control: with a CLI config that names no
// mirror, Terraform reads its implicit local mirrors and picks the stray, so
// the check above would see a stray that leaked into the choice.
func TestStrayProviderSeen(t *testing.T) {
	s := newSandbox(t)
	fakeProvider(t, strayPlaces["home plugins"](s), strayVersion)
	rc := filepath.Join(t.TempDir(), "terraform.rc")
	if err := os.WriteFile(rc, []byte("# no provider_installation block\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ps := initProviders(t, s, rc)
	if len(ps) != 1 || ps[0].Version != strayVersion {
		t.Fatalf("init installed %v, want the stray hashicorp/aws %s", ps, strayVersion)
	}
}
