// Package keys provides the issuer's public keys to the token verifier:
// memory first, then the shared DynamoDB item (through Store), then the
// issuer itself.
//
// Behaviour:
//
//   - Warm invocations are served from an immutable in-memory map swapped
//     atomically; a hit takes no lock and allocates nothing.
//   - The held set expires TTL after it was fetched from the issuer (the
//     fetch time travels with the DynamoDB item, so a set loaded from the
//     item expires with it). An expired set is refreshed (DynamoDB, then
//     the issuer); if that fails the held keys keep being served
//     (stale-if-error).
//   - A kid that is not held triggers one refresh that goes to the issuer,
//     unless the DynamoDB item is newer than the held set and has the kid.
//     The refresh replaces the set: keys the issuer removed stop validating.
//   - Refreshes are single-flight: concurrent callers wait for the one in
//     flight. Issuer fetches are spaced by RefetchMinInterval (the penalty
//     window, which also runs from the fetched_at of a set loaded from
//     DynamoDB, so the fleet shares it); inside the window a caller that
//     needs a refresh gets its answer from what is held, without I/O
//     (ErrKeyNotFound, a stale key, or ErrUnavailable when nothing is held).
//   - Every fault (DynamoDB or issuer) is logged as one slog line and never
//     fatal. DynamoDB failing on load falls back to the issuer; failing on
//     save is logged and ignored.
//   - Each issuer refresh (discovery and JWKS together) is bounded by
//     FetchTimeout, and so is each DynamoDB call, independently of the
//     caller's context; a caller whose context ends stops waiting.
package keys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
)

// Defaults for zero Options fields.
const (
	DefaultTTL                = time.Hour
	DefaultRefetchMinInterval = 10 * time.Second
	DefaultFetchTimeout       = jwks.DefaultTimeout
)

// Sentinel errors.
var (
	// ErrKeyNotFound: keys are held but none has the kid (after a refetch,
	// or inside the penalty window).
	ErrKeyNotFound = errors.New("keys: key not found")
	// ErrUnavailable: no keys are held and neither DynamoDB nor the issuer
	// could provide them.
	ErrUnavailable = errors.New("keys: no keys available")
	// ErrNoEntry is what a Store's Load wraps when it holds no entry.
	ErrNoEntry = errors.New("keys: no stored entry")
	// ErrInvalidOptions is returned by New.
	ErrInvalidOptions = errors.New("keys: invalid options")
)

// Entry is what a Store keeps: the JWKS as JSON (public keys only, as
// re-encoded by jwks.ParseSet), when it was fetched from the issuer and
// when it expires (FetchedAt + TTL). Times have second precision.
type Entry struct {
	JWKS      []byte
	FetchedAt time.Time
	ExpiresAt time.Time
}

// Store is the shared cache (the DynamoDB item); *keystore.Dynamo
// satisfies it. Load returns an error wrapping ErrNoEntry when there is
// nothing stored. Save must never let an older entry replace a newer one.
// A nil Options.Store means memory only.
type Store interface {
	Load(ctx context.Context) (Entry, error)
	Save(ctx context.Context, e Entry) error
}

// Options configures a Provider. Issuer or JWKSURL is required.
type Options struct {
	Issuer  string // discovery: <Issuer>/.well-known/openid-configuration
	JWKSURL string // empty → discovered from Issuer

	Store Store // nil → memory only

	TTL                time.Duration // default DefaultTTL
	RefetchMinInterval time.Duration // default DefaultRefetchMinInterval
	FetchTimeout       time.Duration // default DefaultFetchTimeout

	HTTPClient *http.Client     // nil → jwks.NewHTTPClient(FetchTimeout)
	Logger     *slog.Logger     // nil → discard
	Now        func() time.Time // nil → time.Now (tests inject a clock)
}

