package keystore_test

// Integration tests against a real moto server (test/moto): keys.Provider
// instances sharing one item the way cold-started Lambda instances do.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keystore"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// newSite starts an issuer publishing one fresh key per kid, and a table.
func newSite(t *testing.T, kids ...string) *site {
	t.Helper()
	doc, iss := jwttest.NewJWKS(kids...), jwttest.NewIssuer()
	iss.PublishJWKS(doc)
	t.Cleanup(iss.Close)
	s := newItem(t, keystore.PartitionKey(iss.JWKSURL()))
	s.iss, s.doc = iss, doc
	return s
}

// provider is a cold-started instance: the options authorizer.FromConfig
// passes with the default settings, but for the fetch timeout.
func (s *site) provider(t *testing.T, timeout time.Duration) (*keys.Provider, *jwttest.Log) {
	t.Helper()
	logs := &jwttest.Log{}
	in := &instance{Store: s.store(), writes: &s.writes, logs: logs}
	p, err := keys.New(keys.Options{
		JWKSURL:            s.iss.JWKSURL(),
		Store:              in,
		TTL:                testTTL,
		MaxStale:           24 * time.Hour,
		RefetchMinInterval: testWindow,
		ClockSkew:          testSkew,
		FetchTimeout:       timeout,
		Logger:             slog.New(slog.NewJSONHandler(logs, nil)),
		Now:                s.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.instances.Store(p, in)
	return p, logs
}

// instance is one provider's store and log.
type instance struct {
	keys.Store
	writes *sync.Mutex  // the site's
	saved  atomic.Int64 // write-backs ended, whatever their result
	logs   *jwttest.Log
}

// Save and Lease take the item's turn, as DynamoDB applies the writes to
// one item one at a time. moto does not: its UpdateItem checks the
// condition and then writes, unlocked, on a threaded server (moto 5.2.1),
// so two concurrent leases can both be won there, which the fleet's
// one-fetch-per-window rests on DynamoDB never allowing.
func (in *instance) Save(ctx context.Context, e keys.Entry, notAfter time.Time) error {
	defer in.saved.Add(1)
	in.writes.Lock()
	defer in.writes.Unlock()
	return in.Store.Save(ctx, e, notAfter)
}

func (in *instance) Lease(ctx context.Context, now, until, notAfter time.Time) (bool, error) {
	in.writes.Lock()
	defer in.writes.Unlock()
	return in.Store.Lease(ctx, now, until, notAfter)
}

// settle waits until every issuer fetch of p has been written back: a
// refetch publishes its keys first and saves them after Key has returned.
func (s *site) settle(p *keys.Provider) error {
	v, _ := s.instances.Load(p)
	in := v.(*instance)
	deadline := time.Now().Add(30 * time.Second)
	for {
		fetches := int64(strings.Count(in.logs.String(), `"msg":"keys: fetched from the issuer"`))
		saved := in.saved.Load()
		if saved >= fetches {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("write-backs: %d of %d issuer fetches saved", saved, fetches)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestColdStartReadsItem(t *testing.T) {
	s := newSite(t, "a")
	now := time.Now().Truncate(time.Second)
	s.seed(t, keys.Entry{JWKS: s.doc, FetchedAt: now, ExpiresAt: now.Add(time.Hour)})
	p, _ := s.provider(t, 2*time.Second)
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Key(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if n := s.iss.Fetches(); n != 0 {
		t.Fatalf("issuer requests = %d, want 0", n)
	}
}

func TestMissWritesItem(t *testing.T) {
	s := newSite(t, "a")
	p, _ := s.provider(t, 2*time.Second)
	before := time.Now().Unix()
	if _, err := s.settledKey(p, "a"); err != nil {
		t.Fatal(err)
	}
	if n := s.iss.Fetches(); n != 1 {
		t.Fatalf("issuer requests = %d", n)
	}
	e, err := s.store().Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if e.FetchedAt.Unix() < before-1 || e.ExpiresAt.Sub(e.FetchedAt) != testTTL {
		t.Fatalf("entry times: %v %v", e.FetchedAt, e.ExpiresAt)
	}
	if set, err := jwks.ParseSet(e.JWKS); err != nil || set.Keys["a"] == nil {
		t.Fatalf("stored JWKS: %v", err)
	}
	// A second cold start is served by the item.
	p2, _ := s.provider(t, 2*time.Second)
	if _, err := p2.Key(context.Background(), "a"); err != nil || s.iss.Fetches() != 1 {
		t.Fatalf("second cold start: %v, issuer requests %d", err, s.iss.Fetches())
	}
}

func TestExpiredItemRefetched(t *testing.T) {
	s := newSite(t, "new")
	now := time.Now().Truncate(time.Second)
	old := keys.Entry{JWKS: jwttest.NewJWKS("old"), FetchedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	s.seed(t, old)
	p, _ := s.provider(t, 2*time.Second)
	// Warm, as a cold start does: it saves the issuer's set before it returns.
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.wantKeys(t, p, "new", "old", 1)
	e, err := s.store().Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !e.FetchedAt.After(old.FetchedAt) || !strings.Contains(string(e.JWKS), `"new"`) {
		t.Fatalf("item not rewritten: %v %s", e.FetchedAt, e.JWKS)
	}
}

func TestConcurrentColdStarts(t *testing.T) {
	s := newSite(t, "a", "b")
	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			p, logs := s.provider(t, 5*time.Second)
			<-start
			for _, kid := range []string{"a", "b"} {
				if _, err := s.settledKey(p, kid); err != nil {
					t.Errorf("provider %d, kid %s: %v", i, kid, err)
				}
			}
			if strings.Contains(logs.String(), "failed") {
				t.Errorf("provider %d logged a fault: %s", i, logs)
			}
		})
	}
	close(start)
	wg.Wait()
	e, err := s.store().Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwks.ParseSet(e.JWKS)
	if err != nil || set.Len() != 2 || len(set.Dropped) != 0 {
		t.Fatalf("stored set corrupt: %v %s", err, e.JWKS)
	}
	if hits := s.iss.Fetches(); hits < 1 || hits > n {
		t.Fatalf("issuer requests = %d", hits)
	}
}

func TestIssuerDownFreshItem(t *testing.T) {
	s := newSite(t, "a")
	s.iss.Fail(http.StatusBadGateway)
	now := time.Now().Truncate(time.Second)
	s.seed(t, keys.Entry{JWKS: s.doc, FetchedAt: now, ExpiresAt: now.Add(time.Hour)})
	p, _ := s.provider(t, 2*time.Second)
	if _, err := p.Key(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if s.iss.Fetches() != 0 {
		t.Fatal("issuer called")
	}
}

func TestDynamoDown(t *testing.T) {
	s := newSite(t, "a")
	s.down(t)
	timeout := time.Second
	p, logs := s.provider(t, timeout)
	start := time.Now()
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Key(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*timeout+time.Second {
		t.Fatalf("took %v", d)
	}
	// The write-back runs after the keys are published, in the background
	// when the table has just failed: wait for its log line.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := logs.WaitFor(ctx, "DynamoDB save failed"); err != nil {
		t.Fatalf("%v:\n%s", err, logs)
	}
	if out := logs.String(); !strings.Contains(out, "DynamoDB load failed") {
		t.Fatalf("load fault not logged:\n%s", out)
	}
	if s.iss.Fetches() != 1 {
		t.Fatalf("issuer requests = %d", s.iss.Fetches())
	}
}

// TestRotationRefreshesItem: an unknown kid makes one instance refetch and
// rewrite the item; a later cold start gets the rotated set from DynamoDB.
func TestRotationRefreshesItem(t *testing.T) {
	s := newSite(t, "k1")
	clk := jwttest.NewClock(time.Now())
	s.now = clk.Now
	a, _ := s.provider(t, 2*time.Second)
	if _, err := a.Key(context.Background(), "k1"); err != nil {
		t.Fatal(err)
	}
	s.iss.PublishJWKS(jwttest.NewJWKS("k2"))
	clk.Advance(testWindow)
	s.wantKeys(t, a, "k2", "k1", 2)
	// A cold start reads the rotated set from the item, without the issuer.
	b, _ := s.provider(t, 2*time.Second)
	s.wantKeys(t, b, "k2", "k1", 2)
}

// wantKeys checks that p serves kid has and refuses kid gone as unknown,
// and that the issuer has had fetches requests so far.
func (s *site) wantKeys(t *testing.T, p *keys.Provider, has, gone string, fetches int64) {
	t.Helper()
	if _, err := s.settledKey(p, has); err != nil {
		t.Fatalf("key %s: %v", has, err)
	}
	if _, err := p.Key(context.Background(), gone); !errors.Is(err, keys.ErrKeyNotFound) {
		t.Fatalf("key %s: %v, want %v", gone, err, keys.ErrKeyNotFound)
	}
	if n := s.iss.Fetches(); n != fetches {
		t.Fatalf("issuer requests = %d, want %d", n, fetches)
	}
}

// settledKey is Key followed by the write-back to DynamoDB it may have
// started.
func (s *site) settledKey(p *keys.Provider, kid string) (*jose.JSONWebKey, error) {
	k, err := p.Key(context.Background(), kid)
	if serr := s.settle(p); serr != nil {
		return k, serr
	}
	return k, err
}

// TestFleetRefetchWindow: providers sharing one item (as Lambda instances
// sharing the table do) make at most one issuer fetch per window for
// unknown kids, whichever wins the lease.
func TestFleetRefetchWindow(t *testing.T) {
	s := newSite(t, "a")
	clk := jwttest.NewClock(time.Now().Truncate(time.Second))
	s.now = clk.Now
	const instances = 6
	fleet := make([]*keys.Provider, instances)
	logs := make([]*jwttest.Log, instances)
	for i := range fleet {
		// A lease call that times out fetches anyway (see keys): give moto
		// time on a loaded machine.
		fleet[i], logs[i] = s.provider(t, 10*time.Second)
		if err := fleet[i].Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.iss.Fetches(); n != 1 {
		t.Fatalf("cold starts: issuer requests = %d, want 1", n)
	}
	for w := range int64(3) {
		clk.Advance(testWindow)
		var wg sync.WaitGroup
		for i, p := range fleet {
			for j := range 5 {
				wg.Go(func() {
					_, err := p.Key(context.Background(), fmt.Sprintf("forged-%d-%d-%d", w, i, j))
					if !errors.Is(err, keys.ErrKeyNotFound) {
						t.Errorf("instance %d: %v", i, err)
					}
				})
			}
		}
		wg.Wait()
		for _, p := range fleet {
			if err := s.settle(p); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := s.iss.Fetches(), 1+w+1; got != want {
			t.Fatalf("window %d: issuer requests = %d, want %d; logs:\n%s", w, got, want, logs)
		}
	}
}
