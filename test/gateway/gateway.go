package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// Invoker runs a function: *rie.Function in the gateway, fakes in unit tests.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) (*rie.Result, error)
}

// Gateway serves one REST API stage. It is an http.Handler.
type Gateway struct {
	api      *API
	router   *router
	invokers map[string]Invoker // by function ARN
	perms    map[string]*resourcePolicy
	backend  *http.Client // HTTP_PROXY integrations
	access   io.Writer
	logMu    sync.Mutex
	now      func() time.Time

	cacheMu sync.Mutex
	cache   map[string]cacheEntry // authorizer id + "\x00" + token

	hits, misses, authzCalls atomic.Int64
	closers                  []func()
}

type cacheEntry struct {
	out     *AuthorizerOutput
	expires time.Time
}

// NewFromModel builds a gateway over an already loaded API and its function
// invokers (keyed by function ARN). access receives one line per request.
func NewFromModel(api *API, invokers map[string]Invoker, access io.Writer) (*Gateway, error) {
	g := &Gateway{
		api: api, router: newRouter(api.Resources), invokers: invokers,
		perms: map[string]*resourcePolicy{}, backend: newBackendClient(), access: access, now: time.Now,
		cache: map[string]cacheEntry{},
	}
	for arn, fn := range api.Functions {
		if _, ok := invokers[arn]; !ok {
			return nil, fmt.Errorf("serve %s: no invoker for %s", api.ID, arn)
		}
		if fn.Unchecked {
			continue
		}
		p, err := parseResourcePolicy(fn.Policy)
		if err != nil {
			return nil, fmt.Errorf("serve %s: function %s: %w", api.ID, fn.Name, err)
		}
		g.perms[arn] = p
	}
	return g, nil
}

// API returns the configuration the gateway serves.
func (g *Gateway) API() *API { return g.api }

// CacheStats returns the authorizer cache hits and misses so far.
func (g *Gateway) CacheStats() (hits, misses int64) { return g.hits.Load(), g.misses.Load() }

// AuthorizerInvocations counts authorizer invocations so far.
func (g *Gateway) AuthorizerInvocations() int64 { return g.authzCalls.Load() }

// FlushCache empties the authorizer result cache (a redeployment does that).
func (g *Gateway) FlushCache() {
	g.cacheMu.Lock()
	g.cache = map[string]cacheEntry{}
	g.cacheMu.Unlock()
}

// Close stops every function process the gateway started.
func (g *Gateway) Close() {
	for _, c := range g.closers {
		c()
	}
}

// Gateway error responses: status, x-amzn-ErrorType and the JSON message.
type gwError struct {
	status  int
	errType string
	message *string
}

func msg(s string) *string { return &s }

var (
	errMissingToken = gwError{http.StatusForbidden, "MissingAuthenticationTokenException", msg("Missing Authentication Token")}
	errUnauthorized = gwError{http.StatusUnauthorized, "UnauthorizedException", msg("Unauthorized")}
	errExplicitDeny = gwError{http.StatusForbidden, "AccessDeniedException", msg("User is not authorized to access this resource with an explicit deny")}
	errNotAllowed   = gwError{http.StatusForbidden, "AccessDeniedException", msg("User is not authorized to access this resource")}
	errAuthorizer   = gwError{http.StatusInternalServerError, "AuthorizerConfigurationException", nil}
	errIntegration  = gwError{http.StatusBadGateway, "InternalServerErrorException", msg("Internal server error")}
	errConfig       = gwError{http.StatusInternalServerError, "InternalServerErrorException", msg("Internal server error")}
	errTimeout      = gwError{http.StatusGatewayTimeout, "InternalServerErrorException", msg("Endpoint request timed out")}
)

// ServeHTTP serves one request through routing, authorization and the integration.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := &requestCtx{start: g.now(), requestID: uuid(), extendedID: randHex(8), traceID: "1-" + randHex(4) + "-" + randHex(12), cache: "-"}
	status := g.serve(w, r, rc)
	g.logLine(r, rc, status)
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, rc *requestCtx) int {
	w.Header().Set("x-amzn-RequestId", rc.requestID)
	w.Header().Set("x-amz-apigw-id", rc.extendedID)

	raw := r.URL.EscapedPath()
	prefix := "/" + g.api.Stage
	if raw != prefix && !strings.HasPrefix(raw, prefix+"/") {
		rc.note = "unknown stage"
		return g.fail(w, errMissingToken)
	}
	rc.path = strings.TrimPrefix(raw, prefix)
	if rc.path == "" {
		rc.path = "/"
	}
	res, params := g.router.match(rc.path)
	if res == nil {
		rc.note = "no resource"
		return g.fail(w, errMissingToken)
	}
	m := res.Methods[r.Method]
	if m == nil {
		m = res.Methods["ANY"]
	}
	if m == nil {
		rc.note = "no method"
		return g.fail(w, errMissingToken)
	}
	rc.resource, rc.method, rc.params = res, m, params

	methodARN := g.api.MethodARN(r.Method, rc.path)
	switch m.AuthorizationType {
	case "NONE", "":
	case "CUSTOM":
		if e, ok := g.authorize(r, rc, methodARN); !ok {
			return g.fail(w, e)
		}
	default:
		rc.note = "authorization " + m.AuthorizationType + " not supported"
		return g.fail(w, errConfig)
	}
	return g.integrate(w, r, rc, methodARN)
}

