package keys

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// clock is an injectable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// jwksDoc returns a JWKS with one fresh P-256 key per kid.
func jwksDoc(t testing.TB, kids ...string) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for _, kid := range kids {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.Public(), KeyID: kid, Algorithm: "ES256", Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// issuer is an httptest OIDC issuer whose key set and health can change.
type issuer struct {
	srv        *httptest.Server
	jwks       atomic.Pointer[[]byte]
	status     atomic.Int32 // 0 → 200
	hang       atomic.Bool
	fetches    atomic.Int32 // JWKS requests
	discovered atomic.Int32 // discovery requests
}

func newIssuer(t testing.TB, kids ...string) *issuer {
	t.Helper()
	is := &issuer{}
	is.set(jwksDoc(t, kids...))
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if is.hang.Load() {
			<-r.Context().Done()
			return
		}
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			is.discovered.Add(1)
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/jwks"})
		case "/jwks":
			is.fetches.Add(1)
			if s := is.status.Load(); s != 0 {
				w.WriteHeader(int(s))
				return
			}
			_, _ = w.Write(*is.jwks.Load())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) set(b []byte)                        { is.jwks.Store(&b) }
func (is *issuer) url() string                         { return is.srv.URL + "/jwks" }
func (is *issuer) down()                               { is.status.Store(http.StatusServiceUnavailable) }
func (is *issuer) up()                                 { is.status.Store(0) }
func (is *issuer) count() int                          { return int(is.fetches.Load()) }
func (is *issuer) current() []byte                     { return *is.jwks.Load() }
func (is *issuer) rotate(t testing.TB, kids ...string) { is.set(jwksDoc(t, kids...)) }

// memStore is a hand fake of Store.
type memStore struct {
	mu      sync.Mutex
	e       *Entry
	loadErr error
	saveErr error
	loads   int
	saves   int
}

func (s *memStore) Load(ctx context.Context) (Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loads++
	if s.loadErr != nil {
		return Entry{}, s.loadErr
	}
	if s.e == nil {
		return Entry{}, ErrNoEntry
	}
	return *s.e, nil
}

func (s *memStore) Save(ctx context.Context, e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saves++
	if s.saveErr != nil {
		return s.saveErr
	}
	if s.e == nil || s.e.FetchedAt.Before(e.FetchedAt) {
		s.e = &e
	}
	return nil
}

func (s *memStore) entry() *Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.e
}

func (s *memStore) counts() (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loads, s.saves
}

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newProvider(t testing.TB, o Options) (*Provider, *logBuf) {
	t.Helper()
	lb := &logBuf{}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewJSONHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p, lb
}

func mustKey(t testing.TB, p *Provider, kid string) *jose.JSONWebKey {
	t.Helper()
	k, err := p.Key(context.Background(), kid)
	p.settle() // the write-back to the store runs after the keys are published
	if err != nil {
		t.Fatalf("Key(%q): %v", kid, err)
	}
	if k.KeyID != kid {
		t.Fatalf("Key(%q) returned kid %q", kid, k.KeyID)
	}
	return k
}

func wantErr(t testing.TB, p *Provider, kid string, want error) {
	t.Helper()
	k, err := p.Key(context.Background(), kid)
	p.settle()
	if !errors.Is(err, want) || k != nil {
		t.Fatalf("Key(%q) = %v, %v; want %v", kid, k, err, want)
	}
}

