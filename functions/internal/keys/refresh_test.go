package keys

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// flood asks p for n unknown kids at once; every answer must be
// ErrKeyNotFound.
func flood(t *testing.T, p *Provider, n int) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := p.Key(context.Background(), fmt.Sprintf("unknown-%d", i%26)); !errors.Is(err, ErrKeyNotFound) {
				t.Errorf("err = %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	p.settle()
}

func TestPenaltyWindowSingleFlight(t *testing.T) {
	is := newIssuer(t, "a")
	clk := newClock()
	o := options(is.url())
	o.Now = clk.Now
	p, _ := newProvider(t, o)
	mustKey(t, p, "a")
	clk.Add(testWindow) // the cold fetch's window is over

	flood(t, p, 1000)
	if is.count() != 2 {
		t.Fatalf("fetches after 1000 concurrent unknown kids = %d, want 2 (cold + 1)", is.count())
	}
	// Still inside the window: no I/O.
	flood(t, p, 1000)
	if is.count() != 2 {
		t.Fatalf("fetches inside the window = %d", is.count())
	}
	// After the window: exactly one more.
	clk.Add(testWindow)
	flood(t, p, 1000)
	if is.count() != 3 {
		t.Fatalf("fetches after the window = %d, want 3", is.count())
	}
	mustKey(t, p, "a") // known keys unaffected
}

// TestZeroWindowHonoured: RefetchMinInterval 0 means no window: every
// unknown kid may fetch at once, with or without a store (no lease taken).
func TestZeroWindowHonoured(t *testing.T) {
	for _, withStore := range []bool{false, true} {
		t.Run(fmt.Sprintf("store=%v", withStore), func(t *testing.T) {
			is := newIssuer(t, "a")
			clk := newClock()
			st := &memStore{}
			o := options(is.url())
			o.RefetchMinInterval, o.Now = 0, clk.Now
			if withStore {
				o.Store = st
			}
			p, _ := newProvider(t, o)
			mustKey(t, p, "a")
			for i := range 3 {
				wantErr(t, p, "unknown", ErrKeyNotFound)
				if is.count() != i+2 {
					t.Fatalf("fetches = %d, want %d", is.count(), i+2)
				}
			}
			// Failures are retried at once too.
			is.down()
			wantErr(t, p, "unknown", ErrKeyNotFound)
			wantErr(t, p, "unknown", ErrKeyNotFound)
			if is.count() != 6 {
				t.Fatalf("fetches while down = %d", is.count())
			}
			if st.leases != 0 {
				t.Fatalf("leases taken without a window: %d", st.leases)
			}
		})
	}
}

// TestFleetRefetchWindow: instances sharing one store make at most one
// issuer fetch per window for unknown kids, whoever wins the lease; before,
// 20 instances made 60 fetches in 3 windows.
func TestFleetRefetchWindow(t *testing.T) {
	const instances = 20
	is := newIssuer(t, "a")
	clk := newClock()
	st := &memStore{}
	o := options(is.url())
	o.Store, o.Now = st, clk.Now
	fleet := make([]*Provider, instances)
	for i := range fleet {
		fleet[i], _ = newProvider(t, o)
		if err := fleet[i].Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if is.count() != 1 {
		t.Fatalf("cold starts fetched %d times; the item should have served all but the first", is.count())
	}
	for w := range 3 {
		clk.Add(testWindow)
		var wg sync.WaitGroup
		for _, p := range fleet {
			wg.Add(1)
			go func() {
				defer wg.Done()
				flood(t, p, 50)
			}()
		}
		wg.Wait()
		if got, want := is.count(), 1+(w+1); got != want {
			t.Fatalf("window %d: issuer fetches = %d, want %d", w, got, want)
		}
	}

	// A genuine rotation: one instance learns the kid from the issuer, the
	// others from the item once their window is over, still one fetch.
	is.rotate(t, "a", "new")
	clk.Add(testWindow)
	mustKey(t, fleet[0], "new")
	fetches := is.count()
	for _, p := range fleet[1:] {
		if _, err := p.Key(context.Background(), "new"); err != nil && !errors.Is(err, ErrKeyNotFound) {
			t.Fatal(err)
		}
		p.settle()
	}
	clk.Add(testWindow)
	for _, p := range fleet[1:] {
		mustKey(t, p, "new")
	}
	if is.count() != fetches {
		t.Fatalf("instances fetched the rotated kid themselves: %d → %d", fetches, is.count())
	}
}

func TestLease(t *testing.T) {
	t.Run("lost: the newer item is adopted, no fetch", func(t *testing.T) {
		is := newIssuer(t, "a")
		clk := newClock()
		st := &memStore{}
		o := options(is.url())
		o.Store, o.Now = st, clk.Now
		p, _ := newProvider(t, o)
		mustKey(t, p, "a")
		clk.Add(testWindow)
		// Another instance holds the lease and wrote a newer set.
		now := clk.Now()
		st.put(Entry{JWKS: jwksDoc(t, "b"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)})
		st.lease = now.Add(testWindow)
		wantErr(t, p, "unknown", ErrKeyNotFound)
		if is.count() != 1 {
			t.Fatalf("fetched without the lease: %d", is.count())
		}
		mustKey(t, p, "b")
		wantErr(t, p, "a", ErrKeyNotFound)
	})
	t.Run("bogus lease far in the future is taken over", func(t *testing.T) {
		is := newIssuer(t, "a")
		clk := newClock()
		st := &memStore{}
		o := options(is.url())
		o.Store, o.Now = st, clk.Now
		p, _ := newProvider(t, o)
		mustKey(t, p, "a")
		clk.Add(testWindow)
		st.lease = time.Unix(1<<40, 0)
		is.rotate(t, "a", "b")
		mustKey(t, p, "b")
		if is.count() != 2 {
			t.Fatalf("fetches = %d", is.count())
		}
	})
	t.Run("lease error: fetch anyway", func(t *testing.T) {
		is := newIssuer(t, "a")
		clk := newClock()
		st := &memStore{leaseErr: errors.New("throttled")}
		o := options(is.url())
		o.Store, o.Now = st, clk.Now
		p, logs := newProvider(t, o)
		mustKey(t, p, "a")
		clk.Add(testWindow)
		is.rotate(t, "a", "b")
		mustKey(t, p, "b")
		if len(logs.lines(t, "keys: refetch lease failed, fetching anyway")) != 1 {
			t.Fatalf("logs: %s", logs)
		}
	})
	t.Run("cold start and expiry take no lease", func(t *testing.T) {
		is := newIssuer(t, "a")
		clk := newClock()
		st := &memStore{lease: clk.Now().Add(time.Hour)}
		o := options(is.url())
		o.Store, o.Now = st, clk.Now
		p, _ := newProvider(t, o)
		mustKey(t, p, "a")
		clk.Add(testTTL)
		mustKey(t, p, "a")
		if is.count() != 2 || st.leases != 0 {
			t.Fatalf("fetches %d, leases %d", is.count(), st.leases)
		}
	})
}

// deadlineTransport records each request's context deadline and, when
// late is set, sends the request only `late` before that deadline: an
// issuer that answers in time, but late.
type deadlineTransport struct {
	late      time.Duration
	mu        sync.Mutex
	deadlines []time.Time
}

func (d *deadlineTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	dl, ok := r.Context().Deadline()
	d.mu.Lock()
	d.deadlines = append(d.deadlines, dl)
	d.mu.Unlock()
	if d.late > 0 && ok {
		select {
		case <-time.After(time.Until(dl) - d.late):
		case <-r.Context().Done():
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestColdStartBound: the first load ends within 2 × FetchTimeout whatever
// DynamoDB and the issuer do: every call runs under one deadline (checked
// exactly, from the contexts the fakes received) and Warm returns within
// 2 × FetchTimeout + 1 s (checked with that second of margin).
func TestColdStartBound(t *testing.T) {
	const timeout = 400 * time.Millisecond
	for _, tc := range []struct {
		name        string
		storeHangs  bool
		issuerHangs bool
		issuerLate  bool
		wantKey     bool
	}{
		{"store hangs, issuer answers late", true, false, true, true},
		{"store hangs, issuer hangs", true, true, false, false},
		{"store hangs, issuer answers", true, false, false, true},
		{"store answers, issuer hangs", false, true, false, false},
		{"store answers, issuer answers late", false, false, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := newIssuer(t, "a")
			is.hang.Store(tc.issuerHangs)
			st := &memStore{hang: tc.storeHangs}
			tr := &deadlineTransport{}
			if tc.issuerLate {
				tr.late = timeout / 2 // room for the request on a loaded machine
			}
			o := options(is.url())
			o.Store, o.FetchTimeout, o.HTTPClient = st, timeout, &http.Client{Transport: tr}
			p, _ := newProvider(t, o)

			start := time.Now()
			err := p.Warm(context.Background())
			elapsed := time.Since(start)
			p.settle() // a write-back Warm did not wait for has ended too
			if _, kerr := p.Key(context.Background(), "a"); (kerr == nil) != tc.wantKey {
				t.Fatalf("Key after Warm: %v (Warm: %v)", kerr, err)
			}
			if !tc.wantKey && !errors.Is(err, ErrUnavailable) {
				t.Fatalf("Warm = %v", err)
			}
			if bound := 2*timeout + time.Second; elapsed > bound {
				t.Errorf("Warm took %v, bound %v", elapsed, bound)
			}

			// The first Load's deadline is the load's start + timeout, so
			// the load's own deadline is that + timeout; nothing may run
			// past it, the write-back included.
			st.mu.Lock()
			storeDeadlines := append([]time.Time(nil), st.deadlines...)
			saves := st.saves
			st.mu.Unlock()
			if len(storeDeadlines) == 0 || storeDeadlines[0].IsZero() {
				t.Fatalf("store calls without deadline: %v", storeDeadlines)
			}
			limit := storeDeadlines[0].Add(timeout)
			tr.mu.Lock()
			all := append(storeDeadlines, tr.deadlines...)
			tr.mu.Unlock()
			for i, d := range all {
				if d.IsZero() || d.After(limit) {
					t.Errorf("call %d: deadline %v is %v past the load's", i, d, d.Sub(limit))
				}
			}
			if tc.wantKey && saves != 1 {
				t.Errorf("saves = %d", saves)
			}
		})
	}
}

// TestRefreshJoinsFlight: callers arriving during a refresh wait for it
// rather than starting their own.
func TestRefreshJoinsFlight(t *testing.T) {
	is := newIssuer(t, "a")
	var n atomic.Int32
	o := options(is.url())
	o.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	p, _ := newProvider(t, o)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Key(context.Background(), "a"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n.Load() != 1 {
		t.Fatalf("requests = %d", n.Load())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
