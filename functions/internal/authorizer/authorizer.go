package authorizer

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// New returns a handler; log receives one line per deny (level Warn) and,
// when it enables Debug, one per allow.
func New(v Verifier, p *policy.Builder, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{verifier: v, policy: p, log: log}
}

// Handle answers an event with the response as a value (tests, callers
// that marshal it themselves). The Lambda function uses HandleJSON.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (resp events.APIGatewayCustomAuthorizerResponse, err error) {
	defer h.recoverDeny(ctx, &err)
	arn, id, err := h.verdict(ctx, req)
	if err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	return h.policy.Allow(arn, id), nil
}

// HandleJSON is the Lambda handler: the same verdict as Handle, with the
// response already rendered as JSON (policy.Builder.AppendAllowJSON), byte
// for byte what the runtime's encoder wrote for Handle's response.
func (h *Handler) HandleJSON(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (resp *Response, err error) {
	defer h.recoverDeny(ctx, &err)
	arn, id, err := h.verdict(ctx, req)
	if err != nil {
		return nil, err
	}
	b := h.policy.AppendAllowJSON(make([]byte, 0, h.policy.AllowJSONSize(arn, id)), arn, id)
	return &Response{b: b}, nil
}

// recoverDeny is the last resort: a bug must cost one request a 401, never
// the process or a 500 that leaks a stack trace to API Gateway.
func (h *Handler) recoverDeny(ctx context.Context, err *error) {
	if r := recover(); r != nil {
		h.log.LogAttrs(ctx, slog.LevelError, "deny", slog.String("reason", "panic"), slog.String("panic", fmt.Sprint(r)))
		*err = ErrUnauthorized
	}
}

// verdict is token → keys → verdict: the ARN and identity to allow, or
// ErrUnauthorized after logging why.
func (h *Handler) verdict(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (policy.MethodARN, policy.Identity, error) {
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
	// Debug: formatting this line cost as much as all claim checks
	// together; LOG_LEVEL=debug turns it on (see the package doc).
	h.log.LogAttrs(ctx, slog.LevelDebug, "allow",
		slog.String("userId", claims.UserID),
		slog.String("clientId", claims.ClientID))
	return arn, policy.Identity{
		UserID:   claims.UserID,
		Scope:    claims.Scope,
		ClientID: claims.ClientID,
		Issuer:   claims.Issuer,
	}, nil
}

func (h *Handler) deny(ctx context.Context, reason error) (policy.MethodARN, policy.Identity, error) {
	h.log.LogAttrs(ctx, slog.LevelWarn, "deny", slog.String("reason", reason.Error()))
	return policy.MethodARN{}, policy.Identity{}, ErrUnauthorized
}

// Response is an Allow response rendered as JSON. aws-lambda-go sends a
// handler result that is an io.Reader as it is, without encoding it again,
// when the value itself has no JSON fields (this one encodes as "{}");
// ContentType keeps the runtime's "application/json".
type Response struct {
	b   []byte
	off int
}

// Bytes returns the JSON.
func (r *Response) Bytes() []byte { return r.b }

// Read implements io.Reader over the JSON.
func (r *Response) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	return n, nil
}

// ContentType is what the runtime reports to the Lambda service.
func (r *Response) ContentType() string { return "application/json" }