func TestNewValidates(t *testing.T) {
	for name, o := range map[string]Options{
		"empty":    {},
		"relative": {JWKSURL: "/jwks"},
		"scheme":   {Issuer: "ftp://x"},
		"negative": {JWKSURL: "https://x/jwks", TTL: -1},
	} {
		if _, err := New(o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	p, err := New(Options{Issuer: "https://issuer.example"})
	if err != nil {
		t.Fatal(err)
	}
	if p.ttl != DefaultTTL || p.window != DefaultRefetchMinInterval || p.timeout != DefaultFetchTimeout {
		t.Fatalf("defaults: %v %v %v", p.ttl, p.window, p.timeout)
	}
}

func TestKeyFromJWKSURLAndMemory(t *testing.T) {
	is := newIssuer(t, "a", "b")
	p, _ := newProvider(t, Options{JWKSURL: is.url(), Now: newClock().Now})
	mustKey(t, p, "a")
	mustKey(t, p, "b")
	for range 100 {
		mustKey(t, p, "a")
	}
	if is.count() != 1 || is.discovered.Load() != 0 {
		t.Fatalf("fetches %d, discovery %d", is.count(), is.discovered.Load())
	}
}

func TestDiscovery(t *testing.T) {
	is := newIssuer(t, "a")
	clk := newClock()
	p, _ := newProvider(t, Options{Issuer: is.srv.URL, Now: clk.Now})
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustKey(t, p, "a")
	// A later refetch reuses the discovered jwks_uri.
	is.rotate(t, "b")
	clk.Add(DefaultRefetchMinInterval)
	mustKey(t, p, "b")
	if is.count() != 2 || is.discovered.Load() != 1 {
		t.Fatalf("fetches %d, discovery %d", is.count(), is.discovered.Load())
	}
}

func TestRotation(t *testing.T) {
	is := newIssuer(t, "old")
	clk := newClock()
	st := &memStore{}
	p, _ := newProvider(t, Options{JWKSURL: is.url(), Store: st, Now: clk.Now})
	oldKey := mustKey(t, p, "old")

	// The issuer adds "new" and drops "old".
	is.rotate(t, "new")
	clk.Add(DefaultRefetchMinInterval)
	mustKey(t, p, "new") // one refetch finds it
	if is.count() != 2 {
		t.Fatalf("fetches = %d", is.count())
	}
	// The refetch replaced the set: "old" no longer validates.
	wantErr(t, p, "old", ErrKeyNotFound)
	if is.count() != 2 {
		t.Fatalf("unknown kid inside the window fetched: %d", is.count())
	}
	// ... and refreshed the shared item.
	if e := st.entry(); e == nil || !strings.Contains(string(e.JWKS), `"new"`) || strings.Contains(string(e.JWKS), `"old"`) {
		t.Fatalf("stored entry not refreshed: %+v", e)
	}
	_ = oldKey
}

func TestPenaltyWindowSingleFlight(t *testing.T) {
	is := newIssuer(t, "a")
	clk := newClock()
	p, _ := newProvider(t, Options{JWKSURL: is.url(), Now: clk.Now})
	mustKey(t, p, "a")
	clk.Add(DefaultRefetchMinInterval) // the cold fetch's window is over

	run := func() (notFound int) {
		var wg sync.WaitGroup
		var nf atomic.Int32
		start := make(chan struct{})
		for i := range 1000 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := p.Key(context.Background(), "unknown-"+string(rune('a'+i%26)))
				if errors.Is(err, ErrKeyNotFound) {
					nf.Add(1)
				} else {
					t.Errorf("err = %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		return int(nf.Load())
	}
	if n := run(); n != 1000 {
		t.Fatalf("not found = %d", n)
	}
	if is.count() != 2 {
		t.Fatalf("fetches after 1000 concurrent unknown kids = %d, want 2 (cold + 1)", is.count())
	}
	// Still inside the window: no I/O.
	run()
	if is.count() != 2 {
		t.Fatalf("fetches inside the window = %d", is.count())
	}
	// After the window: exactly one more.
	clk.Add(DefaultRefetchMinInterval)
	run()
	if is.count() != 3 {
		t.Fatalf("fetches after the window = %d, want 3", is.count())
	}
	mustKey(t, p, "a") // known keys unaffected
}

func TestMemoryTTL(t *testing.T) {
	is := newIssuer(t, "a")
	clk := newClock()
	p, _ := newProvider(t, Options{JWKSURL: is.url(), TTL: time.Minute, Now: clk.Now})
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
	p, logs := newProvider(t, Options{JWKSURL: is.url(), TTL: time.Minute, Now: clk.Now})
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
	if n := strings.Count(logs.String(), "issuer fetch failed"); n != 1 {
		t.Fatalf("fault logged %d times:\n%s", n, logs)
	}
	// Garbage is a failure too: the held keys stay.
	is.up()
	is.set([]byte(`{"keys":[]}`))
	clk.Add(DefaultRefetchMinInterval)
	mustKey(t, p, "a")
	if is.count() != 3 {
		t.Fatalf("fetches = %d", is.count())
	}
	// Recovery.
	is.rotate(t, "b")
	clk.Add(DefaultRefetchMinInterval)
	mustKey(t, p, "b")
	wantErr(t, p, "a", ErrKeyNotFound)
}

func TestUnavailableThenRecovers(t *testing.T) {
	is := newIssuer(t, "a")
	is.down()
	clk := newClock()
	st := &memStore{loadErr: errors.New("dynamodb down")}
	p, logs := newProvider(t, Options{JWKSURL: is.url(), Store: st, Now: clk.Now})
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
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("log line is not one JSON object: %q", line)
		}
	}
	is.up()
	clk.Add(DefaultRefetchMinInterval)
	mustKey(t, p, "a")
	if _, saves := st.counts(); saves != 1 {
		t.Fatalf("saves = %d", saves)
	}
}

func TestStoreFirst(t *testing.T) {
	is := newIssuer(t, "a")
	clk := newClock()
	now := clk.Now()

	t.Run("fresh item, no issuer call", func(t *testing.T) {
		st := &memStore{e: &Entry{JWKS: is.current(), FetchedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}}
		p, _ := newProvider(t, Options{JWKSURL: is.url(), Store: st, Now: clk.Now})
		before := is.count()
		if err := p.Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
		mustKey(t, p, "a")
		if is.count() != before {
			t.Fatal("issuer called despite a fresh item")
		}
	})
	t.Run("miss writes", func(t *testing.T) {
		st := &memStore{}
		p, _ := newProvider(t, Options{JWKSURL: is.url(), Store: st, Now: clk.Now})
		mustKey(t, p, "a")
		e := st.entry()
		if e == nil || !e.FetchedAt.Equal(now) || !e.ExpiresAt.Equal(now.Add(DefaultTTL)) {
			t.Fatalf("entry = %+v", e)
		}
	})
	t.Run("expired item refetched and rewritten", func(t *testing.T) {
		old := jwksDoc(t, "gone")
		st := &memStore{e: &Entry{JWKS: old, FetchedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}}
		p, _ := newProvider(t, Options{JWKSURL: is.url(), Store: st, Now: clk.Now})
		before := is.count()
		mustKey(t, p, "a")
		wantErr(t, p, "gone", ErrKeyNotFound)
		if is.count() != before+1 || !st.entry().FetchedAt.Equal(now) {
			t.Fatalf("fetches %d, entry %+v", is.count()-before, st.entry())
		}
	})
	t.Run("item TTL capped by ours", func(t *testing.T) {
		st := &memStore{e: &Entry{JWKS: is.current(), FetchedAt: now.Add(-2 * time.Minute), ExpiresAt: now.Add(time.Hour)}}
		p, _ := newProvider(t, Options{JWKSURL: is.url(), Store: st, TTL: time.Minute, Now: clk.Now})
		before := is.count()
		mustKey(t, p, "a")
		if is.count() != before+1 {
			t.Fatal("item older than our TTL was used")
		}
	})
	t.Run("corrupt item", func(t *testing.T) {
		st := &memStore{e: &Entry{JWKS: []byte("garbage"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}}
		p, logs := newProvider(t, Options{JWKSURL: is.url(), Store: st, Now: clk.Now})
		mustKey(t, p, "a")
		if !strings.Contains(logs.String(), "DynamoDB load failed") {
			t.Fatalf("logs: %s", logs)
		}
	})
	t.Run("load error falls back to issuer, save error continues", func(t *testing.T) {
		st := &memStore{loadErr: errors.New("boom"), saveErr: errors.New("bang")}
		p, logs := newProvider(t, Options{JWKSURL: is.url(), Store: st, Now: clk.Now})
		mustKey(t, p, "a")
		if !strings.Contains(logs.String(), "DynamoDB load failed") || !strings.Contains(logs.String(), "DynamoDB save failed") {
			t.Fatalf("logs: %s", logs)
		}
	})
	t.Run("issuer down, expired item served stale", func(t *testing.T) {
		down := newIssuer(t, "x")
		down.down()
		st := &memStore{e: &Entry{JWKS: is.current(), FetchedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}}
		p, _ := newProvider(t, Options{JWKSURL: down.url(), Store: st, Now: clk.Now})
		mustKey(t, p, "a")
	})
}

func TestUnknownKidUsesNewerItem(t *testing.T) {
	is := newIssuer(t, "a")
	clk := newClock()
	st := &memStore{}
	p, _ := newProvider(t, Options{JWKSURL: is.url(), Store: st, Now: clk.Now})
	mustKey(t, p, "a")

	// Another instance already fetched the rotated set.
	clk.Add(DefaultRefetchMinInterval)
	now := clk.Now()
	st.mu.Lock()
	st.e = &Entry{JWKS: jwksDoc(t, "a2"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}
	st.mu.Unlock()
	mustKey(t, p, "a2")
	if is.count() != 1 {
		t.Fatalf("issuer called although the item had the kid: %d", is.count())
	}
	// An item not newer than the held set is ignored: the issuer decides.
	clk.Add(DefaultRefetchMinInterval)
	wantErr(t, p, "nope", ErrKeyNotFound)
	if is.count() != 2 {
		t.Fatalf("fetches = %d", is.count())
	}
}

func TestIssuerHangBounded(t *testing.T) {
	is := newIssuer(t, "a")
	is.hang.Store(true)
	timeout := 300 * time.Millisecond
	p, _ := newProvider(t, Options{JWKSURL: is.url(), FetchTimeout: timeout, Store: &memStore{}})
	start := time.Now()
	wantErr(t, p, "a", ErrUnavailable)
	if d := time.Since(start); d > timeout+500*time.Millisecond {
		t.Fatalf("verdict took %v", d)
	}
	// With discovery too, one timeout covers both requests.
	p, _ = newProvider(t, Options{Issuer: is.srv.URL, FetchTimeout: timeout})
	start = time.Now()
	wantErr(t, p, "a", ErrUnavailable)
	if d := time.Since(start); d > timeout+500*time.Millisecond {
		t.Fatalf("verdict with discovery took %v", d)
	}
}

func TestCallerContextEndsWait(t *testing.T) {
	is := newIssuer(t, "a")
	is.hang.Store(true)
	p, _ := newProvider(t, Options{JWKSURL: is.url(), FetchTimeout: 500 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := p.Key(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestHotPathNoAlloc(t *testing.T) {
	is := newIssuer(t, "a")
	p, _ := newProvider(t, Options{JWKSURL: is.url()})
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
	p, _ := newProvider(b, Options{JWKSURL: is.url()})
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

func TestPrivateMaterialNeverStored(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: k, KeyID: "leaked", Algorithm: "ES256"},
		{Key: k.Public(), KeyID: "a", Algorithm: "ES256"},
	}})
	is := newIssuer(t, "x")
	is.set(doc)
	st := &memStore{}
	p, logs := newProvider(t, Options{JWKSURL: is.url(), Store: st, Now: newClock().Now})
	mustKey(t, p, "a")
	wantErr(t, p, "leaked", ErrKeyNotFound)
	if e := st.entry(); e == nil || strings.Contains(string(e.JWKS), `"d"`) || strings.Contains(string(e.JWKS), "leaked") {
		t.Fatalf("stored: %s", st.entry().JWKS)
	}
	if !strings.Contains(logs.String(), "key dropped") {
		t.Fatalf("drop not logged: %s", logs)
	}
}

func TestCallerHTTPClientKeepsRedirectRule(t *testing.T) {
	is := newIssuer(t, "a")
	redirector := httptest.NewServer(http.RedirectHandler(is.url(), http.StatusFound))
	defer redirector.Close()
	p, _ := newProvider(t, Options{JWKSURL: redirector.URL, HTTPClient: &http.Client{}})
	wantErr(t, p, "a", ErrUnavailable)
	if is.count() != 0 {
		t.Fatal("followed a cross-host redirect")
	}
}

func TestReadersDuringRotation(t *testing.T) {
	is := newIssuer(t, "a", "b")
	clk := newClock()
	p, _ := newProvider(t, Options{JWKSURL: is.url(), TTL: time.Second, RefetchMinInterval: time.Millisecond, Now: clk.Now})
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

func TestWindowRunsFromStoredFetch(t *testing.T) {
	is := newIssuer(t, "a")
	clk := newClock()
	now := clk.Now()
	st := &memStore{e: &Entry{JWKS: is.current(), FetchedAt: now.Add(-2 * time.Second), ExpiresAt: now.Add(time.Hour)}}
	p, _ := newProvider(t, Options{JWKSURL: is.url(), Store: st, Now: clk.Now})
	mustKey(t, p, "a")
	// Another instance asked the issuer 2 s ago: no refetch for 8 s more.
	wantErr(t, p, "unknown", ErrKeyNotFound)
	clk.Add(DefaultRefetchMinInterval - 3*time.Second)
	wantErr(t, p, "unknown", ErrKeyNotFound)
	if is.count() != 0 {
		t.Fatalf("issuer requests inside the shared window = %d", is.count())
	}
	clk.Add(time.Second)
	wantErr(t, p, "unknown", ErrKeyNotFound)
	if is.count() != 1 {
		t.Fatalf("issuer requests after the window = %d", is.count())
	}
}
