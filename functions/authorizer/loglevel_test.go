package main

import (
	"log/slog"
	"testing"
)

func TestLogLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "INFO": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError} {
		if got, err := logLevel(in); err != nil || got != want {
			t.Errorf("%q: %v, %v", in, got, err)
		}
	}
	if got, err := logLevel("verbose"); err == nil || got != slog.LevelInfo {
		t.Errorf("verbose: %v, %v", got, err)
	}
}
