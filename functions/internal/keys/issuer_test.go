package keys

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
)

func TestDiscovery(t *testing.T) {
	is := newIssuer(t, "a")
	clk := newClock()
	o := options("")
	o.Issuer, o.Now = is.srv.URL, clk.Now
	p, _ := newProvider(t, o)
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustKey(t, p, "a")
	// A later refetch reuses the discovered jwks_uri.
	is.rotate(t, "b")
	clk.Add(testWindow)
	mustKey(t, p, "b")
	if is.count() != 2 || is.discovered.Load() != 1 {
		t.Fatalf("fetches %d, discovery %d", is.count(), is.discovered.Load())
	}
}

// TestJunkSetOneLine: a 1 MiB key set of junk members writes one line per
// fetch, with counts, not one per member.
func TestJunkSetOneLine(t *testing.T) {
	good := strings.TrimSuffix(strings.TrimPrefix(string(jwksDoc(t, "a")), `{"keys":[`), `]}`)
	var b strings.Builder
	b.WriteString(`{"keys":[` + good)
	junk := 0
	for b.Len() < jwks.MaxBodyBytes-16 {
		b.WriteString(`,{}`)
		junk++
	}
	b.WriteString(`]}`)
	is := newIssuer(t, "x")
	is.set([]byte(b.String()))
	clk := newClock()
	o := options(is.url())
	o.Now = clk.Now
	p, logs := newProvider(t, o)
	mustKey(t, p, "a")
	lines := strings.Count(logs.String(), "\n")
	fetched := logs.lines(t, "keys: fetched from the issuer")
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
	is.set([]byte(strings.Replace(b.String(), good, "{}", 1)))
	clk.Add(testWindow)
	wantErr(t, p, "unknown", ErrKeyNotFound)
	if n := strings.Count(logs.String(), "\n"); n != 2 {
		t.Fatalf("%d log lines after the second fetch", n)
	}
}

func TestIssuerHangBounded(t *testing.T) {
	is := newIssuer(t, "a")
	is.hang.Store(true)
	timeout := 300 * time.Millisecond
	for name, o := range map[string]Options{
		"jwks_url":  options(is.url()),
		"discovery": {Issuer: is.srv.URL, TTL: testTTL, FetchTimeout: timeout},
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
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: k, KeyID: "leaked", Algorithm: "ES256"},
		{Key: k.Public(), KeyID: "a", Algorithm: "ES256"},
	}})
	is := newIssuer(t, "x")
	is.set(doc)
	st := &memStore{}
	o := options(is.url())
	o.Store, o.Now = st, newClock().Now
	p, logs := newProvider(t, o)
	mustKey(t, p, "a")
	wantErr(t, p, "leaked", ErrKeyNotFound)
	if e := st.entry(); e == nil || strings.Contains(string(e.JWKS), `"d"`) || strings.Contains(string(e.JWKS), "leaked") {
		t.Fatalf("stored: %s", st.entry().JWKS)
	}
	rec := logs.lines(t, "keys: fetched from the issuer")
	if len(rec) != 1 || rec[0]["dropped"] != 1.0 {
		t.Fatalf("drop not counted: %s", logs)
	}
}

func TestCallerHTTPClientKeepsRedirectRule(t *testing.T) {
	is := newIssuer(t, "a")
	redirector := httptest.NewServer(http.RedirectHandler(is.url(), http.StatusFound))
	defer redirector.Close()
	o := options(redirector.URL)
	o.HTTPClient = &http.Client{}
	p, _ := newProvider(t, o)
	wantErr(t, p, "a", ErrUnavailable)
	if is.count() != 0 {
		t.Fatal("followed a cross-host redirect")
	}
}
