package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// GatewayResponse is a customised gateway response: what API Gateway
// answers itself (no token, denied, no route, its own errors). Only static
// header values and the error message variables are reproduced; anything
// else is refused at load.
type GatewayResponse struct {
	Type       string            // UNAUTHORIZED, ACCESS_DENIED, DEFAULT_4XX, …
	StatusCode int               // 0: the error's own
	Headers    map[string]string // static values, unquoted
	// Template is the application/json body; empty keeps API Gateway's
	// {"message":$context.error.messageString}.
	Template string
}

const defaultTemplate = `{"message":$context.error.messageString}`

// loadGatewayResponses reads the API's gateway responses; API Gateway lists
// its defaults too (defaultResponse), moto only the ones put.
func loadGatewayResponses(ctx context.Context, ag *apigateway.Client, restAPIID string) (map[string]*GatewayResponse, error) {
	out := map[string]*GatewayResponse{}
	var position *string
	for {
		page, err := ag.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: &restAPIID, Position: position})
		if err != nil {
			return nil, fmt.Errorf("load gateway responses of %s: %w", restAPIID, err)
		}
		for _, it := range page.Items {
			r, err := newGatewayResponse(string(it.ResponseType), aws.ToString(it.StatusCode), it.ResponseParameters, it.ResponseTemplates)
			if err != nil {
				return nil, err
			}
			out[r.Type] = r
		}
		if page.Position == nil || aws.ToString(page.Position) == aws.ToString(position) {
			return out, nil
		}
		position = page.Position
	}
}

// newGatewayResponse checks one gateway response as deployed and keeps what
// the local gateway can serve faithfully.
func newGatewayResponse(typ, status string, params, templates map[string]string) (*GatewayResponse, error) {
	r := &GatewayResponse{Type: typ, Headers: map[string]string{}}
	if status != "" {
		n, err := strconv.Atoi(status)
		if err != nil || n < 100 || n > 599 {
			return nil, fmt.Errorf("load gateway response %s: status %q: %w", typ, status, ErrUnsupported)
		}
		r.StatusCode = n
	}
	const prefix = "gatewayresponse.header."
	for k, v := range params {
		name, ok := strings.CutPrefix(k, prefix)
		if !ok || name == "" {
			return nil, fmt.Errorf("load gateway response %s: parameter %s: %w", typ, k, ErrUnsupported)
		}
		value, ok := staticValue(v)
		if !ok {
			return nil, fmt.Errorf("load gateway response %s: header %s = %s (only 'static' values): %w", typ, name, v, ErrUnsupported)
		}
		r.Headers[name] = value
	}
	r.Template = templates["application/json"]
	if err := checkTemplate(r.Template); err != nil {
		return nil, fmt.Errorf("load gateway response %s: %w", typ, err)
	}
	return r, nil
}

// staticValue unquotes a 'static' mapping value.
func staticValue(v string) (string, bool) {
	if len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
		return "", false
	}
	return v[1 : len(v)-1], true
}

// The two variables a body template may use; any other VTL is refused.
var templateVars = strings.NewReplacer("$context.error.messageString", "", "$context.error.message", "")

func checkTemplate(t string) error {
	if rest := templateVars.Replace(t); strings.ContainsAny(rest, "$#") {
		return fmt.Errorf("body template %q (only $context.error.message and messageString): %w", t, ErrUnsupported)
	}
	return nil
}

// responseType names the gateway response type of a gateway error, as API
// Gateway classifies them.
func responseType(e gwError) string {
	switch e.errType {
	case "MissingAuthenticationTokenException":
		return "MISSING_AUTHENTICATION_TOKEN"
	case "UnauthorizedException":
		return "UNAUTHORIZED"
	case "AccessDeniedException":
		return "ACCESS_DENIED"
	case "AuthorizerConfigurationException":
		return "AUTHORIZER_CONFIGURATION_ERROR"
	case "RequestEntityTooLargeException":
		return "REQUEST_TOO_LARGE"
	}
	switch e.status {
	case http.StatusGatewayTimeout:
		return "INTEGRATION_TIMEOUT"
	case http.StatusInternalServerError:
		return "API_CONFIGURATION_ERROR"
	}
	return ""
}

// errorResponse renders a gateway error through the API's gateway
// responses: the error's own type, else DEFAULT_4XX or DEFAULT_5XX, else
// API Gateway's built-in answer.
func (g *Gateway) errorResponse(e gwError) (status int, headers map[string]string, body []byte) {
	r := g.api.GatewayResponses[responseType(e)]
	if r == nil {
		class := "DEFAULT_4XX"
		if e.status >= 500 {
			class = "DEFAULT_5XX"
		}
		r = g.api.GatewayResponses[class]
	}
	status, template := e.status, defaultTemplate
	if r != nil {
		headers = r.Headers
		if r.StatusCode != 0 {
			status = r.StatusCode
		}
		if r.Template != "" {
			template = r.Template
		}
	}
	quoted, _ := json.Marshal(e.message) // "…" or null
	raw := ""
	if e.message != nil {
		raw = *e.message
	}
	body = []byte(strings.NewReplacer("$context.error.messageString", string(quoted), "$context.error.message", raw).Replace(template))
	return status, headers, body
}
