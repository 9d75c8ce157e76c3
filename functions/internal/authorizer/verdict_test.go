package authorizer

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// verdict is what the tests assert on: Handle's response and the reason its
// deny line logged (nil for an allow).
type verdict struct {
	resp   events.APIGatewayCustomAuthorizerResponse
	reason error
}

// decide runs Handle and reads the reason from its deny line: Handle logs
// the sentinel-wrapping error itself (slog.Any), which a recording handler
// keeps as the value, so errors.Is works on it.
func (h *Handler) decide(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) verdict {
	rec := &reasonRecorder{next: h.log.Handler()}
	saved := h.log
	h.log = slog.New(rec)
	defer func() { h.log = saved }()
	resp, _ := h.Handle(ctx, req)
	return verdict{resp: resp, reason: rec.reason}
}

// reasonRecorder passes every record on and keeps the "reason" of a deny.
type reasonRecorder struct {
	next   slog.Handler
	reason error
}

func (r *reasonRecorder) Enabled(ctx context.Context, l slog.Level) bool { return true }

func (r *reasonRecorder) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Message == "deny" {
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == "reason" {
				if err, ok := a.Value.Any().(error); ok {
					r.reason = err
				} else {
					r.reason = errString(a.Value.String())
				}
			}
			return true
		})
	}
	if r.next.Enabled(ctx, rec.Level) {
		return r.next.Handle(ctx, rec)
	}
	return nil
}

func (r *reasonRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &reasonRecorder{next: r.next.WithAttrs(as)}
}

func (r *reasonRecorder) WithGroup(name string) slog.Handler {
	return &reasonRecorder{next: r.next.WithGroup(name)}
}

// errString is a reason logged as a string (the panic line).
type errString string

func (e errString) Error() string { return string(e) }
