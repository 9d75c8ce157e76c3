package jwks

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

func testRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		rsaKey = k
	})
	return rsaKey
}

func ecKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func doc(t testing.TB, keys ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jwk(kid, alg string, key any) jose.JSONWebKey {
	return jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: "sig"}
}

func TestParseSetKeepsPublicSignatureKeys(t *testing.T) {
	ec := ecKey(t, elliptic.P256())
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	raw := doc(t,
		jwk("rsa", "RS256", testRSA(t).Public()),
		jwk("ec", "ES256", ec.Public()),
		jwk("ed", "EdDSA", ed.Public()),
		jose.JSONWebKey{Key: ec.Public(), KeyID: "noalg"},
	)
	s, err := ParseSet(raw)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 4 || len(s.Dropped) != 0 {
		t.Fatalf("kept %d dropped %v", s.Len(), s.Dropped)
	}
	// The re-encoded JSON round-trips to the same keys.
	s2, err := ParseSet(s.JSON)
	if err != nil || s2.Len() != 4 {
		t.Fatalf("round trip: %v %d", err, s2.Len())
	}
}

func TestParseSetDrops(t *testing.T) {
	ec := ecKey(t, elliptic.P256())
	ec384 := ecKey(t, elliptic.P384())
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	good := jwk("good", "ES256", ec.Public())
	members := []jose.JSONWebKey{
		good,
		jwk("good", "ES256", ec384.Public()),         // duplicate kid
		jwk("priv", "ES256", ec),                     // private
		jwk("weak", "RS256", small.Public()),         // < 2048 bits
		jwk("mismatch", "ES256", ec384.Public()),     // alg vs curve
		jwk("rsa-es", "ES256", testRSA(t).Public()),  // alg vs type
		{Key: ec.Public(), KeyID: "enc", Use: "enc"}, // not for signatures
		{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "oct", Algorithm: "HS256"}, // symmetric
	}
	raw := doc(t, members...)
	// Members go-jose cannot marshal, added by hand.
	var m map[string][]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["keys"] = append(m["keys"],
		json.RawMessage(`{"kty":"XYZ","kid":"unknown"}`),
		json.RawMessage(`"string"`),
		json.RawMessage(`{"kty":"EC","kid":"ops","crv":"P-256","x":"`+b64(ec.X.Bytes())+`","y":"`+b64(ec.Y.Bytes())+`","key_ops":["encrypt"]}`),
		json.RawMessage(`{"kty":"RSA","kid":"bad-n","n":"","e":"AQAB"}`),
		json.RawMessage(`{"kty":"RSA","kid":"huge","n":"`+b64(append([]byte{1}, make([]byte, MaxRSABits/8)...))+`","e":"AQAB"}`),
	)
	raw, _ = json.Marshal(m)

	s, err := ParseSet(raw)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 1 || s.Keys["good"] == nil {
		t.Fatalf("kept %v", s.Keys)
	}
	if s.Keys["good"].Key.(*ecdsa.PublicKey).Curve != elliptic.P256() {
		t.Fatal("duplicate kid replaced the first key")
	}
	if got, want := len(s.Dropped), len(m["keys"])-1; got != want {
		t.Fatalf("dropped %d, want %d: %+v", got, want, s.Dropped)
	}
	for _, d := range s.Dropped {
		if d.Reason == "" {
			t.Errorf("dropped without reason: %+v", d)
		}
	}
	if strings.Contains(string(s.JSON), `"d"`) || strings.Contains(string(s.JSON), "priv") {
		t.Fatalf("re-encoded set leaks dropped members: %s", s.JSON)
	}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func TestParseSetErrors(t *testing.T) {
	priv := doc(t, jwk("p", "ES256", ecKey(t, elliptic.P256())))
	for name, tc := range map[string]struct {
		raw  string
		want error
	}{
		"empty":       {"", ErrInvalid},
		"garbage":     {"<html>", ErrInvalid},
		"no keys":     {`{"foo":1}`, ErrInvalid},
		"keys object": {`{"keys":{}}`, ErrInvalid},
		"null keys":   {`{"keys":null}`, ErrInvalid},
		"empty keys":  {`{"keys":[]}`, ErrNoKeys},
		"only bad":    {string(priv), ErrNoKeys},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseSet([]byte(tc.raw))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseSetMaxKeys(t *testing.T) {
	ec := ecKey(t, elliptic.P256())
	var ks []jose.JSONWebKey
	for i := range MaxKeys + 5 {
		ks = append(ks, jwk("k"+string(rune('a'+i/26))+string(rune('a'+i%26)), "ES256", ec.Public()))
	}
	s, err := ParseSet(doc(t, ks...))
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != MaxKeys || len(s.Dropped) != 5 {
		t.Fatalf("kept %d dropped %d", s.Len(), len(s.Dropped))
	}
}

// issuer serves a discovery document and a JWKS.
func issuer(t *testing.T, jwks []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": srv.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(jwks) })
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestDiscoverAndFetch(t *testing.T) {
	raw := doc(t, jwk("a", "ES256", ecKey(t, elliptic.P256()).Public()))
	srv := issuer(t, raw)
	c := NewClient(nil, nil)
	u, err := c.Discover(context.Background(), srv.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if u != srv.URL+"/keys" {
		t.Fatalf("jwks_uri = %s", u)
	}
	s, err := c.Fetch(context.Background(), u)
	if err != nil || s.Keys["a"] == nil {
		t.Fatalf("fetch: %v %v", s, err)
	}
}

func TestDiscoverRejects(t *testing.T) {
	for name, body := range map[string]string{
		"garbage":      "nope",
		"no jwks_uri":  `{"issuer":"ISS"}`,
		"other issuer": `{"issuer":"https://evil.example","jwks_uri":"ISS/keys"}`,
		"relative":     `{"issuer":"ISS","jwks_uri":"/keys"}`,
		"scheme":       `{"issuer":"ISS","jwks_uri":"file:///etc/passwd"}`,
	} {
		t.Run(name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(strings.ReplaceAll(body, "ISS", srv.URL)))
			}))
			defer srv.Close()
			_, err := NewClient(nil, nil).Discover(context.Background(), srv.URL)
			if !errors.Is(err, ErrDiscovery) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if _, err := NewClient(nil, nil).Discover(context.Background(), "not a url"); !errors.Is(err, ErrURL) {
		t.Fatalf("bad issuer: %v", err)
	}
}

func TestFetchHTTPFailures(t *testing.T) {
	good := doc(t, jwk("a", "ES256", ecKey(t, elliptic.P256()).Public()))
	big := append(append([]byte(`{"keys":[],"pad":"`), strings.Repeat("x", MaxBodyBytes)...), `"}`...)
	for name, tc := range map[string]struct {
		h    http.HandlerFunc
		want error
	}{
		"500": {func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, ErrStatus},
		"404": {func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, ErrStatus},
		"304": {func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(304) }, ErrStatus},
		"garbage": {func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("<html>hi</html>"))
		}, ErrInvalid},
		"too large announced": {func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(big) }, ErrTooLarge},
		"too large chunked": {func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i < len(big); i += 64 << 10 {
				_, _ = w.Write(big[i:min(i+64<<10, len(big))])
				w.(http.Flusher).Flush()
			}
		}, ErrTooLarge},
		"ok": {func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(good) }, nil},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			_, err := NewClient(nil, nil).Fetch(context.Background(), srv.URL)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFetchTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := NewClient(NewHTTPClient(150*time.Millisecond), nil)
	start := time.Now()
	_, err := c.Fetch(context.Background(), srv.URL)
	if !errors.Is(err, ErrFetch) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("took %v", d)
	}
	// A context deadline bounds a client without its own timeout too.
	c = NewClient(&http.Client{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Fetch(ctx, srv.URL); !errors.Is(err, ErrFetch) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ctx err = %v", err)
	}
}

