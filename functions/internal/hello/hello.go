package hello

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// ErrNoAuthorizer is logged when a request reaches the function without the
// authorizer's context: a deployment error (route without authorizer), not a
// client error.
var ErrNoAuthorizer = errors.New("missing authorizer context")

// Handler answers GET /hello/{userId}.
type Handler struct {
	log  *slog.Logger
	cors CORS
}

// New returns a handler logging to log (slog.Default when nil) whose every
// answer carries cors's headers.
func New(log *slog.Logger, cors CORS) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{log: log, cors: cors}
}

type greeting struct {
	Message string `json:"message"`
	UserID  string `json:"userId"`
}

type failure struct {
	Message string `json:"message"`
}

// Handle is the Lambda handler.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	principal, _ := req.RequestContext.Authorizer["principalId"].(string)
	if principal == "" {
		h.log.LogAttrs(ctx, slog.LevelError, "reject", slog.String("reason", ErrNoAuthorizer.Error()),
			slog.String("requestId", req.RequestContext.RequestID))
		return h.respond(500, failure{Message: "Internal server error"}), nil
	}
	// The principal is personal data: only a Debug line carries it, joined
	// to the outcome's line by requestId.
	h.log.LogAttrs(ctx, slog.LevelDebug, "principal", slog.String("principalId", principal),
		slog.String("requestId", req.RequestContext.RequestID))
	// The authorizer's policy already limits the caller to its own path; this
	// check is defence in depth against a policy or route misconfiguration.
	if req.PathParameters["userId"] != principal {
		h.log.LogAttrs(ctx, slog.LevelWarn, "reject", slog.String("reason", "path user id differs from principal"),
			slog.String("requestId", req.RequestContext.RequestID))
		return h.respond(403, failure{Message: "Forbidden"}), nil
	}
	h.log.LogAttrs(ctx, slog.LevelInfo, "greet", slog.String("requestId", req.RequestContext.RequestID))
	return h.respond(200, greeting{Message: "Hello, " + principal + "!", UserID: principal}), nil
}

func (h *Handler) respond(status int, body any) events.APIGatewayProxyResponse {
	// Marshalling these fixed structs of strings cannot fail.
	b, _ := json.Marshal(body)
	headers := map[string]string{"Content-Type": "application/json"}
	h.cors.headers(headers)
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: headers, Body: string(b)}
}
