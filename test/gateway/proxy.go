package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// ErrMalformedProxyResponse: the integration's answer is not a Lambda proxy
// response (API Gateway answers 502).
var ErrMalformedProxyResponse = errors.New("malformed Lambda proxy response")

// proxyEvent builds the AWS_PROXY request event, the JSON form of
// aws-lambda-go's events.APIGatewayProxyRequest.
func (g *Gateway) proxyEvent(r *http.Request, rc *requestCtx, body []byte) ([]byte, error) {
	headers := map[string]string{}
	multi := map[string][]string{}
	add := func(k, v string) {
		headers[k] = v
		multi[k] = append(multi[k], v)
	}
	if r.Host != "" {
		add("Host", r.Host)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			add(k, v)
		}
	}
	ip := clientIP(r)
	if _, ok := headers["X-Forwarded-For"]; !ok {
		add("X-Forwarded-For", ip)
	}
	add("X-Forwarded-Proto", "http")
	if _, port, err := net.SplitHostPort(g.listenHost(r)); err == nil {
		add("X-Forwarded-Port", port)
	}
	add("X-Amzn-Trace-Id", "Root="+rc.traceID)

	var query map[string]string
	var multiQuery map[string][]string
	if q := r.URL.Query(); len(q) > 0 {
		query, multiQuery = map[string]string{}, map[string][]string{}
		for k, vs := range q {
			query[k] = vs[len(vs)-1]
			multiQuery[k] = vs
		}
	}
	var pathParams map[string]string
	if len(rc.params) > 0 {
		pathParams = rc.params
	}
	var stageVars map[string]string
	if len(g.api.StageVariables) > 0 {
		stageVars = g.api.StageVariables
	}
	var bodyField *string
	b64 := false
	if len(body) > 0 {
		s := string(body)
		if !utf8.Valid(body) {
			s, b64 = base64.StdEncoding.EncodeToString(body), true
		}
		bodyField = &s
	}
	reqCtx := map[string]any{
		"accountId":         g.api.Account,
		"apiId":             g.api.ID,
		"resourceId":        rc.resource.ID,
		"resourcePath":      rc.resource.Path,
		"httpMethod":        r.Method,
		"stage":             g.api.Stage,
		"requestId":         rc.requestID,
		"extendedRequestId": rc.extendedID,
		"path":              "/" + g.api.Stage + rc.path,
		"protocol":          r.Proto,
		"domainName":        r.Host,
		"requestTime":       rc.start.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		"requestTimeEpoch":  rc.start.UnixMilli(),
		"identity": map[string]any{
			"sourceIp":  ip,
			"userAgent": r.UserAgent(),
		},
	}
	if rc.authorizer != nil {
		reqCtx["authorizer"] = rc.authorizer
	}
	ev := map[string]any{
		"resource":                        rc.resource.Path,
		"path":                            rc.path,
		"httpMethod":                      r.Method,
		"headers":                         headers,
		"multiValueHeaders":               multi,
		"queryStringParameters":           query,
		"multiValueQueryStringParameters": multiQuery,
		"pathParameters":                  pathParams,
		"stageVariables":                  stageVars,
		"requestContext":                  reqCtx,
		"body":                            bodyField,
		"isBase64Encoded":                 b64,
	}
	return json.Marshal(ev)
}

func (g *Gateway) listenHost(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return a.String()
	}
	return r.Host
}

func clientIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// proxyResponse is a validated Lambda proxy response.
type proxyResponse struct {
	status  int
	headers http.Header
	body    []byte
}

// parseProxyResponse validates the integration's answer like API Gateway:
// a JSON object with only statusCode, headers, multiValueHeaders, body and
// isBase64Encoded, of the right types.
func parseProxyResponse(b []byte) (*proxyResponse, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %w", ErrMalformedProxyResponse, err)
	}
	var (
		status  json.Number
		headers map[string]string
		multi   map[string][]string
		body    *string
		b64     bool
	)
	for k, v := range raw {
		var err error
		if string(bytes.TrimSpace(v)) == "null" {
			continue
		}
		switch k {
		case "statusCode":
			dec := json.NewDecoder(bytes.NewReader(v))
			dec.UseNumber()
			var n any
			if err = dec.Decode(&n); err == nil {
				switch x := n.(type) {
				case json.Number:
					status = x
				case string:
					status = json.Number(x)
				default:
					err = errors.New("not a number")
				}
			}
		case "headers":
			err = json.Unmarshal(v, &headers)
		case "multiValueHeaders":
			err = json.Unmarshal(v, &multi)
		case "body":
			err = json.Unmarshal(v, &body)
		case "isBase64Encoded":
			err = json.Unmarshal(v, &b64)
		default:
			err = errors.New("unexpected field")
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrMalformedProxyResponse, k, err)
		}
	}
	code, err := strconv.Atoi(string(status))
	if err != nil || code < 100 || code > 599 {
		return nil, fmt.Errorf("%w: statusCode %q", ErrMalformedProxyResponse, status)
	}
	out := &proxyResponse{status: code, headers: http.Header{}}
	for k, vs := range multi {
		for _, v := range vs {
			out.headers.Add(k, v)
		}
	}
	for k, v := range headers {
		if _, ok := multi[k]; !ok {
			out.headers.Set(k, v)
		}
	}
	if body != nil {
		out.body = []byte(*body)
		if b64 {
			d, err := base64.StdEncoding.DecodeString(*body)
			if err != nil {
				return nil, fmt.Errorf("%w: body is not base64: %w", ErrMalformedProxyResponse, err)
			}
			out.body = d
		}
	}
	if out.headers.Get("Content-Type") == "" {
		out.headers.Set("Content-Type", "application/json")
	}
	return out, nil
}

// requestCtx carries one request through the gateway.
type requestCtx struct {
	start      time.Time
	requestID  string
	extendedID string
	traceID    string
	path       string // without the stage
	resource   *Resource
	method     *Method
	params     map[string]string
	authorizer map[string]any
	cache      string // hit, miss, or - when no authorizer ran
	note       string
}