// Provider serves public keys by kid. It is safe for concurrent use.
type Provider struct {
	issuer  string
	jwksURL string
	store   Store
	ttl     time.Duration
	window  time.Duration
	timeout time.Duration
	client  *jwks.Client
	log     *slog.Logger
	now     func() time.Time

	cur atomic.Pointer[keySet]

	mu         sync.Mutex
	flight     *flight   // the refresh in progress, if any
	lastFlight *flight   // the latest refresh that ended; Warm waits for its write-back
	nextIssuer time.Time // earliest start of the next issuer fetch
	lastErr    error     // fault of the last refresh, for ErrUnavailable

	// discovered is the jwks_uri found by discovery; only the running
	// refresh (at most one at a time) reads or writes it.
	discovered string
}

// keySet is immutable once published through Provider.cur.
type keySet struct {
	keys      map[string]*jose.JSONWebKey
	json      []byte
	fetchedAt time.Time
	expiresAt time.Time
}

type flight struct {
	done  chan struct{} // closed when the new set is published (or the refresh failed)
	saved chan struct{} // closed when the write-back to DynamoDB, if any, has ended
	err   error
	// storeFailed: DynamoDB failed during this refresh, so Warm does not
	// hold a cold start for its write-back (it would only add a timeout).
	storeFailed bool
}

// New validates opts and returns a Provider holding no keys yet (see Warm).
func New(opts Options) (*Provider, error) {
	if opts.Issuer == "" && opts.JWKSURL == "" {
		return nil, fmt.Errorf("new key provider: %w: Issuer or JWKSURL is required", ErrInvalidOptions)
	}
	for _, u := range []string{opts.Issuer, opts.JWKSURL} {
		if u == "" {
			continue
		}
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
			return nil, fmt.Errorf("new key provider: %w: %q is not an absolute http(s) URL", ErrInvalidOptions, u)
		}
	}
	if opts.TTL < 0 || opts.RefetchMinInterval < 0 || opts.FetchTimeout < 0 {
		return nil, fmt.Errorf("new key provider: %w: negative duration", ErrInvalidOptions)
	}
	p := &Provider{
		issuer:  opts.Issuer,
		jwksURL: opts.JWKSURL,
		store:   opts.Store,
		ttl:     orDefault(opts.TTL, DefaultTTL),
		window:  orDefault(opts.RefetchMinInterval, DefaultRefetchMinInterval),
		timeout: orDefault(opts.FetchTimeout, DefaultFetchTimeout),
		log:     opts.Logger,
		now:     opts.Now,
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = jwks.NewHTTPClient(p.timeout)
	}
	p.client = jwks.NewClient(hc, p.log)
	return p, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Key returns the public key with the given kid.
//
// Errors: ErrKeyNotFound when keys are held but none matches, ErrUnavailable
// when no keys could be obtained, or the context's error when ctx ends while
// waiting for a refresh and nothing held matches (wrapped together with
// ErrUnavailable when nothing at all is held).
func (p *Provider) Key(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	if s := p.cur.Load(); s != nil {
		if k, ok := s.keys[kid]; ok && p.now().Before(s.expiresAt) {
			return k, nil
		}
	}
	return p.slowKey(ctx, kid)
}

func (p *Provider) slowKey(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	waitErr := p.refresh(ctx, kid, false)
	s := p.cur.Load()
	if s != nil {
		// Fresh after the refresh, or stale because it failed or was
		// skipped: either way the best key we have.
		if k, ok := s.keys[kid]; ok {
			return k, nil
		}
	}
	empty := s == nil || len(s.keys) == 0
	if waitErr != nil && ctx.Err() != nil {
		if empty {
			return nil, fmt.Errorf("wait for keys: %w: %w", ErrUnavailable, ctx.Err())
		}
		return nil, fmt.Errorf("wait for keys: %w", ctx.Err())
	}
	if empty {
		p.mu.Lock()
		last := p.lastErr
		p.mu.Unlock()
		if last != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, last)
		}
		return nil, ErrUnavailable
	}
	return nil, fmt.Errorf("find key %.64q: %w", kid, ErrKeyNotFound)
}

