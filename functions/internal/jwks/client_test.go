package jwks

import (
	"context"
	"crypto/elliptic"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

func TestFetchHTTPFailures(t *testing.T) {
	good := jwttest.JWKSOf(jwk("a", "ES256", ecKey(t, elliptic.P256()).Public()))
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
			_, err := NewClient(nil).Fetch(context.Background(), srv.URL)
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
	c := NewClient(NewHTTPClient(150 * time.Millisecond))
	if _, err := c.Fetch(context.Background(), srv.URL); !errors.Is(err, ErrFetch) {
		t.Fatalf("err = %v", err)
	}
	// A context deadline bounds a client without its own timeout too.
	c = NewClient(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Fetch(ctx, srv.URL); !errors.Is(err, ErrFetch) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ctx err = %v", err)
	}
}

func TestRedirects(t *testing.T) {
	good := jwttest.JWKSOf(jwk("a", "ES256", ecKey(t, elliptic.P256()).Public()))
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
	for _, c := range []*Client{NewClient(nil), NewClient(&http.Client{}), NewClient(NewHTTPClient(time.Second))} {
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

func TestFetchBadURL(t *testing.T) {
	if _, err := NewClient(nil).Fetch(context.Background(), "http://[::1"); !errors.Is(err, ErrURL) {
		t.Fatalf("err = %v", err)
	}
}
