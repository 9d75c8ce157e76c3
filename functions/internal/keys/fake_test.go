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

// Config's defaults, which the tests start from.
const (
	testTTL      = time.Hour
	testMaxStale = 24 * time.Hour
	testWindow   = 10 * time.Second
	testSkew     = time.Minute
	testTimeout  = 2 * time.Second
)

// options returns the Options authorizer.FromConfig would pass with the
// default settings and JWKS_URL=jwksURL; tests change what they test.
func options(jwksURL string) Options {
	return Options{
		JWKSURL:            jwksURL,
		TTL:                testTTL,
		MaxStale:           testMaxStale,
		RefetchMinInterval: testWindow,
		ClockSkew:          testSkew,
		FetchTimeout:       testTimeout,
	}
}

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

// memStore is a hand fake of Store with DynamoDB's conditions (see
// keystore): it may also fail, or hang until the caller's context ends.
type memStore struct {
	mu       sync.Mutex
	e        *Entry
	lease    time.Time // refetch_after; zero → never taken
	loadErr  error
	saveErr  error
	leaseErr error
	hang     bool
	loads    int
	saves    int
	leases   int
	won      int
	// deadlines of the contexts each call got, in call order
	deadlines []time.Time
}

// enter counts a call and, when the store hangs, blocks until ctx ends.
func (s *memStore) enter(ctx context.Context, n *int) error {
	s.mu.Lock()
	*n++
	d, _ := ctx.Deadline()
	s.deadlines = append(s.deadlines, d)
	hang := s.hang
	s.mu.Unlock()
	if hang {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (s *memStore) Load(ctx context.Context) (Entry, error) {
	if err := s.enter(ctx, &s.loads); err != nil {
		return Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loadErr != nil {
		return Entry{}, s.loadErr
	}
	if s.e == nil {
		return Entry{}, ErrNoEntry
	}
	return *s.e, nil
}

func (s *memStore) Save(ctx context.Context, e Entry, notAfter time.Time) error {
	if err := s.enter(ctx, &s.saves); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErr != nil {
		return s.saveErr
	}
	if s.e == nil || s.e.FetchedAt.Before(e.FetchedAt) || s.e.FetchedAt.After(notAfter) {
		s.e = &e
	}
	return nil
}

func (s *memStore) Lease(ctx context.Context, now, until, notAfter time.Time) (bool, error) {
	if err := s.enter(ctx, &s.leases); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.leaseErr != nil {
		return false, s.leaseErr
	}
	if s.lease.IsZero() || !s.lease.After(now) || s.lease.After(notAfter) {
		s.lease = until
		s.won++
		return true, nil
	}
	return false, nil
}

func (s *memStore) put(e Entry) {
	s.mu.Lock()
	s.e = &e
	s.mu.Unlock()
}

func (s *memStore) entry() *Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.e
}

func (s *memStore) counts() (loads, saves int) {
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

// lines returns the log lines whose message is msg.
func (l *logBuf) lines(t testing.TB, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not one JSON object: %q", line)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
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

// settle waits until the latest refresh's write-back to the store has ended.
func (p *Provider) settle() {
	p.mu.Lock()
	f := p.lastFlight
	p.mu.Unlock()
	if f != nil {
		<-f.saved
	}
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
