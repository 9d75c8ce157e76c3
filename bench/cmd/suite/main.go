// Command suite runs the whole benchmark suite of terraform-aws-jwt-authorizer
// and writes docs/benchmarks.md and docs/benchmarks.svg from what it measured.
// .ci/bench (what `make bench` calls) runs it from bench/:
//
//	go run ./cmd/suite                 # every figure, writes the docs
//	go run ./cmd/suite -smoke          # CI: each harness checked once, no timings kept
//	go run ./cmd/suite -report-only    # re-render the docs from build/bench/results.json
//
// Sections (each can be skipped with -skip warm,cold,like,footprint,caching):
//
//	warm       go test -bench over the 1000-token fixture (ours and the Go
//	           peers), node warm.mjs (aws-jwt-verify), openssl speed
//	cold       cold start under the Lambda RIE: bare Go Lambda, ours with keys
//	           from the DynamoDB item (moto), ours fetching from a 100 ms issuer
//	like       like-for-like cold start without RIE: Go program vs Node script
//	footprint  zip and binary sizes (arm64, x86_64), peak RSS after 10 000 verdicts
//	caching    authorizer invocations through the local gateway, TTL > 0 and 0
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

type options struct {
	smoke      bool
	reportOnly bool
	skip       map[string]bool
	root       string // the checkout
	benchDir   string // bench/
	out        string // build/bench
	docs       string // docs/
	count      int    // go test -count
	benchtime  string
	coldRuns   int
	verdicts   int // RSS: verdicts before reading VmHWM
	tokens     int
}

func main() {
	var o options
	var skip string
	flag.BoolVar(&o.smoke, "smoke", false, "check every harness once (CI): small fixture, 1 run each, docs untouched")
	flag.BoolVar(&o.reportOnly, "report-only", false, "render the docs from <out>/results.json without measuring")
	flag.StringVar(&skip, "skip", "", "comma-separated sections to skip: warm,cold,like,footprint,caching")
	flag.StringVar(&o.out, "out", "", "work folder (default <root>/build/bench, or build/bench-smoke with -smoke)")
	flag.IntVar(&o.count, "count", 5, "go test -count of the warm benchmarks")
	flag.StringVar(&o.benchtime, "benchtime", "1s", "go test -benchtime of the warm benchmarks")
	flag.IntVar(&o.coldRuns, "cold-runs", 21, "runs per cold-start variant (median reported)")
	flag.IntVar(&o.verdicts, "rss-verdicts", 10000, "verdicts before peak RSS is read")
	flag.Parse()
	o.skip = map[string]bool{}
	for _, s := range strings.Split(skip, ",") {
		if s = strings.TrimSpace(s); s != "" {
			o.skip[s] = true
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		fatal(err)
	}
	o.benchDir = wd
	if _, err := os.Stat(filepath.Join(wd, "cmd", "suite")); err != nil {
		fatal(fmt.Errorf("run from bench/ (go run ./cmd/suite)"))
	}
	o.root = filepath.Dir(wd)
	o.docs = filepath.Join(o.root, "docs")
	o.tokens = 1000
	if o.smoke {
		o.count, o.benchtime, o.coldRuns, o.verdicts, o.tokens = 1, "1x", 1, 200, 1000
	}
	if o.out == "" {
		o.out = filepath.Join(o.root, "build", map[bool]string{false: "bench", true: "bench-smoke"}[o.smoke])
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		fatal(err)
	}
	resultsPath := filepath.Join(o.out, "results.json")

	if o.reportOnly {
		var r Results
		b, err := os.ReadFile(resultsPath)
		if err == nil {
			err = json.Unmarshal(b, &r)
		}
		if err != nil {
			fatal(fmt.Errorf("read %s: %w", resultsPath, err))
		}
		// The profile's table follows the current list of profiled
		// functions when the profile of that run is still there.
		bin, prof := filepath.Join(o.out, "verdict.test"), filepath.Join(o.out, "ours-rs256.cpu.prof")
		if _, err := os.Stat(prof); err == nil && r.Warm.Profile.Benchmark != "" {
			s := &suite{o: &o, r: &r, built: map[string]string{}}
			cmds := r.Commands
			if err := s.parseProfile(r.Warm.Profile.Benchmark, bin, prof); err != nil {
				logf("re-read profile: %v", err)
			}
			r.Commands = cmds
		}
		if err := writeDocs(&o, &r); err != nil {
			fatal(err)
		}
		return
	}

	r := &Results{Smoke: o.smoke, Started: time.Now().UTC()}
	r.Machine = machine(&o)
	logf("machine: %s, %d cores, %s, node %s, %s", r.Machine.CPU, r.Machine.Cores, r.Machine.Go, r.Machine.Node, r.Machine.OpenSSL)

	s := &suite{o: &o, r: r, built: map[string]string{}}
	failed := false
	section := func(name string, fn func() error) {
		if o.skip[name] {
			logf("== %s: skipped", name)
			r.Skipped = append(r.Skipped, name)
			return
		}
		logf("== %s", name)
		start := time.Now()
		if err := fn(); err != nil {
			failed = true
			logf("!! %s: %v", name, err)
			r.Failures = append(r.Failures, fmt.Sprintf("%s: %v", name, err))
		}
		logf("== %s done in %s", name, time.Since(start).Round(time.Second))
		save(resultsPath, r)
	}
	section("fixture", s.fixture)
	section("warm", s.warm)
	section("cold", s.cold)
	section("like", s.like)
	section("footprint", s.footprint)
	section("caching", s.caching)
	s.close()
	r.Finished = time.Now().UTC()
	save(resultsPath, r)
	if o.smoke {
		if failed {
			logf("smoke: FAILED (%d failures)", len(r.Failures))
			for _, f := range r.Failures {
				logf("  %s", f)
			}
			os.Exit(1)
		}
		logf("smoke: every harness answered correctly")
		return
	}
	if err := writeDocs(&o, r); err != nil {
		fatal(err)
	}
	if failed {
		logf("finished with %d failures (recorded in the report)", len(r.Failures))
		os.Exit(1)
	}
}

func save(path string, r *Results) {
	b, _ := json.MarshalIndent(r, "", "  ")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		logf("write %s: %v", path, err)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func fatal(err error) {
	logf("suite: %v", err)
	os.Exit(1)
}

// command runs name args in dir with extra env and returns stdout; the
// command line is recorded for the report.
func (s *suite) command(dir string, env []string, name string, args ...string) ([]byte, error) {
	s.r.Commands = append(s.r.Commands, displayCommand(s.o, dir, env, name, args))
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	return out, nil
}

func displayCommand(o *options, dir string, env []string, name string, args []string) string {
	rel, err := filepath.Rel(o.root, dir)
	if err != nil {
		rel = dir
	}
	var b strings.Builder
	if rel != "." {
		fmt.Fprintf(&b, "(cd %s && ", rel)
	}
	for _, e := range env {
		b.WriteString(strings.ReplaceAll(e, o.root+"/", "") + " ")
	}
	b.WriteString(name)
	for _, a := range args {
		a = strings.ReplaceAll(a, o.root+"/", "")
		if strings.ContainsAny(a, " |()*'") {
			a = "'" + a + "'"
		}
		b.WriteString(" " + a)
	}
	if rel != "." {
		b.WriteString(")")
	}
	return b.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
