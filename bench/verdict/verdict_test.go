package verdict

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/bench/internal/fixture"
)

// BENCH_FIXTURE names the fixture folder (written by cmd/suite); without it
// the tests generate one under the test's temp folder.
var (
	fxOnce sync.Once
	fx     *fixture.Fixture
	fxErr  error
)

func load(tb testing.TB) *fixture.Fixture {
	tb.Helper()
	fxOnce.Do(func() {
		if dir := os.Getenv("BENCH_FIXTURE"); dir != "" {
			fx, fxErr = fixture.Load(dir)
			return
		}
		fx, fxErr = fixture.LoadOrGenerate(filepath.Join(os.TempDir(), "jwt-authorizer-bench-fixture"), 1000)
	})
	if fxErr != nil {
		tb.Fatal(fxErr)
	}
	return fx
}

// TestHarnesses checks that every harness accepts every token of the fixture
// with the right user id and refuses a tampered signature, a token of the
// other algorithm, and wrong claims: the benchmarks below measure verifiers
// that really check.
func TestHarnesses(t *testing.T) {
	f := load(t)
	for _, h := range Harnesses {
		for _, alg := range h.Algs {
			t.Run(h.Name+"/"+alg, func(t *testing.T) {
				v, _ := newWarm(t, h, f, alg)
				other := "ES256"
				if alg == "ES256" {
					other = "RS256"
				}
				tampered := tamper(f.Set(alg).Tokens[0])
				if _, err := v(tampered); err == nil {
					t.Fatal("tampered signature accepted")
				}
				if h.Name == "floor" {
					return // the floor reads no claims and knows only the fixture's tokens
				}
				if _, err := v(f.Set(other).Tokens[0]); err == nil {
					t.Fatalf("%s token accepted by the %s verifier", other, alg)
				}
				for name, tok := range f.Set(alg).Bad {
					if _, err := v(tok); err == nil {
						t.Errorf("%s accepted", name)
					}
				}
			})
		}
	}
}

// newWarm builds harness h for alg and has it accept every token of the
// fixture once: a valid token refused fails the test, and the first call of
// each harness pays lazy setup (key preparation, caches), which is not a warm
// verdict. It returns the verifier and the tokens.
func newWarm(tb testing.TB, h Harness, f *fixture.Fixture, alg string) (Func, []string) {
	tb.Helper()
	v, err := h.New(f, alg)
	if err != nil {
		tb.Fatal(err)
	}
	toks := f.Set(alg).Tokens
	for _, tok := range toks {
		if _, err := v(tok); err != nil {
			tb.Fatalf("valid token refused: %v", err)
		}
	}
	return v, toks
}

func tamper(tok string) string {
	i := strings.LastIndexByte(tok, '.')
	b := []byte(tok)
	// Flip a bit in the middle of the signature (never in the last
	// character, whose low bits may be padding).
	j := i + 1 + (len(tok)-i-1)/2
	if b[j] == 'A' {
		b[j] = 'B'
	} else {
		b[j] = 'A'
	}
	return string(b)
}

var sinkUser string

// BenchmarkVerdict: ns per verdict over the 1000 tokens of the fixture,
// round robin; every Go figure of the report comes from one run of it.
func BenchmarkVerdict(b *testing.B) {
	f := load(b)
	for _, alg := range []string{"RS256", "ES256"} {
		for _, h := range Harnesses {
			b.Run("alg="+alg+"/impl="+h.Name, func(b *testing.B) {
				v, toks := newWarm(b, h, f, alg)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					sinkUser, _ = v(toks[i%len(toks)])
				}
			})
		}
	}
}

// BenchmarkPaired interleaves each verifier with the floor verdict by
// verdict (floor on token i, then the verifier on token i), so both see the
// same machine state; on a shared machine whose load drifts this is the
// fair "same run" ratio. It reports the median over blocks of 100 pairs of
// (verifier time / floor time) as x-floor, and both ns per verdict.
func BenchmarkPaired(b *testing.B) {
	f := load(b)
	for _, alg := range []string{"RS256", "ES256"} {
		floor, err := NewFloor(f, alg)
		if err != nil {
			b.Fatal(err)
		}
		for _, h := range Harnesses {
			if h.Name == "floor" {
				continue
			}
			b.Run("alg="+alg+"/impl="+h.Name, func(b *testing.B) {
				v, toks := newWarm(b, h, f, alg)
				const block = 100
				var ratios []float64
				var bf, bv, tf, tv time.Duration
				n, total := 0, 0
				for i := 0; b.Loop(); i++ {
					t := toks[i%len(toks)]
					t0 := time.Now()
					_, _ = floor(t)
					t1 := time.Now()
					sinkUser, _ = v(t)
					t2 := time.Now()
					bf += t1.Sub(t0)
					bv += t2.Sub(t1)
					n++
					total++
					if n == block {
						ratios = append(ratios, float64(bv)/float64(bf))
						tf += bf
						tv += bv
						bf, bv, n = 0, 0, 0
					}
				}
				tf += bf
				tv += bv
				if len(ratios) == 0 {
					ratios = append(ratios, float64(tv)/float64(tf))
				}
				sort.Float64s(ratios)
				b.ReportMetric(ratios[len(ratios)/2], "x-floor")
				b.ReportMetric(float64(tv.Nanoseconds())/float64(total), "ns/verdict")
				b.ReportMetric(float64(tf.Nanoseconds())/float64(total), "floor-ns/verdict")
				b.ReportMetric(0, "ns/op") // an op is a pair; the metrics above say it
			})
		}
	}
}
