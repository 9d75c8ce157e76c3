package authorizer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/metrics"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// ErrUnauthorized is the only error Handle returns. API Gateway maps this
// exact message to 401; any other error would be a 500.
var ErrUnauthorized = errors.New("Unauthorized")

// Reasons of a denial besides the token, policy and ARN ones; only the log
// (and the tests) see them.
var (
	ErrEventType = errors.New("event type is not TOKEN")
	ErrPanic     = errors.New("panic")
)

// verifier checks a bare JWT; *token.Verifier implements it.
type verifier interface {
	Verify(ctx context.Context, raw string) (token.Claims, error)
}

// Handler answers TOKEN authorizer events.
type Handler struct {
	verifier verifier
	policy   *policy.Builder
	log      *slog.Logger
	metrics  *metrics.Recorder // nil: none
}

func newHandler(v verifier, p *policy.Builder, log *slog.Logger, m *metrics.Recorder) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{verifier: v, policy: p, log: log, metrics: m}
}

// Handle is the Lambda handler, top to bottom: event → token → claims →
// policy → response. A valid token gets the policy of the routes it earns,
// or an explicit Deny when it earns none (policy.ErrNoRoute); anything else
// gets ErrUnauthorized. Each denial logs one line with its reason, which is
// also its metric record (package metrics); allows are only counted.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (resp events.APIGatewayCustomAuthorizerResponse, err error) {
	h.metrics.Tick(ctx)
	// A bug must cost one request a 401, never the process or a 500 that
	// leaks a stack trace to API Gateway.
	defer func() {
		if r := recover(); r != nil {
			h.metrics.Emit(ctx, h.log, slog.LevelError, "deny", h.metrics.Verdict(metrics.Error, "", "panic"),
				slog.Any("reason", ErrPanic), slog.String("panic", fmt.Sprint(r)))
			resp, err = events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
		}
	}()
	if req.Type != "" && req.Type != "TOKEN" {
		return h.refuse(ctx, "", fmt.Errorf("check event: %w", ErrEventType))
	}
	arn, err := policy.ParseMethodARN(req.MethodArn)
	if err != nil {
		return h.refuse(ctx, "", err)
	}
	raw, err := token.Extract(req.AuthorizationToken)
	if err != nil {
		return h.refuse(ctx, "", err)
	}
	claims, err := h.verifier.Verify(ctx, raw)
	if err != nil {
		return h.refuse(ctx, claims.IssuerName, err)
	}
	resp, err = h.policy.Response(arn, claims)
	switch {
	case errors.Is(err, policy.ErrNoRoute):
		// A valid token: its explicit Deny is the answer (403), cacheable.
		h.metrics.Emit(ctx, h.log, slog.LevelWarn, "deny", h.metrics.Verdict(metrics.Deny, claims.IssuerName, "no_route"), slog.Any("reason", err))
		return resp, nil
	case err != nil:
		return h.refuse(ctx, claims.IssuerName, err)
	}
	h.metrics.Allow(claims.IssuerName)
	if len(claims.Omitted) > 0 {
		// A forwarded claim left out (config.Issuer ContextClaims) is no
		// denial: the backend sees its key missing, this line says why.
		h.log.LogAttrs(ctx, slog.LevelWarn, "allow", slog.String("userId", claims.UserID),
			slog.String("issuerName", claims.IssuerName), slog.Any("contextOmitted", claims.Omitted))
		return resp, nil
	}
	// Debug: formatting this line costs about as much as all claim checks
	// together; LOG_LEVEL=debug turns it on.
	h.log.LogAttrs(ctx, slog.LevelDebug, "allow",
		slog.String("userId", claims.UserID), slog.String("issuerName", claims.IssuerName), slog.String("clientId", claims.ClientID))
	return resp, nil
}

// refuse logs the reason of a denial, with its metric record (issuer: the
// configured name the token picked, if any), and answers 401: API Gateway
// maps exactly ErrUnauthorized's message to it.
func (h *Handler) refuse(ctx context.Context, issuer string, reason error) (events.APIGatewayCustomAuthorizerResponse, error) {
	name, result := reasonOf(reason)
	h.metrics.Emit(ctx, h.log, slog.LevelWarn, "deny", h.metrics.Verdict(result, issuer, name), slog.Any("reason", reason))
	return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
}
