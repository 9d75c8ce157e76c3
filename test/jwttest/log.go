package jwttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Log is a log sink for the code under test (slog.NewJSONHandler(log, nil)),
// safe while background goroutines write to it, so tests can wait for a
// line instead of for time. The zero value is ready to use.
type Log struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{} // closed and replaced on every write
}

// Write appends p.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.wrote != nil {
		close(l.wrote)
		l.wrote = nil
	}
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Records decodes the JSON lines whose "msg" is msg (every line when msg is
// ""), failing t on a line that is not one JSON object.
func (l *Log) Records(t testing.TB, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not one JSON object: %q", line)
		}
		if msg == "" || rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// WaitFor waits until the log contains s, or ctx ends.
func (l *Log) WaitFor(ctx context.Context, s string) error {
	for {
		l.mu.Lock()
		if strings.Contains(l.b.String(), s) {
			l.mu.Unlock()
			return nil
		}
		if l.wrote == nil {
			l.wrote = make(chan struct{})
		}
		ch := l.wrote
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for log %q: %w", s, ctx.Err())
		}
	}
}
