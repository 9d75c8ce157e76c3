package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// Mock is a MOCK integration as a CORS preflight uses it: the request
// template picks the status code, and the integration response for that
// code sends static headers and an optional static body.
type Mock struct {
	StatusCode int
	Headers    map[string]string
	Body       string
}

// newMock reads a MOCK integration: its application/json request template
// must be a static {"statusCode": N}, and the integration response for N
// may only map static header values (no VTL, no selection patterns).
func newMock(requestTemplates map[string]string, responses map[string]agtypes.IntegrationResponse) (*Mock, error) {
	var tmpl struct {
		StatusCode json.Number `json:"statusCode"`
	}
	src, ok := requestTemplates["application/json"]
	if !ok || strings.ContainsAny(src, "$#") || json.Unmarshal([]byte(src), &tmpl) != nil {
		return nil, fmt.Errorf("MOCK request template %q (want a static {\"statusCode\": N}): %w", src, ErrUnsupported)
	}
	code, err := strconv.Atoi(tmpl.StatusCode.String())
	if err != nil || code < 100 || code > 599 {
		return nil, fmt.Errorf("MOCK status code %q: %w", tmpl.StatusCode, ErrUnsupported)
	}
	m := &Mock{StatusCode: code, Headers: map[string]string{}}
	ir, ok := responses[strconv.Itoa(code)]
	if !ok {
		// API Gateway answers 500 when no integration response matches.
		return nil, fmt.Errorf("MOCK status %d has no integration response: %w", code, ErrUnsupported)
	}
	if ir.SelectionPattern != nil && *ir.SelectionPattern != "" {
		return nil, fmt.Errorf("MOCK selection pattern %q: %w", *ir.SelectionPattern, ErrUnsupported)
	}
	const prefix = "method.response.header."
	for k, v := range ir.ResponseParameters {
		name, ok := strings.CutPrefix(k, prefix)
		value, static := staticValue(v)
		if !ok || !static {
			return nil, fmt.Errorf("MOCK response parameter %s = %s (only 'static' headers): %w", k, v, ErrUnsupported)
		}
		m.Headers[name] = value
	}
	if body := ir.ResponseTemplates["application/json"]; body != "" {
		if strings.ContainsAny(body, "$#") {
			return nil, fmt.Errorf("MOCK response template %q: %w", body, ErrUnsupported)
		}
		m.Body = body
	}
	return m, nil
}

// serveMock answers from a MOCK integration, with nothing invoked.
func (g *Gateway) serveMock(w http.ResponseWriter, rc *requestCtx, m *Mock) int {
	if m == nil {
		rc.note = "MOCK integration not loaded"
		return g.fail(w, errConfig)
	}
	for k, v := range m.Headers {
		w.Header().Set(k, v)
	}
	if m.Body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(m.StatusCode)
	_, _ = w.Write([]byte(m.Body))
	return m.StatusCode
}
