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

// Verifier checks a bare JWT; *token.Verifier implements it.
type Verifier interface {
	Verify(ctx context.Context, raw string) (token.Claims, error)
}

// Handler answers TOKEN authorizer events.
type Handler struct {
	verifier Verifier
	policy   *policy.Builder
	log      *slog.Logger
}

// New returns a handler; log receives one line per verdict.
func New(v Verifier, p *policy.Builder, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{verifier: v, policy: p, log: log}
}

// Handle is the Lambda handler.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (resp events.APIGatewayCustomAuthorizerResponse, err error) {
	defer func() {
		// Last resort: a bug must cost one request a 401, never the process
		// or a 500 that leaks a stack trace to API Gateway.
		if r := recover(); r != nil {
			h.log.LogAttrs(ctx, slog.LevelError, "deny", slog.String("reason", "panic"), slog.String("panic", fmt.Sprint(r)))
			resp, err = events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
		}
	}()
	if req.Type != "" && req.Type != "TOKEN" {
		return h.deny(ctx, fmt.Errorf("check event: type is not TOKEN"))
	}
	arn, err := policy.ParseMethodARN(req.MethodArn)
	if err != nil {
		return h.deny(ctx, err)
	}
	raw, err := token.Extract(req.AuthorizationToken)
	if err != nil {
		return h.deny(ctx, err)
	}
	claims, err := h.verifier.Verify(ctx, raw)
	if err != nil {
		return h.deny(ctx, err)
	}
	if err := policy.ValidUserID(claims.UserID); err != nil {
		return h.deny(ctx, err)
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "allow",
		slog.String("userId", claims.UserID),
		slog.String("clientId", claims.ClientID))
	return h.policy.Allow(arn, policy.Identity{
		UserID:   claims.UserID,
		Scope:    claims.Scope,
		ClientID: claims.ClientID,
		Issuer:   claims.Issuer,
	}), nil
}

func (h *Handler) deny(ctx context.Context, reason error) (events.APIGatewayCustomAuthorizerResponse, error) {
	h.log.LogAttrs(ctx, slog.LevelWarn, "deny", slog.String("reason", reason.Error()))
	return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
}
