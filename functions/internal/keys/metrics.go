package keys

import (
	"context"
	"log/slog"
)

// Metrics counts the provider's key loads; *metrics.Recorder implements it.
// Sources and outcomes are the constants below.
type Metrics interface {
	// Served counts one Key answered from the held set: OutcomeOK (fresh),
	// OutcomeStale (past its TTL, within MaxStale) or OutcomeFailed (no
	// key returned).
	Served(outcome string)
	// Loaded writes the log line msg of one load from source (SourceTable,
	// SourceIssuer) with outcome, as a metric record.
	Loaded(ctx context.Context, log *slog.Logger, level slog.Level, msg, source, outcome string, attrs ...slog.Attr)
}

// Sources and outcomes of a load, as Metrics receives them.
const (
	SourceTable   = "table"
	SourceIssuer  = "issuer"
	OutcomeOK     = "ok"
	OutcomeStale  = "stale"  // keys past their TTL are served instead (stale-if-error)
	OutcomeFailed = "failed" // nothing usable was obtained
)

// noMetrics only logs.
type noMetrics struct{}

func (noMetrics) Served(string) {}

func (noMetrics) Loaded(ctx context.Context, log *slog.Logger, level slog.Level, msg, _, _ string, attrs ...slog.Attr) {
	log.LogAttrs(ctx, level, msg, attrs...)
}
