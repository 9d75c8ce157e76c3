package keys

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

func TestNewValidates(t *testing.T) {
	for name, mutate := range map[string]func(*Options){
		"no source":          func(o *Options) { o.JWKSURL = "" },
		"zero TTL":           func(o *Options) { o.TTL = 0 },
		"zero timeout":       func(o *Options) { o.FetchTimeout = 0 },
		"negative max stale": func(o *Options) { o.MaxStale = -1 },
		"negative window":    func(o *Options) { o.RefetchMinInterval = -1 },
		"negative skew":      func(o *Options) { o.ClockSkew = -1 },
	} {
		o := options("https://issuer.example/jwks")
		mutate(&o)
		if _, err := New(o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// Zero means what it says: no window, no stale serving, no skew.
	o := options("https://issuer.example/jwks")
	o.RefetchMinInterval, o.MaxStale, o.ClockSkew = 0, 0, 0
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if p.window != 0 || p.maxStale != 0 || p.skew != 0 || p.ttl != testTTL || p.timeout != testTimeout {
		t.Fatalf("options changed: %v %v %v %v %v", p.window, p.maxStale, p.skew, p.ttl, p.timeout)
	}
}

func TestKeyFromJWKSURLAndMemory(t *testing.T) {
	w := newWorld(t, "a", "b")
	p, _ := w.provider(t, nil)
	mustKey(t, p, "a")
	mustKey(t, p, "b")
	for range 100 {
		mustKey(t, p, "a")
	}
	if w.iss.Fetches() != 1 || w.iss.Discoveries() != 0 {
		t.Fatalf("fetches %d, discovery %d", w.iss.Fetches(), w.iss.Discoveries())
	}
}

func TestMemoryTTL(t *testing.T) {
	w := newWorld(t, "a")
	o := w.options(nil)
	o.TTL = time.Minute
	p, _ := newProvider(t, o)
	mustKey(t, p, "a")
	w.clk.Advance(59 * time.Second)
	mustKey(t, p, "a")
	if w.iss.Fetches() != 1 {
		t.Fatalf("fetched before TTL: %d", w.iss.Fetches())
	}
	w.rotate("b")
	w.clk.Advance(time.Second)
	// Expired: the refresh replaces the set, so "a" is gone.
	wantErr(t, p, "a", ErrKeyNotFound)
	mustKey(t, p, "b")
	if w.iss.Fetches() != 2 {
		t.Fatalf("fetches = %d", w.iss.Fetches())
	}
}

func TestStaleIfError(t *testing.T) {
	w := newWorld(t, "a")
	o := w.options(nil)
	o.TTL = time.Minute
	p, logs := newProvider(t, o)
	want := mustKey(t, p, "a")

	w.iss.Fail(http.StatusServiceUnavailable)
	w.clk.Advance(time.Minute) // expired
	if got := mustKey(t, p, "a"); got != want {
		t.Fatal("stale key differs")
	}
	if w.iss.Fetches() != 2 {
		t.Fatalf("fetches = %d", w.iss.Fetches())
	}
	// Retries respect the window.
	for range 50 {
		mustKey(t, p, "a")
	}
	wantErr(t, p, "zzz", ErrKeyNotFound)
	if w.iss.Fetches() != 2 {
		t.Fatalf("fetches inside the window = %d", w.iss.Fetches())
	}
	if n := len(logs.Records(t, "keys: issuer fetch failed, serving the held keys")); n != 1 {
		t.Fatalf("fault logged %d times:\n%s", n, logs)
	}
	// Garbage is a failure too: the held keys stay.
	w.iss.Fail(0)
	w.iss.PublishJWKS([]byte(`{"keys":[]}`))
	w.clk.Advance(testWindow)
	mustKey(t, p, "a")
	if w.iss.Fetches() != 3 {
		t.Fatalf("fetches = %d", w.iss.Fetches())
	}
	// Recovery.
	w.rotate("b")
	w.clk.Advance(testWindow)
	mustKey(t, p, "b")
	wantErr(t, p, "a", ErrKeyNotFound)
}

// TestMaxStale: a key the issuer withdrew is served stale while the issuer
// fails, but never past TTL + MaxStale; MaxStale 0 stops at TTL.
func TestMaxStale(t *testing.T) {
	for _, tc := range []struct {
		name     string
		maxStale time.Duration
	}{
		{"a day", 24 * time.Hour},
		{"zero", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, "withdrawn")
			clk := w.clk
			o := w.options(&memStore{})
			o.TTL, o.MaxStale = time.Hour, tc.maxStale
			p, _ := newProvider(t, o)
			mustKey(t, p, "withdrawn")
			w.iss.Fail(http.StatusServiceUnavailable)

			clk.Advance(time.Hour - time.Second)
			mustKey(t, p, "withdrawn") // fresh
			clk.Advance(time.Second)   // TTL reached
			if tc.maxStale > 0 {
				mustKey(t, p, "withdrawn")
				clk.Advance(tc.maxStale - time.Second)
				mustKey(t, p, "withdrawn")
				clk.Advance(time.Second)
			}
			// Past TTL + MaxStale: neither the held set nor the stored
			// copy of it serves the key any longer.
			wantErr(t, p, "withdrawn", ErrUnavailable)
			clk.Advance(90 * 24 * time.Hour)
			wantErr(t, p, "withdrawn", ErrUnavailable)
			cold, _ := newProvider(t, o)
			if err := cold.Warm(context.Background()); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("cold start with only an old item: %v", err)
			}
			wantErr(t, cold, "withdrawn", ErrUnavailable)

			// The issuer is back: keys again, the withdrawn one not.
			w.rotate("current")
			w.iss.Fail(0)
			clk.Advance(testWindow)
			mustKey(t, p, "current")
			wantErr(t, p, "withdrawn", ErrKeyNotFound)
		})
	}
}

