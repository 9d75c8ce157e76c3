package authorizer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

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
	ErrNoRoute   = errors.New("no route earned") // answered with the explicit Deny (403)
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
}

func newHandler(v verifier, p *policy.Builder, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{verifier: v, policy: p, log: log}
}

// Handle is the Lambda handler. A valid token gets the policy of the routes
// it earns, or an explicit Deny when it earns none; anything else gets
// ErrUnauthorized. Each denial logs one line with its reason.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	v := h.decide(ctx, req)
	if v.reason != nil && !errors.Is(v.reason, ErrNoRoute) {
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	}
	return v.resp, nil
}

// verdict is a response and, for a denial, the sentinel error that caused
// it.
type verdict struct {
	resp   events.APIGatewayCustomAuthorizerResponse
	reason error
}

// decide is event → token → claims → policy, logged.
func (h *Handler) decide(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (v verdict) {
	// A bug must cost one request a 401, never the process or a 500 that
	// leaks a stack trace to API Gateway.
	defer func() {
		if r := recover(); r != nil {
			h.log.LogAttrs(ctx, slog.LevelError, "deny", slog.String("reason", ErrPanic.Error()), slog.String("panic", fmt.Sprint(r)))
			v = verdict{reason: ErrPanic}
		}
	}()
	v = h.judge(ctx, req)
	switch {
	case v.reason != nil:
		h.log.LogAttrs(ctx, slog.LevelWarn, "deny", slog.String("reason", v.reason.Error()))
	default:
		// Debug: formatting this line costs about as much as all claim
		// checks together; LOG_LEVEL=debug turns it on.
		h.log.LogAttrs(ctx, slog.LevelDebug, "allow",
			slog.String("userId", v.resp.PrincipalID),
			slog.Any("issuerName", v.resp.Context["issuerName"]),
			slog.Any("clientId", v.resp.Context["clientId"]))
	}
	return v
}

func (h *Handler) judge(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) verdict {
	if req.Type != "" && req.Type != "TOKEN" {
		return verdict{reason: fmt.Errorf("check event: %w", ErrEventType)}
	}
	arn, err := policy.ParseMethodARN(req.MethodArn)
	if err != nil {
		return verdict{reason: err}
	}
	raw, err := token.Extract(req.AuthorizationToken)
	if err != nil {
		return verdict{reason: err}
	}
	c, err := h.verifier.Verify(ctx, raw)
	if err != nil {
		return verdict{reason: err}
	}
	if err := policy.ValidUserID(c.UserID); err != nil {
		return verdict{reason: err}
	}
	resp := h.policy.Response(arn, policy.Identity{
		UserID:     c.UserID,
		Scopes:     c.Scopes,
		Scope:      c.Scope,
		ClientID:   c.ClientID,
		Issuer:     c.Issuer,
		IssuerName: c.IssuerName,
	})
	if resp.PolicyDocument.Statement[0].Effect == "Deny" {
		return verdict{resp: resp, reason: fmt.Errorf("build policy: %w", ErrNoRoute)}
	}
	return verdict{resp: resp}
}
