package metrics

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
)

// FlushInterval is the least time between two flushes of the counts kept
// in memory (allows, keys served from memory). Ten seconds keeps a
// one-minute alarm period accurate to within a sixth of it, for one line
// per issuer every ten seconds per instance at most.
const FlushInterval = 10 * time.Second

// Metric names.
const (
	Verdicts        = "Verdicts"
	Denials         = "Denials"
	KeyLoads        = "KeyLoads"
	ColdStartLoadMs = "ColdStartLoadMs"
)

// Result is the Result dimension of Verdicts.
type Result string

// The results of a verdict.
const (
	Allow        Result = "allow"        // the Allow policy of the earned routes
	Deny         Result = "deny"         // a valid token earning no route: explicit Deny (403)
	Unauthorized Result = "unauthorized" // the token is refused (401)
	Error        Result = "error"        // refused (401) through no fault of the token: keys unavailable, timeout, panic
)

// Values of the Source and Outcome dimensions of KeyLoads, and of the
// Issuer dimension when no configured issuer is known.
const (
	SourceMemory  = "memory"          // a key answered from the held set
	SourceTable   = keys.SourceTable  // the key table's item (DynamoDB)
	SourceIssuer  = keys.SourceIssuer // the issuer's JWKS
	OutcomeOK     = keys.OutcomeOK
	OutcomeStale  = keys.OutcomeStale  // keys past their TTL served (stale-if-error)
	OutcomeFailed = keys.OutcomeFailed // nothing usable obtained
	NoIssuer      = "none"             // the token named no configured issuer, or was refused before
	Other         = "other"            // a value outside the fixed sets
)

var (
	results  = []Result{Allow, Deny, Unauthorized, Error}
	sources  = []string{SourceMemory, SourceTable, SourceIssuer}
	outcomes = []string{OutcomeOK, OutcomeStale, OutcomeFailed}
)

// Options configures a Recorder.
type Options struct {
	Namespace string   // "" → config.DefaultMetricsNamespace
	Issuers   []string // the configured issuer names: the Issuer dimension's set
	// Logger writes the records of their own (flushes, the cold start, a
	// record whose line is filtered out); it must not filter level Info.
	// nil → discard.
	Logger *slog.Logger
	Now    func() time.Time // nil → time.Now
}

var _ keys.Metrics = (*Recorder)(nil)

// Recorder builds the EMF records. It is safe for concurrent use; a nil
// *Recorder records nothing and still writes the log lines given to Emit.
type Recorder struct {
	log *slog.Logger
	now func() time.Time

	// The CloudWatchMetrics directives, encoded once at New.
	verdict, allow, keyLoad, coldStart json.RawMessage

	issuers []string                 // sorted: the flush order
	allows  map[string]*atomic.Int64 // allows by issuer name (fixed at New: no write on the map after)
	served  [3]atomic.Int64          // keys served from memory, by outcome (index in outcomes)
	next    atomic.Int64             // Unix nanoseconds of the earliest next flush
}

type metric struct {
	Name string
	Unit string
}

type directive struct {
	Namespace  string
	Dimensions [][]string
	Metrics    []metric
}

// New returns a Recorder of the given issuers into the namespace.
func New(o Options) *Recorder {
	ns := o.Namespace
	if ns == "" {
		ns = config.DefaultMetricsNamespace
	}
	r := &Recorder{log: o.Logger, now: o.Now, allows: map[string]*atomic.Int64{}}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	// Verdicts also by Result alone and Denials also in total: an alarm's
	// metric math names each metric it reads, and cannot add up the values
	// of a dimension it does not know (issuer names, reasons).
	verdicts := directive{ns, [][]string{{"Result", "Issuer"}, {"Result"}}, []metric{{Verdicts, "Count"}}}
	r.verdict = encode(verdicts, directive{ns, [][]string{{"Reason"}, {}}, []metric{{Denials, "Count"}}})
	r.allow = encode(verdicts)
	r.keyLoad = encode(directive{ns, [][]string{{"Source", "Outcome"}}, []metric{{KeyLoads, "Count"}}})
	r.coldStart = encode(directive{ns, [][]string{{}}, []metric{{ColdStartLoadMs, "Milliseconds"}}})
	for _, name := range o.Issuers {
		if _, ok := r.allows[name]; !ok {
			r.allows[name] = new(atomic.Int64)
			r.issuers = append(r.issuers, name)
		}
	}
	slices.Sort(r.issuers)
	r.next.Store(r.now().Add(FlushInterval).UnixNano())
	return r
}

func encode(ds ...directive) json.RawMessage {
	b, err := json.Marshal(ds)
	if err != nil {
		panic(err) // strings and slices only: cannot happen
	}
	return b
}

// aws is the record's metadata member.
func (r *Recorder) aws(directives json.RawMessage) slog.Attr {
	return slog.Group("_aws", slog.Int64("Timestamp", r.now().UnixMilli()), slog.Any("CloudWatchMetrics", directives))
}

