package keys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// none (an item holding only a lease has none), ErrInvalidEntry when
	// the item is malformed, anything else when DynamoDB failed.
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

// stored is what the shared item offers a load.
type stored struct {
	set *keySet // a set newer than the held one (perhaps expired), or nil
	// down: DynamoDB itself failed. The lease is not tried, and Warm does
	// not wait for a write-back.
	down bool
}

// readItem reads the shared item, keeping its set only when it is newer
// than held: an older one has nothing to teach.
func (p *Provider) readItem(ctx context.Context, held *keySet) stored {
	if p.store == nil {
		return stored{}
	}
	s, err := p.loadStore(ctx)
	switch {
	case errors.Is(err, ErrNoEntry):
	case errors.Is(err, ErrInvalidEntry) || errors.Is(err, ErrFutureEntry):
		p.metrics.Loaded(ctx, p.log, slog.LevelWarn, "keys: stored keys refused, going to the issuer", SourceTable, OutcomeFailed, slog.String("error", err.Error()))
	case err != nil:
		p.metrics.Loaded(ctx, p.log, slog.LevelWarn, "keys: DynamoDB load failed, going to the issuer", SourceTable, OutcomeFailed, slog.String("error", err.Error()))
		return stored{down: true}
	case held == nil || s.fetchedAt.After(held.fetchedAt):
		return stored{set: s}
	}
	return stored{}
}

// adopt takes a stored set. The issuer was asked at its fetched_at (by
// whichever instance wrote the item): this instance's window runs from then.
func (p *Provider) adopt(s *keySet, now time.Time) outcome {
	p.metrics.Loaded(context.Background(), p.log, slog.LevelInfo, "keys: loaded from DynamoDB", SourceTable, OutcomeOK,
		slog.Int("keys", len(s.keys)), slog.Int64("fetched_at", s.fetchedAt.Unix()))
	return outcome{set: s, from: fromStore, asked: minTime(s.fetchedAt, now)}
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

// save writes an issuer's set back; an item dated beyond the clock skew is
// replaced. A failure is logged: the keys are served all the same.
func (p *Provider) save(ctx context.Context, s *keySet) {
	if p.store == nil {
		return
	}
	e := Entry{JWKS: s.json, FetchedAt: s.fetchedAt, ExpiresAt: s.expiresAt}
	if err := p.store.Save(ctx, e, p.now().Add(p.skew)); err != nil {
		p.log.Warn("keys: DynamoDB save failed, continuing", "error", err.Error())
	}
}

// saveBehind saves s after the caller has returned, within the caller's
// deadline.
func (p *Provider) saveBehind(ctx context.Context, s *keySet) {
	deadline, _ := ctx.Deadline()
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	p.behind.Go(func() {
		defer cancel()
		p.save(ctx, s)
	})
}

// mayAsk takes the fleet's refetch lease for one window from now. It
// reports whether this instance may ask the issuer: it won the lease, or
// the lease could not be read (then the window still bounds this instance).
// The lease is held in whole seconds, rounded up, so it never ends early.
func (p *Provider) mayAsk(ctx context.Context, now time.Time) bool {
	until := now.Add(p.window)
	if t := until.Truncate(time.Second); t.Before(until) {
		until = t.Add(time.Second)
	}
	won, err := p.store.Lease(ctx, now, until, until.Add(p.skew))
	if err != nil {
		p.log.Warn("keys: refetch lease failed, fetching anyway", "error", err.Error())
		return true
	}
	return won
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
