// Package metrics writes the authorizer's CloudWatch metrics in Embedded
// Metric Format (EMF): JSON log lines that CloudWatch Logs turns into
// metrics, so the request path makes no API call.
//
// Metrics (namespace configurable, METRICS_NAMESPACE):
//
//   - Verdicts (Count), dimensions Result (allow, deny, unauthorized, error)
//     and Issuer (a configured issuer's name, or "none" before one is known),
//     and by Result alone;
//   - Denials (Count), dimension Reason (the stable name of the deny's
//     sentinel error, see package authorizer), and in total (no dimension);
//   - KeyLoads (Count), dimensions Source (memory, table, issuer) and Outcome
//     (ok, stale, failed);
//   - ColdStartLoadMs (Milliseconds), no dimension: the cold start's key load.
//
// Dimension values come only from fixed sets: the constants of this package
// and the issuer names of the configuration, fixed at New. A value outside
// them is written as Other, so no user id, path or token can ever become a
// dimension.
//
// Where the records go:
//
//   - A deny, and each key load of package keys, already writes one log
//     line; Record and Load add the EMF members to that line (Emit writes
//     them as a line of their own when the line's level is filtered out by
//     LOG_LEVEL, so no metric depends on it).
//   - Allows and keys served from memory write no line. They are counted in
//     memory (one atomic add) and Tick, called at the start of every
//     invocation, writes them as one record per issuer (and per memory
//     outcome) at most every FlushInterval. Counts of the last interval
//     before an instance is shut down without another invocation are lost;
//     those flushed late carry the flush time.
package metrics
