package jwttest

import (
	"context"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, c *http.Client, url string) (int, []byte) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func kids(t *testing.T, doc []byte) string {
	t.Helper()
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatalf("key set %q: %v", doc, err)
	}
	var ids []string
	for _, k := range set.Keys {
		ids = append(ids, k.KID)
	}
	return strings.Join(ids, ",")
}

func TestIssuerServesDiscoveryAndRotation(t *testing.T) {
	a, b := NewEC("a", elliptic.P256()), NewEC("b", elliptic.P256())
	iss := NewIssuer(a)
	t.Cleanup(iss.Close)
	c := iss.Client()

	_, body := get(t, c, iss.URL()+DiscoveryPath)
	var disc map[string]string
	if err := json.Unmarshal(body, &disc); err != nil {
		t.Fatal(err)
	}
	if disc["issuer"] != iss.URL() || disc["jwks_uri"] != iss.JWKSURL() {
		t.Fatalf("discovery %v, want issuer %s and jwks_uri %s", disc, iss.URL(), iss.JWKSURL())
	}
	if _, doc := get(t, c, iss.JWKSURL()); kids(t, doc) != "a" {
		t.Fatalf("key set %s, want a", doc)
	}
	iss.Publish(a, b)
	if _, doc := get(t, c, iss.URL()+"/any/path/keys"); kids(t, doc) != "a,b" {
		t.Fatalf("after rotation: key set %s, want a,b", doc)
	}
	iss.PublishJWKS(JWKS(a), JWKS(b))
	var seen []string
	for range 4 {
		_, doc := get(t, c, iss.JWKSURL())
		seen = append(seen, kids(t, doc))
	}
	if got := strings.Join(seen, " "); got != "a b a b" {
		t.Fatalf("alternating sets served %q, want %q", got, "a b a b")
	}
	if iss.Fetches() != 6 || iss.Discoveries() != 1 {
		t.Fatalf("fetches %d, discoveries %d: want 6 and 1", iss.Fetches(), iss.Discoveries())
	}
}

func TestIssuerFaults(t *testing.T) {
	iss := NewIssuer(NewEC("a", elliptic.P256()))
	t.Cleanup(iss.Close)
	iss.Fail(http.StatusServiceUnavailable)
	if code, _ := get(t, iss.Client(), iss.JWKSURL()); code != http.StatusServiceUnavailable {
		t.Fatalf("failing issuer answered %d", code)
	}
	iss.Fail(0)
	if code, _ := get(t, iss.Client(), iss.JWKSURL()); code != http.StatusOK {
		t.Fatalf("recovered issuer answered %d", code)
	}

	iss.Hang(true)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, iss.JWKSURL(), nil)
	if _, err := iss.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hanging issuer: err = %v, want the client's deadline", err)
	}
	// The hung request arrived: WaitFetches sees it without waiting for time.
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	if err := iss.WaitFetches(wctx, 3); err != nil {
		t.Fatal(err)
	}
	short, scancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer scancel()
	if err := iss.WaitFetches(short, 4); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitFetches beyond the requests made: err = %v", err)
	}
}

func TestTLSIssuer(t *testing.T) {
	iss := NewTLSIssuer(NewEC("a", elliptic.P256()))
	t.Cleanup(iss.Close)
	if !strings.HasPrefix(iss.JWKSURL(), "https://") {
		t.Fatalf("JWKSURL %s", iss.JWKSURL())
	}
	block, _ := pem.Decode(iss.CertificatePEM())
	if block == nil {
		t.Fatal("no certificate PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if code, doc := get(t, c, iss.JWKSURL()); code != http.StatusOK || kids(t, doc) != "a" {
		t.Fatalf("over the PEM's trust: %d %s", code, doc)
	}
	if _, err := http.Get(iss.JWKSURL()); err == nil {
		t.Fatal("a client without the certificate trusted the issuer")
	}
}

func TestClock(t *testing.T) {
	c := NewClock(time.Time{})
	if !c.Now().Equal(Epoch) {
		t.Fatalf("start %v, want Epoch", c.Now())
	}
	c.Advance(90 * time.Second)
	if got := c.Now().Sub(Epoch); got != 90*time.Second {
		t.Fatalf("advanced %v", got)
	}
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c.Set(at)
	if !c.Now().Equal(at) {
		t.Fatalf("set: %v", c.Now())
	}
}
