package faultproxy

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestModes(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, "upstream:"+r.URL.Path+":"+string(b))
	}))
	defer up.Close()
	p, err := New(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := &http.Client{Timeout: 500 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() (int, string, error) {
		resp, err := c.Post(p.URL()+"/x", "text/plain", strings.NewReader("body"))
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	if code, body, err := get(); err != nil || code != 200 || body != "upstream:/x:body" {
		t.Fatalf("pass: %d %q %v", code, body, err)
	}

	must(t, p.Set(Fault{Mode: Refuse}))
	if _, _, err := get(); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("refuse: err = %v", err)
	}
	// While refusing, the port stays bound: the kernel does not hand it out
	// to listeners on port 0 (RIE instances, httptest servers).
	for range 200 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		taken := l.Addr().String() == p.Addr()
		l.Close()
		if taken {
			t.Fatal("refuse: the port was handed out to another listener")
		}
	}
	must(t, p.Set(Fault{Mode: Reset}))
	if _, _, err := get(); err == nil {
		t.Fatal("reset: no error")
	}
	must(t, p.Set(Fault{Mode: Hang}))
	start := time.Now()
	if _, _, err := get(); err == nil || time.Since(start) < 400*time.Millisecond {
		t.Fatalf("hang: err = %v after %v", err, time.Since(start))
	}
	must(t, p.Set(Fault{Mode: Slow, Delay: 200 * time.Millisecond}))
	start = time.Now()
	if code, body, err := get(); err != nil || code != 200 || body != "upstream:/x:body" || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("slow: %d %q %v %v", code, body, err, time.Since(start))
	}
	must(t, p.Set(Fault{Mode: Status, Status: 502}))
	if code, _, _ := get(); code != 502 {
		t.Fatalf("status: %d", code)
	}
	must(t, p.Set(Fault{Mode: Garbage}))
	if code, body, _ := get(); code != 200 || !strings.Contains(body, "not json") {
		t.Fatalf("garbage: %d %q", code, body)
	}
	must(t, p.Set(Fault{Mode: Oversized, Size: 3 << 20}))
	if code, body, _ := get(); code != 200 || len(body) != 3<<20 {
		t.Fatalf("oversized: %d %d", code, len(body))
	}
	must(t, p.Set(Fault{Mode: Throttle, ErrorType: ThrottlingException}))
	resp, err := c.Post(p.URL(), "application/x-amz-json-1.0", nil)
	if err != nil || resp.StatusCode != 400 || resp.Header.Get("x-amzn-ErrorType") != ThrottlingException {
		t.Fatalf("throttle: %v %v", resp, err)
	}
	resp.Body.Close()
	must(t, p.Set(Fault{Mode: Status, Match: func(r *http.Request) bool { return r.URL.Path == "/y" }}))
	if code, _, _ := get(); code != 200 {
		t.Fatalf("match: unmatched request faulted: %d", code)
	}
	must(t, p.Set(Fault{Mode: Pass}))
	if code, _, err := get(); code != 200 || err != nil {
		t.Fatalf("back to pass: %d %v", code, err)
	}
	if p.Count("/x") < 9 || p.Faulted() < 7 {
		t.Errorf("counters: /x=%d faulted=%d", p.Count("/x"), p.Faulted())
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
