package keys

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
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
	is := newIssuer(t, "a", "b")
	o := options(is.url())
	o.Now = newClock().Now
	p, _ := newProvider(t, o)
	mustKey(t, p, "a")
	mustKey(t, p, "b")
	for range 100 {
		mustKey(t, p, "a")
	}
	if is.count() != 1 || is.discovered.Load() != 0 {
		t.Fatalf("fetches %d, discovery %d", is.count(), is.discovered.Load())
	}
}

func TestMemoryTTL(t *testing.T) {
	is := newIssuer(t, "a")
	clk := newClock()
	o := options(is.url())
	o.TTL, o.Now = time.Minute, clk.Now
	p, _ := newProvider(t, o)
	mustKey(t, p, "a")
	clk.Add(59 * time.Second)
	mustKey(t, p, "a")
	if is.count() != 1 {
		t.Fatalf("fetched before TTL: %d", is.count())
	}
	is.rotate(t, "b")
	clk.Add(time.Second)
	// Expired: the refresh replaces the set, so "a" is gone.
	wantErr(t, p, "a", ErrKeyNotFound)
	mustKey(t, p, "b")
	if is.count() != 2 {
		t.Fatalf("fetches = %d", is.count())
	}
}

func TestStaleIfError(t *testing.T) {
	is := newIssuer(t, "a")
	clk := newClock()
	o := options(is.url())
	o.TTL, o.Now = time.Minute, clk.Now
	p, logs := newProvider(t, o)
	want := mustKey(t, p, "a")

	is.down()
	clk.Add(time.Minute) // expired
	if got := mustKey(t, p, "a"); got != want {
		t.Fatal("stale key differs")
	}
	if is.count() != 2 {
		t.Fatalf("fetches = %d", is.count())
	}
	// Retries respect the window.
	for range 50 {
		mustKey(t, p, "a")
	}
	wantErr(t, p, "zzz", ErrKeyNotFound)
	if is.count() != 2 {
		t.Fatalf("fetches inside the window = %d", is.count())
	}
	if n := len(logs.lines(t, "keys: issuer fetch failed, serving the held keys")); n != 1 {
		t.Fatalf("fault logged %d times:\n%s", n, logs)
	}
	// Garbage is a failure too: the held keys stay.
	is.up()
	is.set([]byte(`{"keys":[]}`))
	clk.Add(testWindow)
	mustKey(t, p, "a")
	if is.count() != 3 {
		t.Fatalf("fetches = %d", is.count())
	}
	// Recovery.
	is.rotate(t, "b")
	clk.Add(testWindow)
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
			is := newIssuer(t, "withdrawn")
			clk := newClock()
			st := &memStore{}
			o := options(is.url())
			o.TTL, o.MaxStale, o.Store, o.Now = time.Hour, tc.maxStale, st, clk.Now
			p, _ := newProvider(t, o)
			mustKey(t, p, "withdrawn")
			is.down()

			clk.Add(time.Hour - time.Second)
			mustKey(t, p, "withdrawn") // fresh
			clk.Add(time.Second)       // TTL reached
			if tc.maxStale > 0 {
				mustKey(t, p, "withdrawn")
				clk.Add(tc.maxStale - time.Second)
				mustKey(t, p, "withdrawn")
				clk.Add(time.Second)
			}
			// Past TTL + MaxStale: neither the held set nor the stored
			// copy of it serves the key any longer.
			wantErr(t, p, "withdrawn", ErrUnavailable)
			clk.Add(90 * 24 * time.Hour)
			wantErr(t, p, "withdrawn", ErrUnavailable)
			cold, _ := newProvider(t, o)
			if err := cold.Warm(context.Background()); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("cold start with only an old item: %v", err)
			}
			wantErr(t, cold, "withdrawn", ErrUnavailable)

			// The issuer is back: keys again, the withdrawn one not.
			is.rotate(t, "current")
			is.up()
			clk.Add(testWindow)
			mustKey(t, p, "current")
			wantErr(t, p, "withdrawn", ErrKeyNotFound)
		})
	}
}

func TestUnavailableThenRecovers(t *testing.T) {
	is := newIssuer(t, "a")
	is.down()
	clk := newClock()
	st := &memStore{loadErr: errors.New("dynamodb down")}
	o := options(is.url())
	o.Store, o.Now = st, clk.Now
	p, logs := newProvider(t, o)
	if err := p.Warm(context.Background()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Warm = %v", err)
	}
	wantErr(t, p, "a", ErrUnavailable)
	if is.count() != 1 {
		t.Fatalf("fetches inside the window = %d", is.count())
	}
	if l, _ := st.counts(); l != 1 {
		t.Fatalf("loads inside the window = %d", l)
	}
	logs.lines(t, "") // every line is one JSON object
	is.up()
	clk.Add(testWindow)
	mustKey(t, p, "a")
	if _, saves := st.counts(); saves != 1 {
		t.Fatalf("saves = %d", saves)
	}
}

func TestCallerContextEndsWait(t *testing.T) {
	is := newIssuer(t, "a")
	is.hang.Store(true)
	o := options(is.url())
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
	doc := strings.Replace(string(jwksDoc(t, "a")), `"kid":"a"`, `"kid":"a","KID":"b"`, 1)
	if !strings.Contains(doc, `"KID":"b"`) {
		t.Fatalf("fixture: %s", doc)
	}
	is := newIssuer(t, "x")
	is.set([]byte(doc))
	clk := newClock()
	st := &memStore{}
	o := options(is.url())
	o.Store, o.Now = st, clk.Now
	warm, _ := newProvider(t, o)
	cold, _ := newProvider(t, o)
	raw := &memStore{}
	raw.put(Entry{JWKS: []byte(doc), FetchedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)})
	o.Store = raw
	coldRaw, _ := newProvider(t, o)

	for name, p := range map[string]*Provider{"issuer": warm, "item written back": cold, "raw item": coldRaw} {
		t.Run(name, func(t *testing.T) {
			mustKey(t, p, "a")
			wantErr(t, p, "b", ErrKeyNotFound)
			wantErr(t, p, "B", ErrKeyNotFound)
		})
	}
	if is.count() != 1 {
		t.Fatalf("issuer fetches = %d (the cold instances must read the items)", is.count())
	}
}

func TestHotPathNoAlloc(t *testing.T) {
	is := newIssuer(t, "a")
	p, _ := newProvider(t, options(is.url()))
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
	is := newIssuer(b, "a")
	p, _ := newProvider(b, options(is.url()))
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
	is := newIssuer(t, "a", "b")
	clk := newClock()
	o := options(is.url())
	o.TTL, o.RefetchMinInterval, o.Now = time.Second, time.Millisecond, clk.Now
	p, _ := newProvider(t, o)
	mustKey(t, p, "a")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
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
		}()
	}
	for range 20 {
		is.rotate(t, "a", "b")
		clk.Add(time.Second)
		mustKey(t, p, "b")
	}
	close(stop)
	wg.Wait()
	if is.count() < 20 {
		t.Fatalf("fetches = %d", is.count())
	}
}
