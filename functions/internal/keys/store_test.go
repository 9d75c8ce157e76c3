package keys

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

func TestStoreFirst(t *testing.T) {
	w := newWorld(t, "a")
	now := w.clk.Now()

	t.Run("fresh item, no issuer call", func(t *testing.T) {
		st := &memStore{e: &Entry{JWKS: w.doc, FetchedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}}
		p, _ := w.provider(t, st)
		before := w.iss.Fetches()
		if err := p.Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
		mustKey(t, p, "a")
		if w.iss.Fetches() != before {
			t.Fatal("issuer called despite a fresh item")
		}
	})
	t.Run("miss writes", func(t *testing.T) {
		st := &memStore{}
		p, _ := w.provider(t, st)
		mustKey(t, p, "a")
		e := st.entry()
		if e == nil || !e.FetchedAt.Equal(now) || !e.ExpiresAt.Equal(now.Add(testTTL)) {
			t.Fatalf("entry = %+v", e)
		}
	})
	t.Run("expired item refetched and rewritten", func(t *testing.T) {
		old := jwttest.NewJWKS("gone")
		st := &memStore{e: &Entry{JWKS: old, FetchedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}}
		p, _ := w.provider(t, st)
		before := w.iss.Fetches()
		mustKey(t, p, "a")
		wantErr(t, p, "gone", ErrKeyNotFound)
		if w.iss.Fetches() != before+1 || !st.entry().FetchedAt.Equal(now) {
			t.Fatalf("fetches %d, entry %+v", w.iss.Fetches()-before, st.entry())
		}
	})
	t.Run("item TTL capped by ours", func(t *testing.T) {
		st := &memStore{e: &Entry{JWKS: w.doc, FetchedAt: now.Add(-2 * time.Minute), ExpiresAt: now.Add(time.Hour)}}
		o := w.options(st)
		o.TTL = time.Minute
		p, _ := newProvider(t, o)
		before := w.iss.Fetches()
		mustKey(t, p, "a")
		if w.iss.Fetches() != before+1 {
			t.Fatal("item older than our TTL was used")
		}
	})
	t.Run("corrupt item refused and replaced", func(t *testing.T) {
		st := &memStore{e: &Entry{JWKS: []byte("garbage"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}}
		p, logs := w.provider(t, st)
		if _, err := p.loadStore(context.Background()); !errors.Is(err, ErrInvalidEntry) {
			t.Fatalf("loadStore: %v", err)
		}
		mustKey(t, p, "a")
		if len(logs.Records(t, "keys: stored keys refused, going to the issuer")) != 1 {
			t.Fatalf("logs: %s", logs)
		}
	})
	t.Run("load error falls back to issuer, save error continues", func(t *testing.T) {
		st := &memStore{loadErr: errors.New("boom"), saveErr: errors.New("bang")}
		p, logs := w.provider(t, st)
		mustKey(t, p, "a")
		if len(logs.Records(t, "keys: DynamoDB load failed, going to the issuer")) != 1 ||
			len(logs.Records(t, "keys: DynamoDB save failed, continuing")) != 1 {
			t.Fatalf("logs: %s", logs)
		}
	})
	t.Run("issuer down, expired item served stale", func(t *testing.T) {
		down := newWorld(t, "x")
		down.iss.Fail(http.StatusServiceUnavailable)
		st := &memStore{e: &Entry{JWKS: w.doc, FetchedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}}
		o := w.options(st)
		o.JWKSURL = down.iss.JWKSURL()
		p, _ := newProvider(t, o)
		mustKey(t, p, "a")
	})
}

// TestFutureItemRefused: an item dated beyond the clock skew is neither
// trusted (its key "evil" is never served) nor left in place: the issuer's
// set replaces it, although the item's fetched_at is later.
func TestFutureItemRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ahead time.Duration
	}{
		{"2^40", 0}, // fetched_at = 2^40 s, the largest the store decodes
		{"a day ahead", 24 * time.Hour},
		{"just past the skew", testSkew + time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, "a")
			at := time.Unix(1<<40, 0)
			if tc.ahead != 0 {
				at = w.clk.Now().Add(tc.ahead)
			}
			st := &memStore{}
			st.put(Entry{JWKS: jwttest.NewJWKS("evil"), FetchedAt: at, ExpiresAt: at.Add(time.Hour)})
			o := w.options(st)
			p, logs := newProvider(t, o)
			if _, err := p.loadStore(context.Background()); !errors.Is(err, ErrFutureEntry) {
				t.Fatalf("loadStore: %v", err)
			}
			if err := p.Warm(context.Background()); err != nil {
				t.Fatal(err)
			}
			wantErr(t, p, "evil", ErrKeyNotFound)
			mustKey(t, p, "a")
			if len(logs.Records(t, "keys: stored keys refused, going to the issuer")) == 0 {
				t.Fatalf("logs: %s", logs)
			}
			e := st.entry()
			if !e.FetchedAt.Equal(w.clk.Now()) || strings.Contains(string(e.JWKS), "evil") {
				t.Fatalf("item not replaced: %v %s", e.FetchedAt, e.JWKS)
			}
			// A cold start now reads the repaired item.
			cold, _ := newProvider(t, o)
			mustKey(t, cold, "a")
			wantErr(t, cold, "evil", ErrKeyNotFound)
			if w.iss.Fetches() != 1 {
				t.Fatalf("issuer fetches = %d", w.iss.Fetches())
			}
		})
	}
}

