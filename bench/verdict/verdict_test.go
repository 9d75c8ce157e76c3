package verdict

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
		dir := os.Getenv("BENCH_FIXTURE")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "jwt-authorizer-bench-fixture")
		}
		fx, fxErr = fixture.LoadOrGenerate(dir, 1000)
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
				v, err := h.New(f, alg)
				if err != nil {
					t.Fatal(err)
				}
				for _, tok := range f.Set(alg).Tokens {
					if _, err := v(tok); err != nil {
						t.Fatalf("valid token refused: %v", err)
					}
				}
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
				v, err := h.New(f, alg)
				if err != nil {
					b.Fatal(err)
				}
				toks := f.Set(alg).Tokens
				// Warm: the first call of each harness pays lazy setup
				// (key preparation, caches), which is not a warm verdict.
				for _, t := range toks {
					if sinkUser, err = v(t); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					sinkUser, _ = v(toks[i%len(toks)])
				}
			})
		}
	}
}
