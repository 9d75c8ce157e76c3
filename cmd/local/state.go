package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// StateDir is the folder, inside the consumer's configuration, holding
// everything a run keeps. OverrideFile is the provider override written next
// to their configuration; it matches the usual *_override.tf ignore pattern.
const (
	StateDir     = ".local"
	OverrideFile = "local_moto_override.tf"
)

// ErrNotUp is returned by token and down when no run is recorded.
var ErrNotUp = errors.New("no local run in this folder (run up first)")

// state is .local/state.json: what a run started, for token and down.
type state struct {
	Root         string    `json:"root"`
	UpPID        int       `json:"upPid"`
	Ready        bool      `json:"ready"`
	MotoEndpoint string    `json:"motoEndpoint"`
	MotoPID      int       `json:"motoPid,omitempty"` // 0: moto was running already
	IssuerURL    string    `json:"issuerUrl"`
	Audience     string    `json:"audience"`
	LocalRun     *localRun `json:"localRun,omitempty"` // set once terraform runs
	LockFile     *lockCopy `json:"lockFile"`
	Gateways     []served  `json:"gateways,omitempty"`
}

// lockCopy is the configuration's .terraform.lock.hcl as up found it.
type lockCopy struct {
	Existed bool   `json:"existed"`
	Content []byte `json:"content,omitempty"`
}

// served is one REST API stage behind a local gateway.
type served struct {
	Name      string `json:"name"`
	RestAPIID string `json:"restApiId"`
	Stage     string `json:"stage"`
	URL       string `json:"url"`
}

// paths are the files of a run under root.
type paths struct{ root string }

func (p paths) dir() string         { return filepath.Join(p.root, StateDir) }
func (p paths) state() string       { return filepath.Join(p.dir(), "state.json") }
func (p paths) logs() string        { return filepath.Join(p.dir(), "logs") }
func (p paths) log(n string) string { return filepath.Join(p.logs(), n+".log") }
func (p paths) key() string         { return filepath.Join(p.dir(), "issuer-key.pem") }
func (p paths) dist() string        { return filepath.Join(p.dir(), "dist") }
func (p paths) data() string        { return filepath.Join(p.dir(), "terraform") }
func (p paths) tfstate() string     { return filepath.Join(p.dir(), "terraform.tfstate") }
func (p paths) work() string        { return filepath.Join(p.dir(), "work") }
func (p paths) override() string    { return filepath.Join(p.root, OverrideFile) }
func (p paths) lockFile() string    { return filepath.Join(p.root, ".terraform.lock.hcl") }

func rootOf(chdir string) (paths, error) {
	abs, err := filepath.Abs(chdir)
	if err != nil {
		return paths{}, fmt.Errorf("resolve -chdir %s: %w", chdir, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return paths{}, fmt.Errorf("-chdir %s: not a folder", chdir)
	}
	return paths{root: abs}, nil
}

// openRun parses a command's flags (chdir among them) and reads the run
// recorded in that folder.
func openRun(fs *flag.FlagSet, args []string, chdir *string) (paths, *state, error) {
	_ = fs.Parse(args)
	p, err := rootOf(*chdir)
	if err != nil {
		return paths{}, nil, err
	}
	st, err := p.load()
	return p, st, err
}

func (p paths) save(st *state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	tmp := p.state() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := os.Rename(tmp, p.state()); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

func (p paths) load() (*state, error) {
	b, err := os.ReadFile(p.state())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", p.state(), ErrNotUp)
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("read state %s: %w", p.state(), err)
	}
	return &st, nil
}

// alive reports whether a process with this id exists.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
