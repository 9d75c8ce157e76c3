package keys

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
)

// Entry is what a Store keeps: the JWKS as JSON (public keys only, as
// re-encoded by jwks.ParseSet), when it was fetched from the issuer and
// when it expires (FetchedAt + TTL). Times have second precision.
type Entry struct {
	JWKS      []byte
	FetchedAt time.Time
	ExpiresAt time.Time
}

// Store is the issuer's shared cache item (*keystore.Dynamo is the DynamoDB
// one). A nil Options.Store means memory only.
//
// Every bound the Store compares against is passed in: the Store holds no
// clock of its own, so its decisions follow the Provider's Now.
type Store interface {
	// Load returns the entry, or an error wrapping ErrNoEntry when there is
	// none (an item holding only a lease has none).
	Load(ctx context.Context) (Entry, error)
	// Save writes e unless the stored entry was fetched at or after
	// e.FetchedAt (the newer fetch wins). A stored fetched_at after notAfter
	// is bogus and always replaced. Save keeps the refetch lease.
	Save(ctx context.Context, e Entry, notAfter time.Time) error
	// Lease claims the refetch lease until `until` if it is free at now:
	// never taken, ended (at or before now), or ending after notAfter, which
	// no honest instance writes. It reports whether this caller won it.
	Lease(ctx context.Context, now, until, notAfter time.Time) (bool, error)
}

// storeFault reports whether err from the Store is a fault of DynamoDB
// itself rather than of what the item holds.
func storeFault(err error) bool {
	return err != nil && !errors.Is(err, ErrNoEntry) && !errors.Is(err, ErrInvalidEntry) && !errors.Is(err, ErrFutureEntry)
}

// loadStore reads and checks the stored entry.
func (p *Provider) loadStore(ctx context.Context) (*keySet, error) {
	e, err := p.store.Load(ctx)
	if err != nil {
		return nil, err
	}
	if limit := p.now().Add(p.skew); e.FetchedAt.After(limit) {
		return nil, fmt.Errorf("check stored keys: %w: fetched_at %d is after %d", ErrFutureEntry, e.FetchedAt.Unix(), limit.Unix())
	}
	set, err := jwks.ParseSet(e.JWKS)
	if err != nil {
		return nil, fmt.Errorf("parse stored keys: %w: %w", ErrInvalidEntry, err)
	}
	expires := e.ExpiresAt
	if limit := e.FetchedAt.Add(p.ttl); expires.After(limit) {
		expires = limit // our TTL applies even if the writer's was longer
	}
	return &keySet{keys: set.Keys, json: set.JSON, fetchedAt: e.FetchedAt, expiresAt: expires}, nil
}

// saveStore writes s back; an item dated beyond the clock skew is replaced.
func (p *Provider) saveStore(ctx context.Context, s *keySet) error {
	e := Entry{JWKS: s.json, FetchedAt: s.fetchedAt, ExpiresAt: s.expiresAt}
	return p.store.Save(ctx, e, p.now().Add(p.skew))
}

// takeLease claims the fleet's refetch lease for one window from now. The
// lease is held in whole seconds, rounded up, so it never ends early.
func (p *Provider) takeLease(ctx context.Context, now time.Time) (bool, error) {
	until := now.Add(p.window)
	if t := until.Truncate(time.Second); t.Before(until) {
		until = t.Add(time.Second)
	}
	return p.store.Lease(ctx, now, until, until.Add(p.skew))
}
