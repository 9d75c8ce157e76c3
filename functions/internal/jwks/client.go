package jwks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Limits on every request.
const (
	MaxBodyBytes = 1 << 20 // 1 MiB
	MaxRedirects = 3
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
	hc *http.Client
}

// NewHTTPClient returns a client whose every request ends within timeout,
// with the redirect rule (same host, at most MaxRedirects).
func NewHTTPClient(timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSHandshakeTimeout = timeout
	t.ResponseHeaderTimeout = timeout
	t.MaxIdleConnsPerHost = 2
	return &http.Client{Timeout: timeout, Transport: t, CheckRedirect: checkRedirect}
}

// NewClient wraps hc (nil → a client bounded by the caller's contexts only).
// The redirect rule is enforced even on a caller's client: a shallow copy
// gets CheckRedirect.
func NewClient(hc *http.Client) *Client {
	c := http.Client{}
	if hc != nil {
		c = *hc
	}
	c.CheckRedirect = checkRedirect
	return &Client{hc: &c}
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("follow redirect: %w: more than %d redirects", ErrRedirect, MaxRedirects)
	}
	first := via[0].URL
	if !strings.EqualFold(req.URL.Host, first.Host) {
		return fmt.Errorf("follow redirect: %w: %s redirects to another host", ErrRedirect, first.Host)
	}
	if first.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("follow redirect: %w: https to %s", ErrRedirect, req.URL.Scheme)
	}
	return nil
}

// Fetch downloads and parses the key set at jwksURL. What was dropped is
// counted in the Set, never logged member by member.
func (c *Client) Fetch(ctx context.Context, jwksURL string) (*Set, error) {
	body, err := c.get(ctx, jwksURL)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	s, err := ParseSet(body)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS from %s: %w", jwksURL, err)
	}
	return s, nil
}

// get performs a bounded GET and returns the body.
func (c *Client) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w: %v", ErrURL, err)
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
