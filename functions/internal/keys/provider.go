package keys

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
)

// Options configures a Provider. The caller passes package config's
// validated values (URLs included, which keys does not check again); keys
// applies no defaults, and a zero duration means what it says.
type Options struct {
	Issuer  string // the exact "iss"; discovery reads <Issuer>/.well-known/openid-configuration
	JWKSURL string // "" → discovered from Issuer

	Store Store // nil → memory only, and the refetch window is per instance

	// TTL (> 0) is how long a fetched set is fresh.
	TTL time.Duration
	// MaxStale (≥ 0) is how long past its TTL a set is still served while
	// every refresh fails. 0: never past TTL.
	MaxStale time.Duration
	// RefetchMinInterval (≥ 0) is the least time between two issuer fetches
	// (fleet-wide for unknown kids when there is a Store). 0: no window.
	RefetchMinInterval time.Duration
	// ClockSkew (≥ 0) is how far a stored fetched_at may lie ahead of Now
	// (another instance's clock); a later one is refused and replaced.
	// 0: not at all.
	ClockSkew time.Duration
	// FetchTimeout (> 0) bounds the issuer fetch (discovery included) and,
	// separately, the DynamoDB reads; a whole load ends within twice it.
	FetchTimeout time.Duration

	HTTPClient *http.Client     // nil → jwks.NewHTTPClient(FetchTimeout)
	Logger     *slog.Logger     // nil → discard
	Now        func() time.Time // nil → time.Now (tests inject a clock)
}

// Provider serves one issuer's public keys by kid. It is safe for
// concurrent use.
type Provider struct {
	issuer   string
	jwksURL  string
	store    Store
	ttl      time.Duration
	maxStale time.Duration
	window   time.Duration
	skew     time.Duration
	timeout  time.Duration
	client   *jwks.Client
	log      *slog.Logger
	now      func() time.Time

	cur atomic.Pointer[keySet]

	mu         sync.Mutex
	flight     *flight   // the refresh in progress, if any
	lastFlight *flight   // the latest refresh that ended; Warm waits for its write-back
	nextIssuer time.Time // earliest start of the next issuer fetch by this instance
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

// New checks opts and returns a Provider holding no keys yet (see Warm).
func New(opts Options) (*Provider, error) {
	switch {
	case opts.Issuer == "" && opts.JWKSURL == "":
		return nil, fmt.Errorf("new key provider: %w: Issuer or JWKSURL is required", ErrInvalidOptions)
	case opts.TTL <= 0 || opts.FetchTimeout <= 0:
		return nil, fmt.Errorf("new key provider: %w: TTL and FetchTimeout must be positive", ErrInvalidOptions)
	case opts.MaxStale < 0 || opts.RefetchMinInterval < 0 || opts.ClockSkew < 0:
		return nil, fmt.Errorf("new key provider: %w: negative duration", ErrInvalidOptions)
	}
	p := &Provider{
		issuer:   opts.Issuer,
		jwksURL:  opts.JWKSURL,
		store:    opts.Store,
		ttl:      opts.TTL,
		maxStale: opts.MaxStale,
		window:   opts.RefetchMinInterval,
		skew:     opts.ClockSkew,
		timeout:  opts.FetchTimeout,
		log:      opts.Logger,
		now:      opts.Now,
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
	p.client = jwks.NewClient(hc)
	return p, nil
}

// Key returns the public key with the given kid.
//
// Errors: ErrKeyNotFound when servable keys are held but none matches,
// ErrUnavailable when no servable keys could be obtained, or the context's
// error when ctx ends while waiting for a refresh and nothing held matches
// (wrapped together with ErrUnavailable when nothing servable is held).
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
	s := p.servable(p.now())
	if s != nil {
		// Fresh after the refresh, or stale (within MaxStale) because it
		// failed or was skipped: either way the best key we have.
		if k, ok := s.keys[kid]; ok {
			return k, nil
		}
	}
	if waitErr != nil && ctx.Err() != nil {
		if s == nil {
			return nil, fmt.Errorf("wait for keys: %w: %w", ErrUnavailable, ctx.Err())
		}
		return nil, fmt.Errorf("wait for keys: %w", ctx.Err())
	}
	if s == nil {
		return nil, p.unavailable("find key")
	}
	return nil, fmt.Errorf("find key %.64q: %w", kid, ErrKeyNotFound)
}

// servable returns the held set if it may serve keys at now: fresh, or
// expired for at most MaxStale.
func (p *Provider) servable(now time.Time) *keySet {
	s := p.cur.Load()
	if s == nil || len(s.keys) == 0 || !now.Before(s.expiresAt.Add(p.maxStale)) {
		return nil
	}
	return s
}

// unavailable wraps ErrUnavailable with the last refresh's fault, if any.
func (p *Provider) unavailable(verb string) error {
	p.mu.Lock()
	last := p.lastErr
	p.mu.Unlock()
	if last != nil {
		return fmt.Errorf("%s: %w: %w", verb, ErrUnavailable, last)
	}
	return fmt.Errorf("%s: %w", verb, ErrUnavailable)
}

// Warm loads the keys (DynamoDB, then the issuer) unless a fresh set is
// held, and waits for the write-back of an issuer fetch: at a cold start
// nothing waits on us yet and the environment is not frozen, so the next
// cold start can read the item. All of it ends within 2 × FetchTimeout (or
// ctx). It returns an error wrapping ErrUnavailable only when no servable
// keys are held afterwards; the Provider keeps retrying on demand, so the
// error is informational and must not stop the function.
func (p *Provider) Warm(ctx context.Context) error {
	_ = p.refresh(ctx, "", true)
	p.mu.Lock()
	f := p.lastFlight
	p.mu.Unlock()
	if f != nil && !f.storeFailed {
		select {
		case <-f.saved:
		case <-ctx.Done():
		}
	}
	if p.servable(p.now()) != nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("warm keys: %w: %w", ErrUnavailable, err)
	}
	return p.unavailable("warm keys")
}
