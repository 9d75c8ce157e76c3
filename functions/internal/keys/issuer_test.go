package keys

import (
	"context"
	"crypto/elliptic"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

func TestDiscovery(t *testing.T) {
	w := newWorld(t, "a")
	o := w.options(nil)
	o.JWKSURL, o.Issuer = "", w.iss.URL()
	p, _ := newProvider(t, o)
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustKey(t, p, "a")
	// A later refetch reuses the discovered jwks_uri.
	w.rotate("b")
	w.clk.Advance(testWindow)
	mustKey(t, p, "b")
	if w.iss.Fetches() != 2 || w.iss.Discoveries() != 1 {
		t.Fatalf("fetches %d, discovery %d", w.iss.Fetches(), w.iss.Discoveries())
	}
}

// TestJunkSetOneLine: a 1 MiB key set of junk members writes one line per
// fetch, with counts, not one per member.
func TestJunkSetOneLine(t *testing.T) {
	good := strings.TrimSuffix(strings.TrimPrefix(string(jwttest.NewJWKS("a")), `{"keys":[`), `]}`)
	var b strings.Builder
	b.WriteString(`{"keys":[` + good)
	junk := 0
	for b.Len() < jwks.MaxBodyBytes-16 {
		b.WriteString(`,{}`)
		junk++
	}
	b.WriteString(`]}`)
	w := newWorld(t, "x")
	w.iss.PublishJWKS([]byte(b.String()))
	p, logs := w.provider(t, nil)
	mustKey(t, p, "a")
	lines := strings.Count(logs.String(), "\n")
	fetched := logs.Records(t, "keys: fetched from the issuer")
	if lines != 1 || len(fetched) != 1 {
		t.Fatalf("%d log lines for one fetch", lines)
	}
	rec := fetched[0]
	by, _ := rec["dropped_by_reason"].(map[string]any)
	if _, ok := by[string(jwks.ReasonTooMany)].(float64); !ok {
		t.Fatalf("summary: %v", rec)
	}
	if _, ok := by[string(jwks.ReasonUnparseable)].(float64); !ok {
		t.Fatalf("summary: %v", rec)
	}
	if rec["level"] != "WARN" || rec["keys"] != 1.0 || rec["members"] != float64(junk+1) ||
		rec["dropped"] != float64(junk) || by[string(jwks.ReasonUnparseable)].(float64)+by[string(jwks.ReasonTooMany)].(float64) != float64(junk) {
		t.Fatalf("summary: %v", rec)
	}

	// All junk: the failed fetch is one line too.
	w.iss.PublishJWKS([]byte(strings.Replace(b.String(), good, "{}", 1)))
	w.clk.Advance(testWindow)
	wantErr(t, p, "unknown", ErrKeyNotFound)
	if n := strings.Count(logs.String(), "\n"); n != 2 {
		t.Fatalf("%d log lines after the second fetch", n)
	}
}

func TestIssuerHangBounded(t *testing.T) {
	w := newWorld(t, "a")
	w.iss.Hang(true)
	timeout := 300 * time.Millisecond
	for name, o := range map[string]Options{
		"jwks_url":  options(w.iss.JWKSURL()),
		"discovery": {Issuer: w.iss.URL(), TTL: testTTL, FetchTimeout: timeout},
	} {
		t.Run(name, func(t *testing.T) {
			o.FetchTimeout, o.Store = timeout, &memStore{}
			p, _ := newProvider(t, o)
			start := time.Now()
			wantErr(t, p, "a", ErrUnavailable)
			// Discovery and fetch share one timeout.
			if d := time.Since(start); d > timeout+time.Second {
				t.Fatalf("verdict took %v", d)
			}
		})
	}
}

func TestPrivateMaterialNeverStored(t *testing.T) {
	k := jwttest.NewEC("a", elliptic.P256())
	w := newWorld(t, "x")
	w.iss.PublishJWKS(jwttest.JWKSOf(
		jose.JSONWebKey{Key: k.Private, KeyID: "leaked", Algorithm: "ES256"},
		jose.JSONWebKey{Key: k.Public(), KeyID: "a", Algorithm: "ES256"},
	))
	st := &memStore{}
	p, logs := w.provider(t, st)
	mustKey(t, p, "a")
	wantErr(t, p, "leaked", ErrKeyNotFound)
	if e := st.entry(); e == nil || strings.Contains(string(e.JWKS), `"d"`) || strings.Contains(string(e.JWKS), "leaked") {
		t.Fatalf("stored: %s", st.entry().JWKS)
	}
	rec := logs.Records(t, "keys: fetched from the issuer")
	if len(rec) != 1 || rec[0]["dropped"] != 1.0 {
		t.Fatalf("drop not counted: %s", logs)
	}
}

func TestCallerHTTPClientKeepsRedirectRule(t *testing.T) {
	w := newWorld(t, "a")
	redirector := httptest.NewServer(http.RedirectHandler(w.iss.JWKSURL(), http.StatusFound))
	defer redirector.Close()
	o := options(redirector.URL)
	o.HTTPClient = &http.Client{}
	p, _ := newProvider(t, o)
	wantErr(t, p, "a", ErrUnavailable)
	if w.iss.Fetches() != 0 {
		t.Fatal("followed a cross-host redirect")
	}
}

// TestWarmBesideKey: Warm is not single-flight, so a Key that comes while
// it runs (not at a Lambda cold start, whose first verdict waits for Warm)
// may load too; both must be safe, under -race, and both serve the key.
func TestWarmBesideKey(t *testing.T) {
	w := newWorld(t, "a")
	o := w.options(&memStore{})
	o.JWKSURL, o.Issuer = "", w.iss.URL()
	p, _ := newProvider(t, o)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := p.Warm(context.Background()); err != nil {
			t.Error(err)
		}
	})
	for range 4 {
		wg.Go(func() {
			if _, err := p.Key(context.Background(), "a"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	p.settle()
	mustKey(t, p, "a")
}
