package keys

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
)

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
	metrics  Metrics
	now      func() time.Time

	cur atomic.Pointer[keySet]

	mu      sync.Mutex
	flight  *flight   // the refetch in progress, if any
	nextAsk time.Time // the window: earliest start of this instance's next issuer fetch
	lastErr error     // fault of the last load, for ErrUnavailable

	// behind counts the work that goes on after its keys are published: a
	// refetch's write-back, or Warm's when DynamoDB has just failed.
	behind sync.WaitGroup

	// discovered is the jwks_uri found by discovery (Warm and a refetch
	// may both use it).
	discovered atomic.Pointer[string]
}

// keySet is immutable once published through Provider.cur.
type keySet struct {
	keys      map[string]*jose.JSONWebKey
	json      []byte
	fetchedAt time.Time
	expiresAt time.Time
}

// fresh reports whether s may be served at now without a refresh.
func (s *keySet) fresh(now time.Time) bool { return s != nil && now.Before(s.expiresAt) }

// has reports whether s is fresh and holds kid.
func (s *keySet) has(kid string, now time.Time) bool {
	if !s.fresh(now) {
		return false
	}
	_, ok := s.keys[kid]
	return ok
}

// Key returns the public key with the given kid: a map read while the set
// is fresh, else the answer of a refetch (see refresh.go).
//
// Errors: ErrKeyNotFound when servable keys are held but none matches,
// ErrUnavailable when no servable keys could be obtained, or the context's
// error when ctx ends while waiting for a refetch and nothing held matches
// (wrapped together with ErrUnavailable when nothing servable is held).
func (p *Provider) Key(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	if s := p.cur.Load(); s != nil {
		if k, ok := s.keys[kid]; ok && p.now().Before(s.expiresAt) {
			p.metrics.Served(OutcomeOK)
			return k, nil
		}
	}
	return p.missed(ctx, kid)
}

// missed answers a kid the fresh set lacks, from whatever is servable once
// the refetch has ended (or was not allowed).
func (p *Provider) missed(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	waitErr := p.awaitRefetch(ctx, kid)
	s := p.servable(p.now())
	if s != nil {
		// Fresh after the refetch, or stale (within MaxStale) because it
		// failed or was skipped: either way the best key we have.
		if k, ok := s.keys[kid]; ok {
			if s.fresh(p.now()) {
				p.metrics.Served(OutcomeOK)
			} else {
				p.metrics.Served(OutcomeStale)
			}
			return k, nil
		}
	}
	p.metrics.Served(OutcomeFailed)
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

// unavailable wraps ErrUnavailable with the last load's fault, if any.
func (p *Provider) unavailable(verb string) error {
	p.mu.Lock()
	last := p.lastErr
	p.mu.Unlock()
	if last != nil {
		return fmt.Errorf("%s: %w: %w", verb, ErrUnavailable, last)
	}
	return fmt.Errorf("%s: %w", verb, ErrUnavailable)
}
