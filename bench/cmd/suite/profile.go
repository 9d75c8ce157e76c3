package main

import (
	"bufio"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Profile is where the warm verdict of ours spends its time (RS256), from
// go test -cpuprofile and pprof -top -cum.
type Profile struct {
	Benchmark string         `json:"benchmark"`
	Shares    []ProfileShare `json:"shares"`
	Top       string         `json:"top"` // pprof output, trimmed
}

// ProfileShare is one function's cumulative share of the benchmark's samples.
type ProfileShare struct {
	What     string  `json:"what"`
	Function string  `json:"function"`
	Percent  float64 `json:"percent"`  // of the harness's own samples
	Overhead bool    `json:"overhead"` // work the floor does not do
}

// profiled are the functions whose cumulative share the report lists.
var profiled = []struct{ what, fn string }{
	{"the whole verdict (harness, incl. response JSON)", "verdict.newOurs.func1"},
	{"authorizer.Handler.Handle (the Lambda handler)", "authorizer.(*Handler).Handle"},
	{"token.Verifier.Verify", "token.(*Verifier).Verify"},
	{"RSA public-key operation (crypto/rsa.VerifyPKCS1v15) — the floor's work", "crypto/rsa.VerifyPKCS1v15"},
	{"… of which rebuilding the modulus (crypto/rsa.fipsPublicKey → bigmod.NewModulus)", "crypto/rsa.fipsPublicKey"},
	{"SHA-256 of the signing input", "crypto/sha256.Sum256"},
	{"token: strict segment decoding (decodeCompact)", "token.decodeCompact"},
	{"go-jose: parse the compact JWS (jwt.ParseSigned)", "go-jose/v4/jwt.ParseSigned"},
	{"token: header checks (checkHeader)", "token.checkHeader"},
	{"token: claims decoding (go-jose JSON, payloadShape.decode)", "token.payloadShape.decode"},
	{"go-jose: signature check (jwt.JSONWebToken.Claims, incl. the RSA check)", "go-jose/v4/jwt.(*JSONWebToken).Claims"},
	{"token: claim checks (Verifier.validate)", "token.(*Verifier).validate"},
	{"keys: Provider.Key", "keys.(*Provider).Key"},
	{"policy: methodArn parsing (ParseMethodARN)", "policy.ParseMethodARN"},
	{"policy: response (Builder.Response)", "policy.(*Builder).Response"},
	{"log: one slog JSON line (to io.Discard)", "log/slog.(*Logger).LogAttrs"},
	{"response JSON (encoding/json.Marshal, as the runtime encodes it)", "encoding/json.Marshal"},
	{"allocation (runtime.mallocgc)", "runtime.mallocgc"},
	{"garbage collection (runtime.gcBgMarkWorker)", "runtime.gcBgMarkWorker"},
}

// overheadParts are the shares that are neither the whole nor the floor's
// work nor a container of it: what the report names as the cost above the floor.
var overheadParts = map[string]bool{
	"token.decodeCompact": true, "go-jose/v4/jwt.ParseSigned": true, "token.checkHeader": true,
	"token.payloadShape.decode": true, "token.(*Verifier).validate": true,
	"keys.(*Provider).Key": true, "policy.ParseMethodARN": true, "policy.(*Builder).Response": true,
	"log/slog.(*Logger).LogAttrs": true, "encoding/json.Marshal": true, "runtime.mallocgc": true,
	"runtime.gcBgMarkWorker": true,
}

var pprofLine = regexp.MustCompile(`^\s*\S+\s+\S+%\s+\S+%\s+\S+\s+([0-9.]+)%\s+(.+)$`)

// profile profiles the RS256 "ours" benchmark (full runs only).
func (s *suite) profile(env []string) error {
	prof := filepath.Join(s.o.out, "ours-rs256.cpu.prof")
	bin := filepath.Join(s.o.out, "verdict.test")
	bench := "BenchmarkVerdict/alg=RS256/impl=ours$"
	if _, err := s.command(s.o.benchDir, env, "go", "test", "-run", "^$", "-bench", bench, "-benchtime", "5s",
		"-cpuprofile", prof, "-o", bin, "./verdict/"); err != nil {
		return err
	}
	return s.parseProfile(bench, bin, prof)
}

// parseProfile reads the profile with pprof into s.r.Warm.Profile.
func (s *suite) parseProfile(bench, bin, prof string) error {
	out, err := s.command(s.o.benchDir, nil, "go", "tool", "pprof", "-top", "-cum", "-nodecount", "400", bin, prof)
	if err != nil {
		return err
	}
	cum := map[string]float64{}
	var top []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		m := pprofLine.FindStringSubmatch(line)
		if m == nil {
			if len(top) < 6 {
				top = append(top, line)
			}
			continue
		}
		pct, _ := strconv.ParseFloat(m[1], 64)
		name := strings.TrimSuffix(strings.TrimSpace(m[2]), " (inline)")
		cum[name] = pct
		if len(top) < 60 && !strings.HasPrefix(name, "testing.") {
			top = append(top, line)
		}
	}
	find := func(suffix string) (string, float64, bool) {
		for name, pct := range cum {
			if strings.HasSuffix(name, suffix) {
				return name, pct, true
			}
		}
		return "", 0, false
	}
	_, whole, ok := find("verdict.newOurs.func1")
	if !ok || whole == 0 {
		whole = 100
	}
	p := &s.r.Warm.Profile
	*p = Profile{Benchmark: bench, Top: strings.Join(top, "\n")}
	for _, f := range profiled {
		name, pct, ok := find(f.fn)
		if !ok {
			continue
		}
		p.Shares = append(p.Shares, ProfileShare{What: f.what, Function: name, Percent: pct / whole * 100, Overhead: overheadParts[f.fn]})
	}
	return nil
}