// settle waits until the latest refresh's write-back to DynamoDB has ended.
func (p *Provider) settle() {
	p.mu.Lock()
	f := p.lastFlight
	p.mu.Unlock()
	if f != nil {
		<-f.saved
	}
}

// Warm loads the keys (DynamoDB, then the issuer) unless a fresh set is
// held. It returns an error wrapping ErrUnavailable only when no keys at all
// are held afterwards; the Provider keeps retrying on demand, so the error
// is informational and must not stop the function.
func (p *Provider) Warm(ctx context.Context) error {
	_ = p.refresh(ctx, "", true)
	// At cold start nothing waits on us yet and the environment is not
	// frozen, so let the write-back land: the next cold start then reads it.
	p.mu.Lock()
	f := p.lastFlight
	p.mu.Unlock()
	if f != nil && !f.storeFailed {
		select {
		case <-f.saved:
		case <-ctx.Done():
		}
	}
	if s := p.cur.Load(); s != nil && len(s.keys) > 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("warm keys: %w: %w", ErrUnavailable, err)
	}
	p.mu.Lock()
	last := p.lastErr
	p.mu.Unlock()
	if last != nil {
		return fmt.Errorf("warm keys: %w: %w", ErrUnavailable, last)
	}
	return fmt.Errorf("warm keys: %w", ErrUnavailable)
}

// errSkipped: a refresh was needed but the penalty window forbids one now.
var errSkipped = errors.New("refresh skipped: inside the refetch window")

// satisfied reports whether s already answers the caller: a fresh set that
// has kid (or any fresh set when anyKey).
func satisfied(s *keySet, kid string, anyKey bool, now time.Time) bool {
	if s == nil || !now.Before(s.expiresAt) {
		return false
	}
	if anyKey {
		return true
	}
	_, ok := s.keys[kid]
	return ok
}

// refresh joins the refresh in flight or starts one, unless the held set
// already satisfies the caller or the penalty window forbids it. It waits
// for the refresh or for ctx, whichever ends first.
func (p *Provider) refresh(ctx context.Context, kid string, anyKey bool) error {
	p.mu.Lock()
	held := p.cur.Load()
	now := p.now()
	if satisfied(held, kid, anyKey, now) {
		p.mu.Unlock()
		return nil
	}
	f := p.flight
	if f == nil {
		if now.Before(p.nextIssuer) {
			p.mu.Unlock()
			return errSkipped
		}
		f = &flight{done: make(chan struct{}), saved: make(chan struct{})}
		p.flight = f
		// Detached from ctx: other callers may join, and the work is
		// bounded by its own timeouts.
		go p.run(f, held, kid, anyKey)
	}
	p.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Provider) run(f *flight, held *keySet, kid string, anyKey bool) {
	s, save, healthy, err := p.load(held, kid, anyKey)
	p.mu.Lock()
	if s != nil {
		p.cur.Store(s)
	}
	p.lastErr = err
	p.flight = nil
	p.lastFlight = f
	f.err = err
	f.storeFailed = !healthy
	p.mu.Unlock()
	// Publish first: callers must not wait for DynamoDB to learn keys the
	// issuer already gave us (a slow table would double every refresh).
	close(f.done)
	if save {
		if err := p.saveStore(Entry{JWKS: s.json, FetchedAt: s.fetchedAt, ExpiresAt: s.expiresAt}); err != nil {
			p.log.Warn("keys: DynamoDB save failed, continuing", "error", err.Error())
		}
	}
	close(f.saved)
}

