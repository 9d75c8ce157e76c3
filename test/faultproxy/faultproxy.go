// Package faultproxy is a loopback HTTP proxy that injects faults between a
// client under test and a real upstream (the issuer's JWKS endpoint, moto's
// DynamoDB endpoint). It listens on 127.0.0.1 only and forwards to one
// upstream base URL; the fault in force is switched at run time with Set and
// applies to the requests that start after the switch.
//
// Faults:
//
//   - Pass: forward unchanged.
//   - Refuse: the listening socket is closed and open connections are
//     closed; the port stays bound without listening (Linux, macOS), so new
//     connections get ECONNREFUSED and the kernel does not hand the port to
//     another listener asking for a free one (port 0);
//     switching to any other mode listens again on the same port.
//   - Reset: accept, then close the connection without an answer (RST).
//   - Hang: read the request and never answer, until the client gives up or
//     the proxy is closed or switched to another mode.
//   - Slow: wait Delay, then forward.
//   - Status: answer Status (default 503) with a short body.
//   - Garbage: answer 200 with a body that is not JSON.
//   - Oversized: answer 200 with a JSON body of Size bytes (default 2 MiB),
//     streamed without Content-Length (or with it when AnnounceLength).
//   - Throttle: answer like DynamoDB when it throttles: HTTP 400,
//     x-amzn-ErrorType and a JSON error body of type ErrorType (default
//     ProvisionedThroughputExceededException; ThrottlingException is the
//     other one DynamoDB uses).
//
// A Fault may carry Match: then only matching requests get the fault and the
// others pass (e.g. only DynamoDB PutItem, by X-Amz-Target).
package faultproxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Mode is the kind of fault.
type Mode int

// Modes; see the package documentation.
const (
	Pass Mode = iota
	Refuse
	Reset
	Hang
	Slow
	Status
	Garbage
	Oversized
	Throttle
)

var modeNames = [...]string{"pass", "refuse", "reset", "hang", "slow", "status", "garbage", "oversized", "throttle"}

func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// DynamoDB throttling error types.
const (
	ProvisionedThroughputExceeded = "ProvisionedThroughputExceededException"
	ThrottlingException           = "ThrottlingException"
)

// Fault is what the proxy does to the requests it receives.
type Fault struct {
	Mode           Mode
	Delay          time.Duration            // Slow: wait before forwarding
	Status         int                      // Status: the HTTP status (default 503)
	Size           int                      // Oversized: body bytes (default 2 MiB)
	AnnounceLength bool                     // Oversized: send Content-Length
	ErrorType      string                   // Throttle: default ProvisionedThroughputExceeded
	Match          func(*http.Request) bool // nil: every request
}

// Proxy is one loopback fault proxy. Safe for concurrent use.
type Proxy struct {
	addr     string
	upstream *url.URL
	rp       *httputil.ReverseProxy
	srv      *http.Server

	fault atomic.Pointer[Fault]

	mu       sync.Mutex
	ln       net.Listener // nil while refusing
	release  func()       // frees the port reserved while refusing
	conns    map[net.Conn]struct{}
	changed  chan struct{} // closed and replaced on every Set (wakes hung handlers)
	closed   bool
	serveErr error

	requests, faulted atomic.Int64
	byTarget          sync.Map // X-Amz-Target or path → *atomic.Int64
}

// New starts a proxy on a free loopback port forwarding to upstream (a base
// URL: scheme and host, optionally a path prefix).
func New(upstream string) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("faultproxy: upstream %q: not an absolute URL", upstream)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{
		addr:     ln.Addr().String(),
		upstream: u,
		conns:    map[net.Conn]struct{}{},
		changed:  make(chan struct{}),
	}
	p.fault.Store(&Fault{Mode: Pass})
	p.rp = httputil.NewSingleHostReverseProxy(u)
	p.rp.Transport = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     30 * time.Second,
	}
	p.rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if r.Context().Err() == nil {
			http.Error(w, "faultproxy: upstream: "+err.Error(), http.StatusBadGateway)
		}
	}
	p.srv = &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState:         p.track,
		ErrorLog:          nil,
	}
	p.serve(ln)
	return p, nil
}

// URL is the proxy's base URL (http://127.0.0.1:<port>).
func (p *Proxy) URL() string { return "http://" + p.addr }

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.addr }

// Requests counts the requests the proxy received (faulted or not).
func (p *Proxy) Requests() int64 { return p.requests.Load() }

// Faulted counts the requests that got a fault instead of the upstream.
func (p *Proxy) Faulted() int64 { return p.faulted.Load() }

