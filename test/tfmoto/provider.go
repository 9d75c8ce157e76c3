package tfmoto

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
)

// Provider is a provider plugin that `terraform init` installed into a data
// folder: what a run actually used, whatever the constraints allowed.
type Provider struct {
	Source  string // registry.terraform.io/hashicorp/aws
	Version string // 6.47.1
	// Build names the source the binary was built from, read from its Go
	// build information: the module version when it was built with
	// `go install module@version` (a pseudo-version carries the commit), and
	// the VCS commit when the release process recorded it. Empty for a
	// binary that carries no Go build information.
	Build string
}

func (p Provider) String() string {
	s := p.Source + " " + p.Version
	if p.Build != "" {
		s += " (" + p.Build + ")"
	}
	return s
}

// Installed lists the providers in a Terraform data folder (TF_DATA_DIR,
// .terraform by default), sorted by source. An empty list means init has
// not installed anything there.
func Installed(dataDir string) ([]Provider, error) {
	// providers/<host>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>*
	bins, err := filepath.Glob(filepath.Join(dataDir, "providers", "*", "*", "*", "*", "*", "terraform-provider-*"))
	if err != nil {
		return nil, fmt.Errorf("list providers: %w", err)
	}
	var ps []Provider
	for _, bin := range bins {
		platform := filepath.Dir(bin)
		version := filepath.Dir(platform)
		typ := filepath.Dir(version)
		ns := filepath.Dir(typ)
		host := filepath.Dir(ns)
		ps = append(ps, Provider{
			Source:  filepath.Base(host) + "/" + filepath.Base(ns) + "/" + filepath.Base(typ),
			Version: filepath.Base(version),
			Build:   build(bin),
		})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].Source < ps[j].Source })
	return ps, nil
}

// build describes where a provider binary comes from, from its Go build
// information (symbolic links into a mirror or a plugin cache are followed).
func build(bin string) string {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return ""
	}
	return describe(info)
}

// describe names a binary's source from its build information.
func describe(info *debug.BuildInfo) string {
	var parts []string
	if v := info.Main.Version; v != "" && v != "(devel)" {
		parts = append(parts, info.Main.Path+" "+v)
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			parts = append(parts, "commit "+s.Value)
		}
	}
	return strings.Join(parts, ", ")
}

// LogProviders logs the providers installed in dataDir, one line each, as
// "tfmoto: provider used: <source> <version> (<build>)", so every test
// states the provider it ran against (make test-provider6 checks the lines).
func LogProviders(t testing.TB, dataDir string) {
	t.Helper()
	ps, err := Installed(dataDir)
	if err != nil {
		t.Logf("tfmoto: provider used: unknown: %v", err)
		return
	}
	if len(ps) == 0 {
		t.Logf("tfmoto: provider used: none installed in %s (init did not run)", dataDir)
	}
	for _, p := range ps {
		t.Logf("tfmoto: provider used: %s", p)
	}
}

// providerSource describes where the CLI config rc makes Terraform take the
// hashicorp providers from, for the log.
func providerSource(rc string) string {
	b, err := os.ReadFile(rc)
	if err != nil {
		return fmt.Sprintf("CLI config %s unreadable: %v", rc, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok && strings.TrimSpace(k) == "path" {
			return fmt.Sprintf("filesystem mirror %s (CLI config %s)", strings.Trim(strings.TrimSpace(v), `"`), rc)
		}
	}
	return fmt.Sprintf("the registry, no filesystem mirror (CLI config %s)", rc)
}