func TestRedirects(t *testing.T) {
	good := doc(t, jwk("a", "ES256", ecKey(t, elliptic.P256()).Public()))
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(good) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/keys", http.StatusFound)
		case "/keys":
			_, _ = w.Write(good)
		case "/cross":
			http.Redirect(w, r, other.URL+"/keys", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	defer srv.Close()
	// Even a caller's client that follows any redirect gets the rule.
	for _, c := range []*Client{NewClient(nil, nil), NewClient(&http.Client{}, nil)} {
		if _, err := c.Fetch(context.Background(), srv.URL+"/same"); err != nil {
			t.Fatalf("same host: %v", err)
		}
		if _, err := c.Fetch(context.Background(), srv.URL+"/cross"); !errors.Is(err, ErrRedirect) {
			t.Fatalf("cross host: %v", err)
		}
		if _, err := c.Fetch(context.Background(), srv.URL+"/loop"); !errors.Is(err, ErrRedirect) {
			t.Fatalf("loop: %v", err)
		}
	}
}

func FuzzParseSet(f *testing.F) {
	// Real key sets are in testdata/fuzz/FuzzParseSet (static: generating
	// keys under coverage instrumentation is too slow for the fuzz workers).
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"x"},{"kty":"oct","k":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[null,1,"a",[],{}]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := ParseSet(raw)
		if err != nil {
			if s != nil {
				t.Fatal("set with error")
			}
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNoKeys) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if s.Len() == 0 || s.Len() > MaxKeys {
			t.Fatalf("kept %d keys", s.Len())
		}
		for kid, k := range s.Keys {
			if k.KeyID != kid || !k.IsPublic() {
				t.Fatalf("bad key %q", kid)
			}
		}
		// What is kept re-parses to the same kids, nothing dropped.
		s2, err := ParseSet(s.JSON)
		if err != nil || s2.Len() != s.Len() || len(s2.Dropped) != 0 {
			t.Fatalf("re-parse: %v, %d vs %d, dropped %v", err, s2.Len(), s.Len(), s2.Dropped)
		}
	})
}

func TestDiscoverNoDowngrade(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{
			"issuer": srv.URL, "jwks_uri": strings.Replace(srv.URL, "https:", "http:", 1) + "/keys",
		})
	}))
	defer srv.Close()
	if _, err := NewClient(srv.Client(), nil).Discover(context.Background(), srv.URL); !errors.Is(err, ErrDiscovery) {
		t.Fatalf("err = %v", err)
	}
}
