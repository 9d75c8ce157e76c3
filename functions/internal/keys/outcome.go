package keys

import "time"

// source is where a load found the set it publishes. Only a set from the
// issuer is written back: a stored one is already in the item.
type source uint8

const (
	keepHeld   source = iota // nothing better was found: the held set stays
	fromStore                // the shared item
	fromIssuer               // a fetch by this instance
)

// outcome is what one load (Warm's or a refetch's) decided.
type outcome struct {
	set  *keySet // what to publish; nil when from is keepHeld
	from source
	// asked is when the issuer was last asked for what this instance now
	// knows (by this instance, or by the fleet's item or lease holder):
	// the refetch window runs from it.
	asked time.Time
	err   error // the issuer's failure, when there was one
}

// publish makes o's set the held one and moves the window: the one place
// either changes. A set never replaces a newer one, as Warm and a refetch
// may overlap.
func (p *Provider) publish(o outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if held := p.cur.Load(); o.set != nil && (held == nil || !o.set.fetchedAt.Before(held.fetchedAt)) {
		p.cur.Store(o.set)
	}
	if next := o.asked.Add(p.window); next.After(p.nextAsk) {
		p.nextAsk = next
	}
	p.lastErr = o.err
}
