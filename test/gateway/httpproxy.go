package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidIntegration: an HTTP_PROXY integration API Gateway could not
// send either (a URI placeholder without a mapping, a port it refuses).
var ErrInvalidIntegration = errors.New("invalid integration")

// placeholder is a {name} of an integration URI.
var placeholder = regexp.MustCompile(`\{([^{}/]+)\}`)

// Integration request parameter targets and method request sources the
// gateway maps, and the one context source (context.authorizer.<key>, the
// authorizer's principalId or a context value); other context variables,
// stage variables and body mappings are not reproduced.
var (
	targetPrefixes = []string{"integration.request.path.", "integration.request.querystring.", "integration.request.header."}
	sourcePrefixes = []string{"method.request.path.", "method.request.querystring.", "method.request.header."}
	authorizerKey  = regexp.MustCompile(`^context\.authorizer\.[A-Za-z0-9_]+$`)
)

// checkHTTPIntegration validates an HTTP_PROXY integration at load, as API
// Gateway does when it is put: an absolute http(s) URI on port 80, 443 or
// 1024-65535, a verb, and a mapping for every {placeholder} of the URI.
func checkHTTPIntegration(in *Integration) error {
	u, err := url.Parse(placeholder.ReplaceAllString(in.URI, "x"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("HTTP_PROXY uri %q: want an absolute http(s) URL: %w", in.URI, ErrInvalidIntegration)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || (n != 80 && n != 443 && (n < 1024 || n > 65535)) {
			return fmt.Errorf("HTTP_PROXY uri %q: API Gateway reaches ports 80, 443 and 1024-65535 only: %w", in.URI, ErrInvalidIntegration)
		}
	}
	switch in.HTTPMethod {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY":
	default:
		return fmt.Errorf("HTTP_PROXY integration method %q: %w", in.HTTPMethod, ErrInvalidIntegration)
	}
	for _, m := range placeholder.FindAllStringSubmatch(in.URI, -1) {
		if _, ok := in.RequestParameters["integration.request.path."+m[1]]; !ok {
			return fmt.Errorf("HTTP_PROXY uri %q: {%s} has no integration.request.path.%s mapping: %w", in.URI, m[1], m[1], ErrInvalidIntegration)
		}
	}
	for target, source := range in.RequestParameters {
		if !slices.ContainsFunc(targetPrefixes, func(p string) bool { return strings.HasPrefix(target, p) }) {
			return fmt.Errorf("HTTP_PROXY request parameter %s: %w", target, ErrUnsupported)
		}
		static := len(source) >= 2 && source[0] == '\'' && source[len(source)-1] == '\''
		if !static && !authorizerKey.MatchString(source) && !slices.ContainsFunc(sourcePrefixes, func(p string) bool { return strings.HasPrefix(source, p) }) {
			return fmt.Errorf("HTTP_PROXY request parameter %s = %s: %w", target, source, ErrUnsupported)
		}
	}
	return nil
}

// hopByHop are the headers a proxy does not forward (RFC 9110 §7.6.1).
var hopByHop = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// newBackendClient is the HTTP_PROXY client: no proxy from the environment
// (the request must reach the configured URL), no redirects followed (API
// Gateway returns a 3xx as it is).
func newBackendClient() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext, MaxIdleConnsPerHost: 16},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// httpProxy sends the request to the HTTP_PROXY backend and relays its
// answer: status, headers and body as they are.
func (g *Gateway) httpProxy(w http.ResponseWriter, r *http.Request, rc *requestCtx, body []byte) int {
	in := rc.method.Integration
	target, query, header := g.integrationRequest(r, rc, in)
	u, err := url.Parse(target)
	if err != nil {
		rc.note = "HTTP_PROXY uri after substitution: " + err.Error()
		return g.fail(w, errConfig)
	}
	if !loopback(u.Hostname()) {
		// The tests never leave the machine; real backends are out of scope.
		rc.note = "HTTP_PROXY to a non-loopback host is not served locally: " + u.Host
		return g.fail(w, errConfig)
	}
	if query != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += query
	}
	verb := in.HTTPMethod
	if verb == "ANY" {
		verb = r.Method
	}
	timeout := in.Timeout
	if timeout <= 0 {
		timeout = 29 * time.Second
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, verb, u.String(), bytes.NewReader(body))
	if err != nil {
		rc.note = "HTTP_PROXY request: " + err.Error()
		return g.fail(w, errConfig)
	}
	req.Header = header
	resp, err := g.backend.Do(req)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		rc.note = "HTTP_PROXY timeout"
		return g.fail(w, errTimeout)
	case err != nil:
		// The execution log's "Execution failed due to configuration error".
		rc.note = "HTTP_PROXY: " + err.Error()
		return g.fail(w, errConfig)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20+1))
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		rc.note = "HTTP_PROXY timeout reading the body"
		return g.fail(w, errTimeout)
	case err != nil:
		rc.note = "HTTP_PROXY body: " + err.Error()
		return g.fail(w, errIntegration)
	case len(b) > 10<<20:
		rc.note = "HTTP_PROXY answer over 10 MB"
		return g.fail(w, errIntegration)
	}
	stripHopByHop(resp.Header)
	for k, vs := range resp.Header {
		if k == "Content-Length" {
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(b)
	return resp.StatusCode
}

// integrationRequest builds the backend URL (the URI with its placeholders
// filled), the extra query and the headers: the client's own, minus
// hop-by-hop ones, plus the mapped ones.
func (g *Gateway) integrationRequest(r *http.Request, rc *requestCtx, in *Integration) (target, query string, header http.Header) {
	value := func(source string) (string, bool) {
		switch {
		case len(source) >= 2 && source[0] == '\'':
			return source[1 : len(source)-1], true
		case strings.HasPrefix(source, "method.request.path."):
			v, ok := rc.params[strings.TrimPrefix(source, "method.request.path.")]
			return v, ok
		case strings.HasPrefix(source, "method.request.querystring."):
			q := r.URL.Query()
			k := strings.TrimPrefix(source, "method.request.querystring.")
			return q.Get(k), q.Has(k)
		case strings.HasPrefix(source, "method.request.header."):
			v := r.Header.Values(strings.TrimPrefix(source, "method.request.header."))
			if len(v) == 0 {
				return "", false
			}
			return v[0], true
		case authorizerKey.MatchString(source):
			// What the authorizer returned (principalId, a context value),
			// never anything the client sent; none without an authorizer.
			v, ok := rc.authorizer[strings.TrimPrefix(source, "context.authorizer.")]
			if !ok {
				return "", false
			}
			return fmt.Sprint(v), true
		}
		return "", false
	}
	target = placeholder.ReplaceAllStringFunc(in.URI, func(m string) string {
		source := in.RequestParameters["integration.request.path."+m[1:len(m)-1]]
		v, _ := value(source)
		if strings.HasPrefix(source, "method.request.path.") {
			return v // as it appeared in the request's path, escapes kept
		}
		return url.PathEscape(v)
	})

	header = r.Header.Clone()
	stripHopByHop(header)
	header.Del("Host")
	extra := url.Values{}
	// A mapped header is the mapping's value only: the client's own never
	// reaches the backend, even when the source has none (a client-sent
	// X-User-Id must not pass for the authorizer's).
	for t := range in.RequestParameters {
		if name, ok := strings.CutPrefix(t, "integration.request.header."); ok {
			header.Del(name)
		}
	}
	for t, source := range in.RequestParameters {
		name, isHeader := strings.CutPrefix(t, "integration.request.header.")
		v, ok := value(source)
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(t, "integration.request.querystring."):
			extra.Set(strings.TrimPrefix(t, "integration.request.querystring."), v)
		case isHeader:
			header.Set(name, v)
		}
	}
	header.Set("X-Amzn-Trace-Id", "Root="+rc.traceID)
	if prior := header.Get("X-Forwarded-For"); prior != "" {
		header.Set("X-Forwarded-For", prior+", "+clientIP(r))
	} else {
		header.Set("X-Forwarded-For", clientIP(r))
	}
	query = r.URL.RawQuery
	if e := extra.Encode(); e != "" {
		if query != "" {
			query += "&"
		}
		query += e
	}
	return target, query, header
}

func stripHopByHop(h http.Header) {
	for _, c := range h.Values("Connection") {
		for _, f := range strings.Split(c, ",") {
			h.Del(strings.TrimSpace(f))
		}
	}
	for _, k := range hopByHop {
		h.Del(k)
	}
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
