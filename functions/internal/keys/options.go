package keys

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

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
	Metrics    Metrics          // nil → none (the lines are logged all the same)
	Now        func() time.Time // nil → time.Now (tests inject a clock)
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
		metrics:  opts.Metrics,
		now:      opts.Now,
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.metrics == nil {
		p.metrics = noMetrics{}
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = jwks.NewHTTPClient(p.timeout)
	}
	p.client = jwks.NewClient(hc)
	return p, nil
}
