package jwttest

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

func TestLog(t *testing.T) {
	var l Log
	logger := slog.New(slog.NewJSONHandler(&l, nil))
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- l.WaitFor(ctx, `"msg":"second"`)
	}()
	logger.Info("first")
	logger.Warn("second", "n", 2)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if all := l.Records(t, ""); len(all) != 2 {
		t.Fatalf("records %v, want 2", all)
	}
	if rec := l.Records(t, "second"); len(rec) != 1 || rec[0]["level"] != "WARN" || rec[0]["n"] != 2.0 {
		t.Fatalf("second: %v", rec)
	}
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.WaitFor(short, "third"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitFor a line never written: %v", err)
	}
}

func TestWith(t *testing.T) {
	c := With(Claims("https://issuer", "user-1", Epoch), "aud", "api", "sub", nil)
	if c["aud"] != "api" || c["iss"] != "https://issuer" {
		t.Fatalf("claims %v", c)
	}
	if _, ok := c["sub"]; ok {
		t.Fatalf("sub not deleted: %v", c)
	}
}