// authorize runs the method's TOKEN authorizer (or its cached result).
func (g *Gateway) authorize(r *http.Request, rc *requestCtx, methodARN string) (gwError, bool) {
	a := g.api.Authorizers[rc.method.AuthorizerID]
	if a == nil {
		rc.note = "authorizer " + rc.method.AuthorizerID + " not found"
		return errAuthorizer, false
	}
	token := r.Header.Get(a.Header)
	if token == "" {
		rc.note = "no identity source"
		return errUnauthorized, false
	}
	if a.Validation != nil && !a.Validation.MatchString(token) {
		rc.note = "identity validation expression"
		return errUnauthorized, false
	}
	key := a.ID + "\x00" + token
	var out *AuthorizerOutput
	latency := int64(0)
	if a.TTL > 0 {
		g.cacheMu.Lock()
		if e, ok := g.cache[key]; ok && g.now().Before(e.expires) {
			out = e.out
		}
		g.cacheMu.Unlock()
	}
	if out != nil {
		rc.cache = "hit"
		g.hits.Add(1)
	} else {
		rc.cache = "miss"
		g.misses.Add(1)
		if !g.permitted(a.FunctionARN, g.api.SourceARNAuthorizer(a.ID)) {
			rc.note = "authorizer function's resource policy does not allow API Gateway"
			return errAuthorizer, false
		}
		inv := g.invokers[a.FunctionARN]
		payload, _ := json.Marshal(map[string]string{"type": "TOKEN", "authorizationToken": token, "methodArn": methodARN})
		g.authzCalls.Add(1)
		t0 := time.Now()
		res, err := inv.Invoke(r.Context(), payload)
		latency = time.Since(t0).Milliseconds()
		switch {
		case err != nil:
			rc.note = "authorizer: " + err.Error()
			return errAuthorizer, false
		case res.TimedOut:
			rc.note = "authorizer timed out"
			return errAuthorizer, false
		case res.Error != nil && res.Error.Message == "Unauthorized":
			rc.note = "authorizer: Unauthorized"
			return errUnauthorized, false
		case res.Error != nil:
			rc.note = "authorizer error: " + res.Error.Error()
			return errAuthorizer, false
		}
		out, err = ParseAuthorizerOutput(res.Payload)
		if err != nil {
			rc.note = err.Error()
			return errAuthorizer, false
		}
		if a.TTL > 0 {
			g.cacheMu.Lock()
			g.cache[key] = cacheEntry{out: out, expires: g.now().Add(a.TTL)}
			g.cacheMu.Unlock()
		}
	}
	switch out.Evaluate(methodARN) {
	case Deny:
		rc.note = "explicit deny"
		return errExplicitDeny, false
	case NoMatch:
		rc.note = "no allow matches " + methodARN
		return errNotAllowed, false
	}
	ctx := map[string]any{"principalId": out.PrincipalID, "integrationLatency": latency}
	for k, v := range out.Context {
		ctx[k] = v
	}
	rc.authorizer = ctx
	return gwError{}, true
}

// integrate runs the method's integration (AWS_PROXY or HTTP_PROXY) and
// writes its response.
func (g *Gateway) integrate(w http.ResponseWriter, r *http.Request, rc *requestCtx, methodARN string) int {
	in := rc.method.Integration
	if in != nil && in.Type == "MOCK" {
		return g.serveMock(w, rc, in.Mock)
	}
	if in == nil || (in.Type != "AWS_PROXY" && in.Type != "HTTP_PROXY") {
		rc.note = "integration not served (only AWS_PROXY, HTTP_PROXY and MOCK)"
		return g.fail(w, errConfig)
	}
	if in.Type == "AWS_PROXY" && !g.permitted(in.FunctionARN, methodARN) {
		rc.note = "integration function's resource policy does not allow API Gateway"
		return g.fail(w, errConfig)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20+1))
	if err != nil {
		rc.note = "read body: " + err.Error()
		return g.fail(w, errConfig)
	}
	if len(body) > 10<<20 {
		rc.note = "payload over 10 MB"
		return g.fail(w, gwError{http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", msg("Request Too Long")})
	}
	if in.Type == "HTTP_PROXY" {
		return g.httpProxy(w, r, rc, body)
	}
	event, err := g.proxyEvent(r, rc, body)
	if err != nil {
		rc.note = "event: " + err.Error()
		return g.fail(w, errConfig)
	}
	timeout := in.Timeout
	if timeout <= 0 {
		timeout = 29 * time.Second
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	res, err := g.invokers[in.FunctionARN].Invoke(ctx, event)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		rc.note = "integration timeout"
		return g.fail(w, errTimeout)
	case err != nil:
		rc.note = "integration: " + err.Error()
		return g.fail(w, errIntegration)
	case res.TimedOut:
		rc.note = "integration function timed out"
		return g.fail(w, errIntegration)
	case res.Error != nil:
		rc.note = "integration error: " + res.Error.Error()
		return g.fail(w, errIntegration)
	}
	pr, err := parseProxyResponse(res.Payload)
	if err != nil {
		rc.note = err.Error()
		return g.fail(w, errIntegration)
	}
	for k, vs := range pr.headers {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(pr.status)
	_, _ = w.Write(pr.body)
	return pr.status
}

// fail answers a gateway error through the API's gateway responses (responses.go).
func (g *Gateway) fail(w http.ResponseWriter, e gwError) int {
	status, headers, body := g.errorResponse(e)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", e.errType)
	for k, v := range headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

func (g *Gateway) logLine(r *http.Request, rc *requestCtx, status int) {
	if g.access == nil {
		return
	}
	line := fmt.Sprintf("%s %s %s %s %d authz-cache=%s %dms", rc.start.UTC().Format(time.RFC3339), rc.requestID, r.Method, r.URL.RequestURI(), status, rc.cache, time.Since(rc.start).Milliseconds())
	if rc.note != "" {
		line += " (" + rc.note + ")"
	}
	g.logMu.Lock()
	fmt.Fprintln(g.access, line)
	g.logMu.Unlock()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
