package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/bench/internal/fixture"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/bench/verdict"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

type suite struct {
	o       *options
	r       *Results
	closers []func()
	// built holds the bootstraps and packages built so far, by name.
	built   map[string]string
	iss     *issuer
	motoSrv *moto.Server
	db      *dynamodb.Client
}

func (s *suite) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

func (s *suite) fixture() error {
	dir := filepath.Join(s.o.out, "fixture")
	f, err := fixture.Generate(dir, s.o.tokens)
	if err != nil {
		return err
	}
	t := f.RS256.Tokens[0]
	parts := strings.Split(t, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var pretty map[string]any
	_ = json.Unmarshal(payload, &pretty)
	sample, _ := json.MarshalIndent(pretty, "", "  ")
	s.r.Fixture = FixtureInfo{
		Tokens: len(f.RS256.Tokens), TokenBytes: len(t), ES256Bytes: len(f.ES256.Tokens[0]),
		PayloadBytes: len(payload), Issuer: f.Issuer, Audience: f.Audience, ClientID: f.ClientID,
		RequiredScope: f.RequiredScope, Dir: dir, ClaimsSample: string(sample), f: f,
	}
	logf("fixture: %d tokens per algorithm in %s (RS256 token %d bytes)", len(f.RS256.Tokens), dir, len(t))
	return nil
}

// benchLine: BenchmarkVerdict/alg=RS256/impl=ours-2  12345  45678 ns/op  1234 B/op  12 allocs/op
var pairedLine = regexp.MustCompile(`^BenchmarkPaired/alg=(\w+)/impl=([\w-]+?)(?:-\d+)?\s+\d+\s.*?([0-9.]+) x-floor`)

var benchLine = regexp.MustCompile(`^BenchmarkVerdict/alg=(\w+)/impl=([\w-]+?)(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op(?:\s+([0-9.]+) B/op\s+([0-9.]+) allocs/op)?`)

func (s *suite) warm() error {
	fx := s.r.Fixture.Dir
	env := []string{"BENCH_FIXTURE=" + fx}
	w := &s.r.Warm
	w.GoCount, w.Benchtime, w.KeysKind = s.o.count, s.o.benchtime, verdict.KeysKind

	// Correctness of every Go harness first (valid tokens accepted, bad
	// ones refused), then the benchmarks.
	if _, err := s.command(s.o.benchDir, env, "go", "test", "-count=1", "-run", "TestHarnesses", "./verdict/"); err != nil {
		return err
	}
	out, err := s.command(s.o.benchDir, env, "go", "test", "-run", "^$", "-bench", "^(BenchmarkVerdict|BenchmarkPaired)$",
		"-benchmem", "-count", strconv.Itoa(s.o.count), "-benchtime", s.o.benchtime, "./verdict/")
	if err != nil {
		return err
	}
	w.RawGo = string(out)
	labels := map[string]string{}
	for _, h := range verdict.Harnesses {
		labels[h.Name] = h.Label
	}
	rows := map[string]*WarmRow{}
	paired := map[string][]float64{}
	var order []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if m := pairedLine.FindStringSubmatch(sc.Text()); m != nil {
			x, _ := strconv.ParseFloat(m[3], 64)
			paired[m[1]+"/"+m[2]] = append(paired[m[1]+"/"+m[2]], x)
			continue
		}
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		key := m[1] + "/" + m[2]
		row := rows[key]
		if row == nil {
			row = &WarmRow{Alg: m[1], Impl: m[2], Label: labels[m[2]]}
			rows[key] = row
			order = append(order, key)
		}
		ns, _ := strconv.ParseFloat(m[3], 64)
		row.Samples = append(row.Samples, ns)
		if m[4] != "" {
			row.BytesPerOp, _ = strconv.ParseFloat(m[4], 64)
			row.AllocsPerOp, _ = strconv.ParseFloat(m[5], 64)
		}
	}
	if len(rows) == 0 {
		return fmt.Errorf("no benchmark lines in go test output")
	}
	w.Rows = w.Rows[:0]
	for _, k := range order {
		rows[k].Median = median(rows[k].Samples)
		if p := paired[k]; len(p) > 0 {
			rows[k].Paired, rows[k].PairedMedian = p, median(p)
		}
		w.Rows = append(w.Rows, *rows[k])
	}

	// aws-jwt-verify on Node: correctness, then timing.
	node := filepath.Join(s.o.benchDir, "node")
	for _, alg := range []string{"RS256", "ES256"} {
		if _, err := s.command(node, nil, "node", "warm.mjs", fx, "--alg", alg, "--check"); err != nil {
			return err
		}
		if s.o.smoke {
			continue
		}
		out, err := s.command(node, nil, "node", "warm.mjs", fx, "--alg", alg, "--rounds", strconv.Itoa(s.o.count), "--seconds", "2")
		if err != nil {
			return err
		}
		var res struct {
			Rounds []float64 `json:"rounds"`
			Median float64   `json:"median"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			return fmt.Errorf("parse node output %q: %w", out, err)
		}
		w.Rows = append(w.Rows, WarmRow{Alg: alg, Impl: "aws-jwt-verify", Label: "aws-jwt-verify 5.2.1 (Node " + s.r.Machine.Node + "), verifySync, cacheJwks",
			Samples: res.Rounds, Median: median(res.Rounds)})
	}

	// OpenSSL's own RSA and P-256 verify, the native reference.
	secs := "3"
	if s.o.smoke {
		secs = "1"
	}
	w.OpenSSL = w.OpenSSL[:0]
	for _, t := range []struct{ alg, test string }{{"RS256", "rsa2048"}, {"ES256", "ecdsap256"}} {
		out, err := s.command(s.o.root, nil, "openssl", "speed", "-seconds", secs, t.test)
		if err != nil {
			return err
		}
		vps, err := opensslVerifyPerSecond(string(out))
		if err != nil {
			return fmt.Errorf("openssl speed %s: %w", t.test, err)
		}
		w.OpenSSL = append(w.OpenSSL, Native{Alg: t.alg, Test: t.test, VerifyPS: vps, NsPerOp: 1e9 / vps, RawOutput: lastLines(string(out), 3)})
	}
	if !s.o.smoke {
		if err := s.profile(env); err != nil {
			return err
		}
	}
	s.r.Machine.LoadEnd = load1()
	for _, row := range w.Rows {
		logf("warm %s %-15s %9.0f ns/verdict, paired %.2f× floor", row.Alg, row.Impl, row.Median, row.PairedMedian)
	}
	for _, n := range w.OpenSSL {
		logf("warm %s openssl %9.0f ns/verify", n.Alg, n.NsPerOp)
	}
	return nil
}

// opensslVerifyPerSecond reads the last figure of the result line:
//
//	rsa 2048 bits 0.000654s 0.000019s   1529.0  52632.0
//	 256 bits ecdsa (nistp256)   0.0000s   0.0001s  38000.0  12000.0
func opensslVerifyPerSecond(out string) (float64, error) {
	var last float64
	found := false
	for _, line := range strings.Split(out, "\n") {
		if !(strings.Contains(line, "rsa 2048 bits") || strings.Contains(line, "ecdsa (nistp256)")) {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			continue
		}
		last, found = v, true
	}
	if !found {
		return 0, fmt.Errorf("no result line in %q", tail(out, 500))
	}
	return last, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	i := int(math.Ceil(p*float64(len(c)))) - 1
	if i < 0 {
		i = 0
	}
	return c[i]
}