// Count returns the requests received with that X-Amz-Target (e.g.
// "DynamoDB_20120810.GetItem") or, without the header, that URL path.
func (p *Proxy) Count(key string) int64 {
	if v, ok := p.byTarget.Load(key); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// Current returns the fault in force.
func (p *Proxy) Current() Fault { return *p.fault.Load() }

// Set puts f in force. Hung requests are released (their connection is
// closed); Refuse closes the listener and every connection, any other mode
// listens again.
func (p *Proxy) Set(f Fault) error {
	p.fault.Store(&f)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("faultproxy: closed")
	}
	close(p.changed)
	p.changed = make(chan struct{})
	if f.Mode == Refuse {
		if p.ln != nil {
			p.ln.Close()
			p.ln = nil
			// Keep the port: bound but not listening, it refuses
			// connections and no other process can take it meanwhile.
			for i := 0; i < 50 && p.release == nil; i++ {
				if rel, err := reserve(p.addr); err == nil {
					p.release = rel
				} else {
					time.Sleep(time.Millisecond)
				}
			}
		}
		for c := range p.conns {
			c.Close()
		}
		return nil
	}
	if p.ln == nil {
		if p.release != nil {
			p.release()
			p.release = nil
		}
		var err error
		var ln net.Listener
		// The port was ours a moment ago; retry briefly if the kernel is slow
		// to release it.
		for i := 0; i < 50; i++ {
			if ln, err = net.Listen("tcp", p.addr); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			return fmt.Errorf("faultproxy: listen again on %s: %w", p.addr, err)
		}
		p.mu.Unlock()
		p.serve(ln)
		p.mu.Lock()
	}
	return nil
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.changed)
	if p.release != nil {
		p.release()
		p.release = nil
	}
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	_ = p.srv.Close()
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		err := p.srv.Serve(ln)
		if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			p.mu.Lock()
			p.serveErr = err
			p.mu.Unlock()
		}
	}()
}

func (p *Proxy) track(c net.Conn, s http.ConnState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch s {
	case http.StateNew:
		if p.closed || p.ln == nil {
			c.Close()
			return
		}
		p.conns[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(p.conns, c)
	}
}

func (p *Proxy) count(r *http.Request) {
	key := r.Header.Get("X-Amz-Target")
	if key == "" {
		key = r.URL.Path
	}
	v, _ := p.byTarget.LoadOrStore(key, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// ServeHTTP applies the fault in force.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	p.count(r)
	f := p.fault.Load()
	p.mu.Lock()
	changed := p.changed
	p.mu.Unlock()
	if f.Mode == Pass || (f.Match != nil && !f.Match(r)) {
		p.rp.ServeHTTP(w, r)
		return
	}
	p.faulted.Add(1)
	if f.Mode != Slow {
		// Drain the request so the client is not blocked writing it.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	}
	switch f.Mode {
	case Refuse, Reset:
		abort(w)
	case Hang:
		select {
		case <-r.Context().Done():
		case <-changed:
		}
		abort(w)
	case Slow:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
		p.rp.ServeHTTP(w, r)
	case Status:
		code := f.Status
		if code == 0 {
			code = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(code)
		fmt.Fprintf(w, "faultproxy: injected %d\n", code)
	case Garbage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("\x00\xff<html>not json {\"keys\": [\x7f"))
	case Oversized:
		size := f.Size
		if size <= 0 {
			size = 2 << 20
		}
		w.Header().Set("Content-Type", "application/json")
		if f.AnnounceLength {
			w.Header().Set("Content-Length", strconv.Itoa(size))
		}
		w.WriteHeader(http.StatusOK)
		writeOversized(r.Context(), w, size)
	case Throttle:
		typ := f.ErrorType
		if typ == "" {
			typ = ProvisionedThroughputExceeded
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("x-amzn-ErrorType", typ)
		w.Header().Set("x-amzn-RequestId", "faultproxy-throttle")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"__type":"com.amazonaws.dynamodb.v20120810#%s","message":"Rate of requests exceeds the allowed throughput (injected by faultproxy)"}`, typ)
	default:
		abort(w)
	}
}

// writeOversized streams {"keys":[],"pad":"xxxx…"} of about size bytes.
func writeOversized(ctx context.Context, w http.ResponseWriter, size int) {
	head, tail := []byte(`{"keys":[],"pad":"`), []byte(`"}`)
	_, _ = w.Write(head)
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	left := size - len(head) - len(tail)
	for left > 0 && ctx.Err() == nil {
		n := min(left, len(chunk))
		if _, err := w.Write(chunk[:n]); err != nil {
			return
		}
		left -= n
	}
	_, _ = w.Write(tail)
}

// abort closes the client connection without an HTTP answer.
func abort(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	c, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST, not FIN
	}
	c.Close()
}

// DynamoDBOp matches DynamoDB requests of one operation ("GetItem",
// "PutItem", …) by their X-Amz-Target header.
func DynamoDBOp(op string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return strings.HasSuffix(r.Header.Get("X-Amz-Target"), "."+op)
	}
}