func TestUnavailableThenRecovers(t *testing.T) {
	w := newWorld(t, "a")
	w.iss.Fail(http.StatusServiceUnavailable)
	st := &memStore{loadErr: errors.New("dynamodb down")}
	p, logs := w.provider(t, st)
	if err := p.Warm(context.Background()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Warm = %v", err)
	}
	wantErr(t, p, "a", ErrUnavailable)
	if w.iss.Fetches() != 1 {
		t.Fatalf("fetches inside the window = %d", w.iss.Fetches())
	}
	if l, _ := st.counts(); l != 1 {
		t.Fatalf("loads inside the window = %d", l)
	}
	logs.Records(t, "") // every line is one JSON object
	w.iss.Fail(0)
	w.clk.Advance(testWindow)
	mustKey(t, p, "a")
	if _, saves := st.counts(); saves != 1 {
		t.Fatalf("saves = %d", saves)
	}
}

func TestCallerContextEndsWait(t *testing.T) {
	w := newWorld(t, "a")
	w.iss.Hang(true)
	o := options(w.iss.JWKSURL())
	o.FetchTimeout = time.Second
	p, _ := newProvider(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Key(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

// TestKIDCaseWarmAndCold: a member with "kid":"a" and "KID":"b" is filed
// under go-jose's KeyID ("a") whether this instance fetched it from the
// issuer or a cold one read it from the item: same verdicts on both.
func TestKIDCaseWarmAndCold(t *testing.T) {
	doc := strings.Replace(string(jwttest.NewJWKS("a")), `"kid":"a"`, `"kid":"a","KID":"b"`, 1)
	if !strings.Contains(doc, `"KID":"b"`) {
		t.Fatalf("fixture: %s", doc)
	}
	w := newWorld(t, "x")
	w.iss.PublishJWKS([]byte(doc))
	st := &memStore{}
	warm, _ := w.provider(t, st)
	cold, _ := w.provider(t, st)
	raw := &memStore{}
	raw.put(Entry{JWKS: []byte(doc), FetchedAt: w.clk.Now(), ExpiresAt: w.clk.Now().Add(time.Hour)})
	coldRaw, _ := w.provider(t, raw)

	for name, p := range map[string]*Provider{"issuer": warm, "item written back": cold, "raw item": coldRaw} {
		t.Run(name, func(t *testing.T) {
			mustKey(t, p, "a")
			wantErr(t, p, "b", ErrKeyNotFound)
			wantErr(t, p, "B", ErrKeyNotFound)
		})
	}
	if w.iss.Fetches() != 1 {
		t.Fatalf("issuer fetches = %d (the cold instances must read the items)", w.iss.Fetches())
	}
}

func TestHotPathNoAlloc(t *testing.T) {
	w := newWorld(t, "a")
	p, _ := newProvider(t, options(w.iss.JWKSURL()))
	mustKey(t, p, "a")
	ctx := context.Background()
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := p.Key(ctx, "a"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("allocs per hit = %v", allocs)
	}
}

func BenchmarkKeyHit(b *testing.B) {
	w := newWorld(b, "a")
	p, _ := newProvider(b, options(w.iss.JWKSURL()))
	mustKey(b, p, "a")
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.Key(ctx, "a"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestReadersDuringRotation(t *testing.T) {
	w := newWorld(t, "a", "b")
	o := w.options(nil)
	o.TTL, o.RefetchMinInterval = time.Second, time.Millisecond
	p, _ := newProvider(t, o)
	mustKey(t, p, "a")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := p.Key(context.Background(), "a"); err != nil {
					t.Errorf("Key(a): %v", err)
					return
				}
			}
		})
	}
	for range 20 {
		w.rotate("a", "b")
		w.clk.Advance(time.Second)
		mustKey(t, p, "b")
	}
	close(stop)
	wg.Wait()
	if w.iss.Fetches() < 20 {
		t.Fatalf("fetches = %d", w.iss.Fetches())
	}
}
