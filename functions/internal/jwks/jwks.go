// Package jwks speaks to the token issuer over HTTP: OpenID Connect discovery
// (<issuer>/.well-known/openid-configuration → jwks_uri), the JWKS fetch, and
// the parsing of the key set into public signature keys.
//
// Every request is bounded: a timeout (DefaultTimeout unless the caller's
// context or client says otherwise), a body cap of MaxBodyBytes, at most
// MaxRedirects redirects and only to the same host (never to another host
// and never from https to http). Any non-2xx status is an error.
package jwks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults and limits.
const (
	DefaultTimeout = 2 * time.Second
	MaxBodyBytes   = 1 << 20 // 1 MiB
	MaxRedirects   = 3
	// DiscoveryPath is appended to the issuer to find its configuration.
	DiscoveryPath = "/.well-known/openid-configuration"
)

// Sentinel errors; every error returned by this package wraps one of them
// (transport errors and context errors wrap ErrFetch as well as the cause).
var (
	ErrFetch     = errors.New("jwks: request failed")
	ErrStatus    = errors.New("jwks: unexpected HTTP status")
	ErrTooLarge  = errors.New("jwks: response too large")
	ErrRedirect  = errors.New("jwks: redirect refused")
	ErrDiscovery = errors.New("jwks: invalid discovery document")
	ErrInvalid   = errors.New("jwks: invalid JWKS document")
	ErrNoKeys    = errors.New("jwks: no usable keys")
	ErrURL       = errors.New("jwks: invalid URL")
)

// Client fetches discovery documents and key sets.
type Client struct {
	hc  *http.Client
	log *slog.Logger
}

// NewHTTPClient returns the client used when none is given: a request
// timeout and the redirect rule (same host, at most MaxRedirects).
func NewHTTPClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSHandshakeTimeout = timeout
	t.ResponseHeaderTimeout = timeout
	t.MaxIdleConnsPerHost = 2
	return &http.Client{Timeout: timeout, Transport: t, CheckRedirect: checkRedirect}
}

// NewClient wraps hc (nil → NewHTTPClient(DefaultTimeout)). The redirect rule
// is enforced even on a caller's client: a shallow copy gets CheckRedirect.
// A nil logger discards.
func NewClient(hc *http.Client, logger *slog.Logger) *Client {
	if hc == nil {
		hc = NewHTTPClient(DefaultTimeout)
	} else {
		c := *hc
		c.CheckRedirect = checkRedirect
		hc = &c
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Client{hc: hc, log: logger}
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("%w: more than %d redirects", ErrRedirect, MaxRedirects)
	}
	first := via[0].URL
	if !strings.EqualFold(req.URL.Host, first.Host) {
		return fmt.Errorf("%w: %s redirects to another host", ErrRedirect, first.Host)
	}
	if first.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: https to %s", ErrRedirect, req.URL.Scheme)
	}
	return nil
}

// DiscoveryURL returns the OpenID configuration URL of issuer.
func DiscoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + DiscoveryPath
}

// Discover reads the issuer's OpenID configuration and returns its jwks_uri.
// The document's "issuer" must name the same issuer (trailing slash aside),
// and jwks_uri must be an absolute http(s) URL, https when the issuer is.
func (c *Client) Discover(ctx context.Context, issuer string) (string, error) {
	iu, err := parseHTTPURL(issuer)
	if err != nil {
		return "", fmt.Errorf("discover jwks_uri: issuer: %w", err)
	}
	body, err := c.get(ctx, DiscoveryURL(issuer))
	if err != nil {
		return "", fmt.Errorf("discover jwks_uri: %w", err)
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("discover jwks_uri: %w: %v", ErrDiscovery, err)
	}
	if doc.Issuer != "" && strings.TrimSuffix(doc.Issuer, "/") != strings.TrimSuffix(issuer, "/") {
		return "", fmt.Errorf("discover jwks_uri: %w: issuer %.200q, want %.200q", ErrDiscovery, doc.Issuer, issuer)
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("discover jwks_uri: %w: no jwks_uri", ErrDiscovery)
	}
	ju, err := parseHTTPURL(doc.JWKSURI)
	if err != nil {
		return "", fmt.Errorf("discover jwks_uri: %w: jwks_uri: %w", ErrDiscovery, err)
	}
	if iu.Scheme == "https" && ju.Scheme != "https" {
		return "", fmt.Errorf("discover jwks_uri: %w: jwks_uri is not https", ErrDiscovery)
	}
	return doc.JWKSURI, nil
}

// Fetch downloads and parses the key set at jwksURL. Dropped members are
// logged (one line each) and listed in the Set.
func (c *Client) Fetch(ctx context.Context, jwksURL string) (*Set, error) {
	if _, err := parseHTTPURL(jwksURL); err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	body, err := c.get(ctx, jwksURL)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	s, err := ParseSet(body)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS from %s: %w", jwksURL, err)
	}
	for _, d := range s.Dropped {
		c.log.Warn("jwks: key dropped", "jwks_url", jwksURL, "index", d.Index, "kid", truncate(d.KID, 128), "reason", d.Reason)
	}
	return s, nil
}

// get performs a bounded GET and returns the body.
func (c *Client) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURL, err)
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := c.hc.Do(req)
	if err != nil {
		if errors.Is(err, ErrRedirect) {
			return nil, fmt.Errorf("get %s: %w", u, err)
		}
		return nil, fmt.Errorf("get %s: %w: %w", u, ErrFetch, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("get %s: %w %d", u, ErrStatus, resp.StatusCode)
	}
	if resp.ContentLength > MaxBodyBytes {
		return nil, fmt.Errorf("get %s: %w: %d bytes announced", u, ErrTooLarge, resp.ContentLength)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("get %s: read body: %w: %w", u, ErrFetch, err)
	}
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("get %s: %w: over %d bytes", u, ErrTooLarge, MaxBodyBytes)
	}
	return body, nil
}

func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrURL, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: %.200q is not an absolute http(s) URL", ErrURL, s)
	}
	return u, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
