package keys

import (
	"context"
	"fmt"
)

// Warm loads the keys at a cold start, unless a fresh set is held: the
// stored item when it is fresh, else the issuer, whose set is saved to the
// item before it is published, so that the next cold start reads it. It
// returns within 2 × FetchTimeout (or ctx): the reads get one FetchTimeout,
// the fetch one, the write-back what remains.
//
// It returns an error wrapping ErrUnavailable only when no servable keys
// are held afterwards; Key keeps retrying on demand, so the error is
// informational and must not stop the function.
func (p *Provider) Warm(ctx context.Context) error {
	now, held := p.now(), p.cur.Load()
	if held.fresh(now) {
		return nil
	}
	load, cancel := context.WithTimeout(ctx, 2*p.timeout)
	defer cancel()
	read, cancelRead := context.WithTimeout(load, p.timeout)
	item := p.readItem(read, held)
	cancelRead()

	var o outcome
	if item.set.fresh(now) {
		o = p.adopt(item.set, now)
	} else {
		o = p.ask(load, held, item.set)
	}
	if o.from == fromIssuer && !item.down {
		p.save(load, o.set)
	}
	p.publish(o)
	if o.from == fromIssuer && item.down {
		// DynamoDB has just failed: the cold start does not wait for a
		// write-back that would most likely time out as well.
		p.saveBehind(load, o.set)
	}
	return p.warmed(ctx)
}

// warmed is Warm's error: none when servable keys are held, else
// ErrUnavailable with the caller's context's error or the load's fault.
func (p *Provider) warmed(ctx context.Context) error {
	if p.servable(p.now()) != nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("warm keys: %w: %w", ErrUnavailable, err)
	}
	return p.unavailable("warm keys")
}
