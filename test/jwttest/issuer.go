package jwttest

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DiscoveryPath is where an Issuer serves its OpenID Connect discovery
// document; every other path serves the key set, so a proxy may put any path
// in front of it.
const DiscoveryPath = "/.well-known/openid-configuration"

// JWKSPath is the path of JWKSURL.
const JWKSPath = "/jwks"

// Issuer is a fake OpenID Connect issuer on loopback: discovery (issuer =
// URL, jwks_uri = JWKSURL) and a key set that tests can rotate, alternate,
// slow down, fail or hang, counting the requests it gets. The one fake issuer
// of the tests and the benchmarks.
type Issuer struct {
	srv *httptest.Server

	docs        atomic.Pointer[[][]byte] // served round-robin
	status      atomic.Int32             // 0: serve the key set
	hang        atomic.Bool
	delay       atomic.Int64 // time.Duration before each answer
	fetches     atomic.Int64 // key set requests
	discoveries atomic.Int64

	mu      sync.Mutex
	fetched chan struct{} // closed and replaced on every key set request
}

// NewIssuer starts an http issuer publishing keys. Close it when done
// (t.Cleanup(iss.Close)).
func NewIssuer(keys ...*Key) *Issuer {
	i := newIssuer(keys)
	i.srv.Start()
	return i
}

// NewTLSIssuer starts an https issuer (a self-signed certificate for
// 127.0.0.1; see Client and CertificatePEM) publishing keys.
func NewTLSIssuer(keys ...*Key) *Issuer {
	i := newIssuer(keys)
	i.srv.StartTLS()
	return i
}

func newIssuer(keys []*Key) *Issuer {
	i := &Issuer{fetched: make(chan struct{})}
	i.Publish(keys...)
	i.srv = httptest.NewUnstartedServer(http.HandlerFunc(i.serve))
	return i
}

func (i *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	discovery := strings.HasSuffix(r.URL.Path, DiscoveryPath)
	var n int64
	if discovery {
		i.discoveries.Add(1)
	} else {
		n = i.fetches.Add(1)
		i.notify()
	}
	if d := time.Duration(i.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if i.hang.Load() {
		<-r.Context().Done()
		return
	}
	if s := i.status.Load(); s != 0 {
		w.WriteHeader(int(s))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if discovery {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": i.URL(), "jwks_uri": i.JWKSURL()})
		return
	}
	docs := *i.docs.Load()
	_, _ = w.Write(docs[int(n-1)%len(docs)])
}

func (i *Issuer) notify() {
	i.mu.Lock()
	close(i.fetched)
	i.fetched = make(chan struct{})
	i.mu.Unlock()
}

// URL is the issuer identifier: the server's root URL.
func (i *Issuer) URL() string { return i.srv.URL }

// JWKSURL is the key set's URL.
func (i *Issuer) JWKSURL() string { return i.srv.URL + JWKSPath }

// Client returns an HTTP client that trusts the issuer's certificate.
func (i *Issuer) Client() *http.Client { return i.srv.Client() }

// CertificatePEM is the TLS issuer's certificate, for programs that take a
// CA file (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS); nil for an http issuer.
func (i *Issuer) CertificatePEM() []byte {
	c := i.srv.Certificate()
	if c == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// Publish serves a key set holding keys' public halves from now on.
func (i *Issuer) Publish(keys ...*Key) { i.PublishJWKS(JWKS(keys...)) }

// PublishJWKS serves the given documents as they are, one per request in
// turn (one document: always that one), e.g. to alternate two key sets or to
// publish garbage.
func (i *Issuer) PublishJWKS(docs ...[]byte) {
	if len(docs) == 0 {
		panic("jwttest: PublishJWKS needs a document")
	}
	d := append([][]byte(nil), docs...)
	i.docs.Store(&d)
}

// Fail answers every request with status (e.g. 503) from now on; 0 serves again.
func (i *Issuer) Fail(status int) { i.status.Store(int32(status)) }

// Hang holds every request open until the client gives up (on) or serves again (off).
func (i *Issuer) Hang(on bool) { i.hang.Store(on) }

// Delay waits d before each answer, e.g. the round trip to a real issuer.
func (i *Issuer) Delay(d time.Duration) { i.delay.Store(int64(d)) }

// Fetches counts the key set requests so far.
func (i *Issuer) Fetches() int64 { return i.fetches.Load() }

// Discoveries counts the discovery requests so far.
func (i *Issuer) Discoveries() int64 { return i.discoveries.Load() }

// WaitFetches waits until at least n key set requests have arrived (answered
// or not), or ctx ends.
func (i *Issuer) WaitFetches(ctx context.Context, n int64) error {
	for {
		i.mu.Lock()
		ch := i.fetched
		i.mu.Unlock()
		if got := i.fetches.Load(); got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d key set requests (saw %d): %w", n, i.fetches.Load(), ctx.Err())
		}
	}
}

// Close stops the server.
func (i *Issuer) Close() { i.srv.Close() }
