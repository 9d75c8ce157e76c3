package jwttest

import (
	"sync"
	"time"
)

// Clock is a settable clock for code that takes a func() time.Time (pass
// clock.Now), safe for concurrent use. It moves only when told to.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Epoch is NewClock's default start, a fixed instant so tests repeat exactly.
var Epoch = time.Unix(1_800_000_000, 0).UTC()

// NewClock returns a clock at start (Epoch if zero).
func NewClock(start time.Time) *Clock {
	if start.IsZero() {
		start = Epoch
	}
	return &Clock{t: start}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d (backward if d < 0).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
