package keys

import (
	"context"
	"errors"
)

// errSkipped: a refetch was needed but the refetch window forbids one now.
var errSkipped = errors.New("skip refetch: inside the refetch window")

// flight is one refetch; every miss that comes while it runs waits for it.
type flight struct {
	done chan struct{} // closed once its outcome is published (the write-back may still run)
	err  error
}

// awaitRefetch starts a refetch for kid, or joins the one in flight, and
// waits for it or for ctx, whichever ends first. Nothing is started when a
// fresh set with kid is held by now, or inside the window.
func (p *Provider) awaitRefetch(ctx context.Context, kid string) error {
	p.mu.Lock()
	held, now, f := p.cur.Load(), p.now(), p.flight
	switch {
	case held.has(kid, now):
		p.mu.Unlock()
		return nil
	case f == nil && now.Before(p.nextAsk):
		p.mu.Unlock()
		return errSkipped
	case f == nil:
		f = &flight{done: make(chan struct{})}
		p.flight = f
		p.behind.Add(1)
		// Detached from ctx: other misses may join, and the work is
		// bounded by its own deadline.
		go p.fly(f, held, kid)
	}
	p.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fly runs one refetch under one deadline, write-back included. It
// publishes before it saves: no caller waits for DynamoDB to learn keys
// the issuer already gave (a slow table would double every refetch).
func (p *Provider) fly(f *flight, held *keySet, kid string) {
	defer p.behind.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 2*p.timeout)
	defer cancel()
	o := p.refetch(ctx, held, kid)
	p.publish(o)
	p.mu.Lock()
	p.flight, f.err = nil, o.err
	p.mu.Unlock()
	close(f.done)
	if o.from == fromIssuer {
		p.save(ctx, o.set)
	}
}

// refetch looks for kid after a miss: in a newer stored set, else at the
// issuer, when the fleet's lease lets this instance ask it.
func (p *Provider) refetch(ctx context.Context, held *keySet, kid string) outcome {
	now := p.now()
	// The reads (item and lease) share one FetchTimeout, so the issuer
	// fetch that may follow still has a whole one before the deadline.
	read, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	item := p.readItem(read, held)
	if item.set.has(kid, now) {
		return p.adopt(item.set, now)
	}
	// An unknown kid while a fresh set is held is what a flood of forged
	// tokens looks like: the fleet makes one issuer fetch per window, by
	// whichever instance wins the item's lease.
	leased := p.store != nil && !item.down && p.window > 0 && held.fresh(now)
	if leased && !p.mayAsk(read, now) {
		p.log.Info("keys: refetch lease held by another instance, not fetching")
		if item.set.fresh(now) {
			return outcome{set: item.set, from: fromStore, asked: now}
		}
		return outcome{from: keepHeld, asked: now}
	}
	return p.ask(ctx, held, item.set)
}
