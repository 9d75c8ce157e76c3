package keys

import (
	"context"
	"errors"
	"time"
)

// errSkipped: a refresh was needed but the refetch window forbids one now.
var errSkipped = errors.New("skip refresh: inside the refetch window")

type flight struct {
	done  chan struct{} // closed when the new set is published (or the refresh failed)
	saved chan struct{} // closed when the write-back to DynamoDB, if any, has ended
	err   error
	// storeFailed: DynamoDB failed during this refresh, so Warm does not
	// hold a cold start for its write-back (it would only add a timeout).
	storeFailed bool
}

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
// already satisfies the caller or the refetch window forbids it. It waits
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
		// bounded by its own deadline.
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

// run performs one refresh under one deadline, write-back included.
func (p *Provider) run(f *flight, held *keySet, kid string, anyKey bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*p.timeout)
	defer cancel()
	s, save, healthy, err := p.load(ctx, held, kid, anyKey)
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
		if err := p.saveStore(ctx, s); err != nil {
			p.log.Warn("keys: DynamoDB save failed, continuing", "error", err.Error())
		}
	}
	close(f.saved)
}

// load finds a replacement for held: from the store when it answers the
// caller, else from the issuer (when this instance may ask it), which the
// caller then saves when save is true. When the issuer fails it returns a
// newer stored set if there was one (even expired), else nil.
func (p *Provider) load(ctx context.Context, held *keySet, kid string, anyKey bool) (s *keySet, save, storeHealthy bool, err error) {
	var candidate *keySet
	storeHealthy = true
	if p.store != nil {
		// The reads share one FetchTimeout, so the issuer fetch that may
		// follow still has a whole one before the deadline.
		readCtx, cancel := context.WithTimeout(ctx, p.timeout)
		var use *keySet
		var fetch bool
		use, candidate, fetch, storeHealthy = p.fromStore(readCtx, held, kid, anyKey)
		cancel()
		if !fetch {
			return use, false, storeHealthy, nil
		}
	}

	start := p.now()
	p.pushWindow(start.Add(p.window))
	s, err = p.fetchIssuer(ctx, start)
	if err != nil {
		// The window runs from the failure too: a hanging issuer is asked
		// again only after it, even when the window is shorter than the
		// fetch timeout.
		p.pushWindow(p.now().Add(p.window))
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
	return s, p.store != nil, storeHealthy, nil
}

// fromStore consults the shared item before the issuer. It returns either
// a set to use without asking the issuer (fetch false; use may be nil when
// another instance holds the refetch lease and the held set must do), or a
// newer stored set to fall back on should the issuer fail (fetch true).
// healthy is false when DynamoDB itself failed.
func (p *Provider) fromStore(ctx context.Context, held *keySet, kid string, anyKey bool) (use, candidate *keySet, fetch, healthy bool) {
	now := p.now()
	st, err := p.loadStore(ctx)
	healthy = !storeFault(err)
	switch {
	case errors.Is(err, ErrNoEntry):
	case err != nil && healthy:
		p.log.Warn("keys: stored keys refused, going to the issuer", "error", err.Error())
	case err != nil:
		p.log.Warn("keys: DynamoDB load failed, going to the issuer", "error", err.Error())
	case held != nil && !st.fetchedAt.After(held.fetchedAt):
		// Not newer than what we hold: nothing to learn from it.
	case satisfied(st, kid, anyKey, now):
		// The issuer was asked at fetched_at (by whichever instance wrote
		// the item): this instance's window runs from then.
		p.pushWindow(minTime(st.fetchedAt, now).Add(p.window))
		p.log.Info("keys: loaded from DynamoDB", "keys", len(st.keys), "fetched_at", st.fetchedAt.Unix())
		return st, nil, false, true
	default:
		candidate = st
	}

	// An unknown kid while a fresh set is held is what a flood of forged
	// tokens looks like: the fleet makes one issuer fetch per window, by
	// whichever instance wins the item's lease.
	if !healthy || p.window == 0 || anyKey || held == nil || !now.Before(held.expiresAt) {
		return nil, candidate, true, healthy
	}
	won, err := p.takeLease(ctx, now)
	switch {
	case err != nil:
		p.log.Warn("keys: refetch lease failed, fetching anyway", "error", err.Error())
		return nil, candidate, true, false
	case won:
		return nil, candidate, true, true
	}
	p.pushWindow(now.Add(p.window))
	p.log.Info("keys: refetch lease held by another instance, not fetching")
	if candidate != nil && now.Before(candidate.expiresAt) {
		return candidate, nil, false, true
	}
	return nil, nil, false, true
}

// pushWindow moves this instance's next issuer fetch to at least next.
func (p *Provider) pushWindow(next time.Time) {
	p.mu.Lock()
	if next.After(p.nextIssuer) {
		p.nextIssuer = next
	}
	p.mu.Unlock()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
