package keys

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
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

// world is what a Provider under test talks to: a fake issuer publishing
// one fresh key per kid, and a settable clock.
type world struct {
	iss *jwttest.Issuer
	doc []byte // the key set iss publishes at first
	clk *jwttest.Clock
}

func newWorld(t testing.TB, kids ...string) *world {
	t.Helper()
	w := &world{doc: jwttest.NewJWKS(kids...), iss: jwttest.NewIssuer(), clk: jwttest.NewClock(time.Time{})}
	w.iss.PublishJWKS(w.doc)
	t.Cleanup(w.iss.Close)
	return w
}

// options is options(JWKS URL) on the world's clock, with store st (nil: none).
func (w *world) options(st Store) Options {
	o := options(w.iss.JWKSURL())
	o.Store, o.Now = st, w.clk.Now
	return o
}

// provider is a Provider with w.options(st).
func (w *world) provider(t testing.TB, st Store) (*Provider, *jwttest.Log) {
	t.Helper()
	return newProvider(t, w.options(st))
}

// rotate publishes a fresh key per kid.
func (w *world) rotate(kids ...string) { w.iss.PublishJWKS(jwttest.NewJWKS(kids...)) }

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

func newProvider(t testing.TB, o Options) (*Provider, *jwttest.Log) {
	t.Helper()
	lb := &jwttest.Log{}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewJSONHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p, lb
}

// settle waits until every write-back to the store has ended (a refetch's
// runs after its keys are published).
func (p *Provider) settle() { p.behind.Wait() }

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
