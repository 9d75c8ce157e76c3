package jwks

import (
	"context"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

func TestDiscoverAndFetch(t *testing.T) {
	iss := jwttest.NewIssuer(jwttest.NewEC("a", elliptic.P256()))
	t.Cleanup(iss.Close)
	c := NewClient(nil)
	u, err := c.Discover(context.Background(), iss.URL())
	if err != nil {
		t.Fatal(err)
	}
	if u != iss.JWKSURL() {
		t.Fatalf("jwks_uri = %s", u)
	}
	s, err := c.Fetch(context.Background(), u)
	if err != nil || s.Keys["a"] == nil {
		t.Fatalf("fetch: %v %v", s, err)
	}
}

// TestDiscoverRejects: the document is refused, each time for ErrDiscovery.
// ISS stands for the configured issuer (the server's URL).
func TestDiscoverRejects(t *testing.T) {
	for name, body := range map[string]string{
		"garbage":           "nope",
		"no jwks_uri":       `{"issuer":"ISS"}`,
		"no issuer":         `{"jwks_uri":"ISS/keys"}`,
		"null issuer":       `{"issuer":null,"jwks_uri":"ISS/keys"}`,
		"empty issuer":      `{"issuer":"","jwks_uri":"ISS/keys"}`,
		"other issuer":      `{"issuer":"https://evil.example","jwks_uri":"ISS/keys"}`,
		"trailing slash":    `{"issuer":"ISS/","jwks_uri":"ISS/keys"}`,
		"ISSUER":            `{"ISSUER":"ISS","jwks_uri":"ISS/keys"}`,
		"jwks_uri repeated": `{"issuer":"ISS","jwks_uri":"ISS/keys","jwks_uri":"https://evil.example/keys"}`,
		"issuer not string": `{"issuer":1,"jwks_uri":"ISS/keys"}`,
		"relative":          `{"issuer":"ISS","jwks_uri":"/keys"}`,
		"scheme":            `{"issuer":"ISS","jwks_uri":"file:///etc/passwd"}`,
	} {
		t.Run(name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(strings.ReplaceAll(body, "ISS", srv.URL)))
			}))
			defer srv.Close()
			u, err := NewClient(nil).Discover(context.Background(), srv.URL)
			if !errors.Is(err, ErrDiscovery) {
				t.Fatalf("jwks_uri %q, err = %v", u, err)
			}
		})
	}
}

// TestDiscoverIssuerExact: the configured issuer is compared as written,
// trailing slash included (OpenID Connect Discovery §4.3).
func TestDiscoverIssuerExact(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/tenant"+DiscoveryPath {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL + "/tenant/", "jwks_uri": srv.URL + "/keys"})
	}))
	defer srv.Close()
	c := NewClient(nil)
	if u, err := c.Discover(context.Background(), srv.URL+"/tenant/"); err != nil || u != srv.URL+"/keys" {
		t.Fatalf("same issuer: %q %v", u, err)
	}
	if _, err := c.Discover(context.Background(), srv.URL+"/tenant"); !errors.Is(err, ErrDiscovery) {
		t.Fatalf("issuer without the slash: %v", err)
	}
}

func TestDiscoverNoDowngrade(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{
			"issuer": srv.URL, "jwks_uri": strings.Replace(srv.URL, "https:", "http:", 1) + "/keys",
		})
	}))
	defer srv.Close()
	if _, err := NewClient(srv.Client()).Discover(context.Background(), srv.URL); !errors.Is(err, ErrDiscovery) {
		t.Fatalf("err = %v", err)
	}
}