// issuer returns name when it is a configured issuer, else NoIssuer for ""
// and Other for anything else.
func (r *Recorder) issuer(name string) string {
	switch _, ok := r.allows[name]; {
	case ok:
		return name
	case name == "" || name == NoIssuer:
		return NoIssuer
	}
	return Other
}

func oneOf[T comparable](v T, set []T, other T) T {
	if slices.Contains(set, v) {
		return v
	}
	return other
}

// Allow counts an allowed verdict of the issuer; Tick writes the count.
func (r *Recorder) Allow(issuer string) {
	if r == nil {
		return
	}
	if c, ok := r.allows[issuer]; ok {
		c.Add(1)
	}
}

// Verdict returns the EMF members of a verdict that writes a line (every
// result but allow): one Verdicts and one Denials of reason, a name from a
// fixed set of the caller's (package authorizer's reasons).
func (r *Recorder) Verdict(result Result, issuer, reason string) []slog.Attr {
	if r == nil {
		return nil
	}
	return []slog.Attr{
		r.aws(r.verdict),
		slog.String("Result", string(oneOf(result, results, Result(Other)))),
		slog.String("Issuer", r.issuer(issuer)),
		slog.String("Reason", reason),
		slog.Int64(Verdicts, 1),
		slog.Int64(Denials, 1),
	}
}

// Served counts a key answered from memory with outcome (ok, stale or
// failed); Tick writes the count. It implements keys.Metrics.
func (r *Recorder) Served(outcome string) {
	if r == nil {
		return
	}
	if i := slices.Index(outcomes, outcome); i >= 0 {
		r.served[i].Add(1)
	}
}

// Loaded writes msg on log at level, with attrs, as the record of one key
// load from source with outcome. It implements keys.Metrics.
func (r *Recorder) Loaded(ctx context.Context, log *slog.Logger, level slog.Level, msg, source, outcome string, attrs ...slog.Attr) {
	var emf []slog.Attr
	if r != nil {
		emf = r.keyLoads(source, outcome, 1)
	}
	r.Emit(ctx, log, level, msg, emf, attrs...)
}

func (r *Recorder) keyLoads(source, outcome string, n int64) []slog.Attr {
	return []slog.Attr{
		r.aws(r.keyLoad),
		slog.String("Source", oneOf(source, sources, Other)),
		slog.String("Outcome", oneOf(outcome, outcomes, Other)),
		slog.Int64(KeyLoads, n),
	}
}

// Emit writes msg at level on log, with the EMF members emf and attrs.
// attrs come last: a reader that folds case (Go's encoding/json) keeps the
// line's own "reason" over the Reason dimension. When log does not write
// that level (LOG_LEVEL), the record is written alone on the Recorder's own
// logger at Info, under the same msg.
func (r *Recorder) Emit(ctx context.Context, log *slog.Logger, level slog.Level, msg string, emf []slog.Attr, attrs ...slog.Attr) {
	if log.Enabled(ctx, level) {
		log.LogAttrs(ctx, level, msg, append(emf, attrs...)...)
		return
	}
	if r != nil && len(emf) > 0 {
		r.log.LogAttrs(ctx, slog.LevelInfo, msg, emf...)
	}
}

// ColdStart writes the ColdStartLoadMs record of the cold start's key load.
func (r *Recorder) ColdStart(ctx context.Context, took time.Duration) {
	if r == nil {
		return
	}
	r.log.LogAttrs(ctx, slog.LevelInfo, "cold start keys loaded",
		r.aws(r.coldStart), slog.Float64(ColdStartLoadMs, float64(took.Microseconds())/1000))
}

// Tick writes the counts kept in memory when FlushInterval has passed since
// the last flush (or New). The Lambda handler calls it at the start of each
// invocation: one clock read and one atomic load when nothing is due.
func (r *Recorder) Tick(ctx context.Context) {
	if r == nil {
		return
	}
	now := r.now().UnixNano()
	next := r.next.Load()
	if now < next || !r.next.CompareAndSwap(next, now+int64(FlushInterval)) {
		return
	}
	r.Flush(ctx)
}

// Flush writes the counts kept in memory now: one Verdicts record per issuer
// with allows, one KeyLoads record per memory outcome, none for a zero count.
func (r *Recorder) Flush(ctx context.Context) {
	if r == nil {
		return
	}
	for _, name := range r.issuers {
		if n := r.allows[name].Swap(0); n > 0 {
			r.log.LogAttrs(ctx, slog.LevelInfo, "metrics: allows",
				r.aws(r.allow), slog.String("Result", string(Allow)), slog.String("Issuer", name), slog.Int64(Verdicts, n))
		}
	}
	for i, o := range outcomes {
		if n := r.served[i].Swap(0); n > 0 {
			r.log.LogAttrs(ctx, slog.LevelInfo, "metrics: keys served from memory", r.keyLoads(SourceMemory, o, n)...)
		}
	}
}
