package hello

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
)

// ErrNoAuthorizer is logged when a request reaches the function without the
// authorizer's context (a route deployed with authorization NONE): there is
// no verified identity to greet, so the caller gets 401 (with
// WWW-Authenticate: Bearer), never a 500.
var ErrNoAuthorizer = errors.New("missing authorizer context")

// ErrOtherUser is logged when the path's {userId} is not the principal the
// authorizer vouched for.
var ErrOtherUser = errors.New("path user id differs from principal")

// ErrIssuerNotServed is logged when the authorizer's issuerName is not one
// of the issuers hello serves (config.Hello.IssuerNames).
var ErrIssuerNotServed = errors.New("issuer not served")

// Handler answers GET /hello/{userId}.
type Handler struct {
	log     *slog.Logger
	cors    CORS
	issuers []string // empty: any issuer
}

// New returns a handler logging to log (slog.Default when nil), serving the
// issuers of cfg (nil: the zero settings, any issuer), whose every answer
// carries cors's headers.
func New(log *slog.Logger, cfg *config.Hello, cors CORS) *Handler {
	if log == nil {
		log = slog.Default()
	}
	if cfg == nil {
		cfg = &config.Hello{}
	}
	return &Handler{log: log, cors: cors, issuers: slices.Clone(cfg.IssuerNames)}
}

type greeting struct {
	Message string            `json:"message"`
	UserID  string            `json:"userId"`
	Claims  map[string]string `json:"claims,omitempty"` // the issuer's forwarded claims (context_claims)
}

// forwarded returns the context's forwarded claims (config.Issuer
// ContextClaims), so the demo shows what a backend receives; nil without.
func forwarded(ctx map[string]any) map[string]string {
	var out map[string]string
	for k, v := range ctx {
		s, ok := v.(string)
		if !ok || slices.Contains(config.ReservedContextKeys, k) {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = s
	}
	return out
}

// noIdentity is the 401 body behind a route without the authorizer.
const noIdentity = "No verified identity: this route has no authorizer, so there is no user to greet"

type failure struct {
	Message string `json:"message"`
}

// Handle is the Lambda handler.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	principal, err := h.check(ctx, req)
	switch {
	case errors.Is(err, ErrNoAuthorizer):
		h.log.LogAttrs(ctx, slog.LevelWarn, "reject", slog.String("reason", err.Error()),
			slog.String("requestId", req.RequestContext.RequestID))
		resp := h.respond(401, failure{Message: noIdentity})
		resp.Headers["WWW-Authenticate"] = "Bearer"
		return resp, nil
	case err != nil:
		h.log.LogAttrs(ctx, slog.LevelWarn, "reject", slog.String("reason", err.Error()),
			slog.String("requestId", req.RequestContext.RequestID))
		return h.respond(403, failure{Message: "Forbidden"}), nil
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "greet", slog.String("requestId", req.RequestContext.RequestID))
	return h.respond(200, greeting{Message: "Hello, " + principal + "!", UserID: principal,
		Claims: forwarded(req.RequestContext.Authorizer)}), nil
}

// check returns the principal req may be greeted as, or why not: an error
// wrapping ErrNoAuthorizer, ErrOtherUser or ErrIssuerNotServed.
func (h *Handler) check(ctx context.Context, req events.APIGatewayProxyRequest) (string, error) {
	principal, _ := req.RequestContext.Authorizer["principalId"].(string)
	if principal == "" {
		return "", ErrNoAuthorizer
	}
	// The principal is personal data: only a Debug line carries it, joined
	// to the outcome's line by requestId.
	h.log.LogAttrs(ctx, slog.LevelDebug, "principal", slog.String("principalId", principal),
		slog.String("requestId", req.RequestContext.RequestID))
	// The authorizer's policy already limits the caller to its own path on
	// the routes its issuer may use; these checks are defence in depth
	// against a policy or route misconfiguration.
	if req.PathParameters["userId"] != principal {
		return "", ErrOtherUser
	}
	// A user id is only unique within its issuer: with the issuer unchecked,
	// a route opened to a second issuer by mistake would greet its user as
	// the first issuer's user of the same id.
	if len(h.issuers) > 0 {
		name, _ := req.RequestContext.Authorizer["issuerName"].(string)
		if !slices.Contains(h.issuers, name) {
			return "", fmt.Errorf("check issuerName %q: %w", name, ErrIssuerNotServed)
		}
	}
	return principal, nil
}

func (h *Handler) respond(status int, body any) events.APIGatewayProxyResponse {
	// Marshalling these fixed structs of strings cannot fail.
	b, _ := json.Marshal(body)
	headers := map[string]string{"Content-Type": "application/json"}
	h.cors.headers(headers)
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: headers, Body: string(b)}
}
