package keys

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// flood asks p for n unknown kids at once; every answer must be
// ErrKeyNotFound.
func flood(t *testing.T, p *Provider, n int) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			if _, err := p.Key(context.Background(), fmt.Sprintf("unknown-%d", i%26)); !errors.Is(err, ErrKeyNotFound) {
				t.Errorf("err = %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	p.settle()
}

func TestPenaltyWindowSingleFlight(t *testing.T) {
	w := newWorld(t, "a")
	p, _ := w.provider(t, nil)
	mustKey(t, p, "a")
	w.clk.Advance(testWindow) // the cold fetch's window is over

	flood(t, p, 1000)
	if w.iss.Fetches() != 2 {
		t.Fatalf("fetches after 1000 concurrent unknown kids = %d, want 2 (cold + 1)", w.iss.Fetches())
	}
	// Still inside the window: no I/O.
	flood(t, p, 1000)
	if w.iss.Fetches() != 2 {
		t.Fatalf("fetches inside the window = %d", w.iss.Fetches())
	}
	// After the window: exactly one more.
	w.clk.Advance(testWindow)
	flood(t, p, 1000)
	if w.iss.Fetches() != 3 {
		t.Fatalf("fetches after the window = %d, want 3", w.iss.Fetches())
	}
	mustKey(t, p, "a") // known keys unaffected
}

// TestZeroWindowHonoured: RefetchMinInterval 0 means no window: every
// unknown kid may fetch at once, with or without a store (no lease taken).
func TestZeroWindowHonoured(t *testing.T) {
	for _, withStore := range []bool{false, true} {
		t.Run(fmt.Sprintf("store=%v", withStore), func(t *testing.T) {
			w := newWorld(t, "a")
			st := &memStore{}
			o := w.options(nil)
			o.RefetchMinInterval = 0
			if withStore {
				o.Store = st
			}
			p, _ := newProvider(t, o)
			mustKey(t, p, "a")
			for i := range int64(3) {
				wantErr(t, p, "unknown", ErrKeyNotFound)
				if w.iss.Fetches() != i+2 {
					t.Fatalf("fetches = %d, want %d", w.iss.Fetches(), i+2)
				}
			}
			// Failures are retried at once too.
			w.iss.Fail(http.StatusServiceUnavailable)
			wantErr(t, p, "unknown", ErrKeyNotFound)
			wantErr(t, p, "unknown", ErrKeyNotFound)
			if w.iss.Fetches() != 6 {
				t.Fatalf("fetches while down = %d", w.iss.Fetches())
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
	w := newWorld(t, "a")
	st := &memStore{}
	fleet := make([]*Provider, instances)
	for i := range fleet {
		fleet[i], _ = w.provider(t, st)
		if err := fleet[i].Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if w.iss.Fetches() != 1 {
		t.Fatalf("cold starts fetched %d times; the item should have served all but the first", w.iss.Fetches())
	}
	for win := range int64(3) {
		w.clk.Advance(testWindow)
		var wg sync.WaitGroup
		for _, p := range fleet {
			wg.Go(func() { flood(t, p, 50) })
		}
		wg.Wait()
		if got, want := w.iss.Fetches(), 1+(win+1); got != want {
			t.Fatalf("window %d: issuer fetches = %d, want %d", win, got, want)
		}
	}

	// A genuine rotation: one instance learns the kid from the issuer, the
	// others from the item once their window is over, still one fetch.
	w.rotate("a", "new")
	w.clk.Advance(testWindow)
	mustKey(t, fleet[0], "new")
	fetches := w.iss.Fetches()
	for _, p := range fleet[1:] {
		if _, err := p.Key(context.Background(), "new"); err != nil && !errors.Is(err, ErrKeyNotFound) {
			t.Fatal(err)
		}
		p.settle()
	}
	w.clk.Advance(testWindow)
	for _, p := range fleet[1:] {
		mustKey(t, p, "new")
	}
	if w.iss.Fetches() != fetches {
		t.Fatalf("instances fetched the rotated kid themselves: %d → %d", fetches, w.iss.Fetches())
	}
}

// TestLease: each case starts from a provider that has fetched "a" once,
// with the store the case gives.
func TestLease(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   *memStore
		then func(t *testing.T, w *world, st *memStore, p *Provider, logs *jwttest.Log)
	}{
		{"lost: the newer item is adopted, no fetch", &memStore{}, func(t *testing.T, w *world, st *memStore, p *Provider, _ *jwttest.Log) {
			w.clk.Advance(testWindow)
			// Another instance holds the lease and wrote a newer set.
			now := w.clk.Now()
			st.put(Entry{JWKS: jwttest.NewJWKS("b"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)})
			st.lease = now.Add(testWindow)
			wantErr(t, p, "unknown", ErrKeyNotFound)
			if w.iss.Fetches() != 1 {
				t.Fatalf("fetched without the lease: %d", w.iss.Fetches())
			}
			mustKey(t, p, "b")
			wantErr(t, p, "a", ErrKeyNotFound)
		}},
		{"bogus lease far in the future is taken over", &memStore{}, func(t *testing.T, w *world, st *memStore, p *Provider, _ *jwttest.Log) {
			w.clk.Advance(testWindow)
			st.lease = time.Unix(1<<40, 0)
			w.rotate("a", "b")
			mustKey(t, p, "b")
			if w.iss.Fetches() != 2 {
				t.Fatalf("fetches = %d", w.iss.Fetches())
			}
		}},
		{"lease error: fetch anyway", &memStore{leaseErr: errors.New("throttled")}, func(t *testing.T, w *world, _ *memStore, p *Provider, logs *jwttest.Log) {
			w.clk.Advance(testWindow)
			w.rotate("a", "b")
			mustKey(t, p, "b")
			if len(logs.Records(t, "keys: refetch lease failed, fetching anyway")) != 1 {
				t.Fatalf("logs: %s", logs)
			}
		}},
		{"cold start and expiry take no lease", &memStore{lease: jwttest.Epoch.Add(time.Hour)}, func(t *testing.T, w *world, st *memStore, p *Provider, _ *jwttest.Log) {
			w.clk.Advance(testTTL)
			mustKey(t, p, "a")
			if w.iss.Fetches() != 2 || st.leases != 0 {
				t.Fatalf("fetches %d, leases %d", w.iss.Fetches(), st.leases)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, "a")
			p, logs := w.provider(t, tc.st)
			mustKey(t, p, "a")
			tc.then(t, w, tc.st, p, logs)
		})
	}
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
			w := newWorld(t, "a")
			w.iss.Hang(tc.issuerHangs)
			st := &memStore{hang: tc.storeHangs}
			tr := &deadlineTransport{}
			if tc.issuerLate {
				tr.late = timeout / 2 // room for the request on a loaded machine
			}
			o := options(w.iss.JWKSURL())
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
	w := newWorld(t, "a")
	p, _ := newProvider(t, options(w.iss.JWKSURL()))
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := p.Key(context.Background(), "a"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if w.iss.Fetches() != 1 {
		t.Fatalf("requests = %d", w.iss.Fetches())
	}
}