// TestItemWithinSkewTrusted: another instance's clock may run ahead by up
// to ClockSkew; its item is used (and ClockSkew 0 allows no lead at all).
func TestItemWithinSkewTrusted(t *testing.T) {
	w := newWorld(t, "a")
	at := w.clk.Now().Add(testSkew)
	o := w.options(&memStore{e: &Entry{JWKS: w.doc, FetchedAt: at, ExpiresAt: at.Add(time.Hour)}})
	p, _ := newProvider(t, o)
	mustKey(t, p, "a")
	if w.iss.Fetches() != 0 {
		t.Fatalf("issuer fetches = %d", w.iss.Fetches())
	}
	o.ClockSkew = 0
	strict, _ := newProvider(t, o)
	if _, err := strict.loadStore(context.Background()); !errors.Is(err, ErrFutureEntry) {
		t.Fatalf("skew 0: %v", err)
	}
}

func TestUnknownKidUsesNewerItem(t *testing.T) {
	w := newWorld(t, "a")
	st := &memStore{}
	p, _ := w.provider(t, st)
	mustKey(t, p, "a")

	// Another instance already fetched the rotated set.
	w.clk.Advance(testWindow)
	now := w.clk.Now()
	st.put(Entry{JWKS: jwttest.NewJWKS("a2"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)})
	mustKey(t, p, "a2")
	if w.iss.Fetches() != 1 {
		t.Fatalf("issuer called although the item had the kid: %d", w.iss.Fetches())
	}
	// An item not newer than the held set is ignored: the issuer decides.
	w.clk.Advance(testWindow)
	wantErr(t, p, "nope", ErrKeyNotFound)
	if w.iss.Fetches() != 2 {
		t.Fatalf("fetches = %d", w.iss.Fetches())
	}
}

func TestWindowRunsFromStoredFetch(t *testing.T) {
	w := newWorld(t, "a")
	now := w.clk.Now()
	p, _ := w.provider(t, &memStore{e: &Entry{JWKS: w.doc, FetchedAt: now.Add(-2 * time.Second), ExpiresAt: now.Add(time.Hour)}})
	mustKey(t, p, "a")
	// Another instance asked the issuer 2 s ago: no refetch for 8 s more.
	wantErr(t, p, "unknown", ErrKeyNotFound)
	w.clk.Advance(testWindow - 3*time.Second)
	wantErr(t, p, "unknown", ErrKeyNotFound)
	if w.iss.Fetches() != 0 {
		t.Fatalf("issuer requests inside the shared window = %d", w.iss.Fetches())
	}
	w.clk.Advance(time.Second)
	wantErr(t, p, "unknown", ErrKeyNotFound)
	if w.iss.Fetches() != 1 {
		t.Fatalf("issuer requests after the window = %d", w.iss.Fetches())
	}
}