// load finds a replacement for held: the DynamoDB entry when it is newer
// than held, fresh and (unless anyKey) has kid; otherwise the issuer's
// current set, which the caller then saves when save is true. When the
// issuer fails it returns a newer DynamoDB entry if there was one (even
// expired), else nil.
func (p *Provider) load(held *keySet, kid string, anyKey bool) (s *keySet, save, storeHealthy bool, err error) {
	var candidate *keySet
	storeHealthy = true
	if p.store != nil {
		s, err := p.loadStore()
		switch {
		case errors.Is(err, ErrNoEntry):
		case err != nil:
			storeHealthy = false
			p.log.Warn("keys: DynamoDB load failed, going to the issuer", "error", err.Error())
		case held != nil && !s.fetchedAt.After(held.fetchedAt):
			// Not newer than what we hold: nothing to learn from it.
		default:
			candidate = s
			if now := p.now(); satisfied(s, kid, anyKey, now) {
				// The issuer was asked at fetched_at (by whichever instance
				// wrote the item): the penalty window runs from then.
				next := minTime(s.fetchedAt, now).Add(p.window)
				p.mu.Lock()
				if next.After(p.nextIssuer) {
					p.nextIssuer = next
				}
				p.mu.Unlock()
				p.log.Info("keys: loaded from DynamoDB", "keys", len(s.keys), "fetched_at", s.fetchedAt.Unix())
				return s, false, true, nil
			}
		}
	}

	start := p.now()
	p.mu.Lock()
	p.nextIssuer = start.Add(p.window)
	p.mu.Unlock()
	s, src, err := p.fetchIssuer(start)
	if err != nil {
		// The window runs from the failure too: a hanging issuer is asked
		// again only after it, even when the window is shorter than the
		// fetch timeout.
		p.mu.Lock()
		if next := p.now().Add(p.window); next.After(p.nextIssuer) {
			p.nextIssuer = next
		}
		p.mu.Unlock()
		if candidate != nil {
			p.log.Warn("keys: issuer fetch failed, serving the stored keys", "error", err.Error(), "keys", len(candidate.keys), "fetched_at", candidate.fetchedAt.Unix())
			return candidate, false, storeHealthy, err
		}
		if held != nil {
			p.log.Warn("keys: issuer fetch failed, serving the held keys", "error", err.Error(), "keys", len(held.keys), "fetched_at", held.fetchedAt.Unix())
		} else {
			p.log.Error("keys: issuer fetch failed and no keys are held", "error", err.Error())
		}
		return nil, false, storeHealthy, err
	}
	p.log.Info("keys: fetched from the issuer", "jwks_url", src, "keys", len(s.keys))
	return s, p.store != nil, storeHealthy, nil
}

// fetchIssuer discovers the jwks_uri if needed and fetches the set, all
// within one FetchTimeout.
func (p *Provider) fetchIssuer(start time.Time) (*keySet, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	u := p.jwksURL
	discovered := false
	if u == "" {
		u = p.discovered
		if u == "" {
			var err error
			if u, err = p.client.Discover(ctx, p.issuer); err != nil {
				return nil, "", err
			}
			p.discovered = u
			discovered = true
		}
	}
	set, err := p.client.Fetch(ctx, u)
	if err != nil && p.jwksURL == "" && !discovered {
		// The issuer may have moved its keys: rediscover next time.
		p.discovered = ""
	}
	if err != nil {
		return nil, u, err
	}
	fetched := start.Truncate(time.Second)
	return &keySet{keys: set.Keys, json: set.JSON, fetchedAt: fetched, expiresAt: fetched.Add(p.ttl)}, u, nil
}

func (p *Provider) loadStore() (*keySet, error) {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	e, err := p.store.Load(ctx)
	if err != nil {
		return nil, err
	}
	set, err := jwks.ParseSet(e.JWKS)
	if err != nil {
		return nil, fmt.Errorf("parse stored JWKS: %w", err)
	}
	expires := e.ExpiresAt
	if limit := e.FetchedAt.Add(p.ttl); expires.After(limit) {
		expires = limit // our TTL applies even if the writer's was longer
	}
	return &keySet{keys: set.Keys, json: set.JSON, fetchedAt: e.FetchedAt, expiresAt: expires}, nil
}

func (p *Provider) saveStore(e Entry) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()
	return p.store.Save(ctx, e)
}
