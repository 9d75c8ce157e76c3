package gateway

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// Snapshots are deployments' definitions as they were when each deployment
// was created, recorded by SnapshotProxy: API Gateway serves a stage from
// its deployment's snapshot, while moto keeps nothing per deployment (its
// deployments are an id, a description and a date).
type Snapshots struct {
	mu sync.Mutex
	m  map[snapshotKey]snapshot
}

type snapshotKey struct{ api, deployment string }

type snapshot struct {
	def *Definition
	err error // the definition could not be read, or is not served
}

// NewSnapshots returns an empty store.
func NewSnapshots() *Snapshots { return &Snapshots{m: map[snapshotKey]snapshot{}} }

// Lookup returns the definition recorded for a deployment: found is false
// when none was recorded (or s is nil); err is the reason a recorded one
// cannot be served.
func (s *Snapshots) Lookup(apiID, deploymentID string) (def *Definition, found bool, err error) {
	if s == nil {
		return nil, false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn, ok := s.m[snapshotKey{apiID, deploymentID}]
	return sn.def, ok, sn.err
}

// Deployments lists the deployment ids recorded for an API, sorted.
func (s *Snapshots) Deployments(apiID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for k := range s.m {
		if k.api == apiID {
			ids = append(ids, k.deployment)
		}
	}
	sort.Strings(ids)
	return ids
}

func (s *Snapshots) record(apiID, deploymentID string, def *Definition, err error) {
	s.mu.Lock()
	s.m[snapshotKey{apiID, deploymentID}] = snapshot{def, err}
	s.mu.Unlock()
}

// SnapshotProxy is a reverse proxy to moto for the AWS provider's
// apigateway endpoint. Everything passes through unchanged, except that:
//
//   - when a CreateDeployment (POST /restapis/{id}/deployments) succeeds, it
//     reads the API's definition from moto (ReadDefinition) before the
//     answer goes back, and records it under the new deployment's id: the
//     snapshot API Gateway takes at that moment, so deterministic (Terraform
//     has not seen the deployment yet, nothing else can have changed);
//   - when a CreateAuthorizer carried an identityValidationExpression that
//     moto 5.2.1 dropped (it keeps it only on update), it puts it back with
//     an UpdateAuthorizer before answering, so moto holds what API Gateway
//     would and the deployment created next snapshots it;
//   - a PutRestApi (PUT /restapis/{id}, mode overwrite or merge) is not
//     forwarded: moto 5.2.1's import drops authorizers, methods'
//     authorization and request parameters, fails on a MOCK without uri and
//     replaces the root resource. The proxy validates the OpenAPI 3.0 JSON
//     body (the subset the module sends, import.go; anything else is a 400
//     BadRequestException before moto changes) and applies it with SDK calls
//     (resources, methods, integrations, method and integration responses,
//     TOKEN authorizers updated in place by name, gateway responses; in
//     overwrite mode what the body lacks is deleted, the root kept), then
//     answers with the RestApi as moto holds it.
type SnapshotProxy struct {
	// URL is the proxy's endpoint, for the provider's endpoints block.
	URL       string
	Snapshots *Snapshots
	ag        *apigateway.Client
	target    string       // moto's endpoint
	client    *http.Client // to moto, for answers relayed as they are
	log       io.Writer
	logMu     sync.Mutex
	srv       *http.Server
}

// StartSnapshotProxy listens on a free loopback port and forwards to
// endpoint (moto); cfg (bound to moto itself) reads the definitions. log
// receives one line per recorded deployment (nil: none).
func StartSnapshotProxy(cfg aws.Config, endpoint string, log io.Writer) (*SnapshotProxy, error) {
	target, err := url.Parse(endpoint)
	if err != nil || target.Scheme == "" || target.Host == "" {
		return nil, fmt.Errorf("snapshot proxy: moto endpoint %q: want an absolute URL", endpoint)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("snapshot proxy: listen: %w", err)
	}
	// No keep-alive, as moto.Server.Config: moto may close an idle
	// connection just as it is reused, and a create must not be retried.
	transport := &http.Transport{Proxy: nil, DisableKeepAlives: true}
	p := &SnapshotProxy{URL: "http://" + ln.Addr().String(), Snapshots: NewSnapshots(), ag: apigateway.NewFromConfig(cfg),
		target: strings.TrimSuffix(target.String(), "/"), client: &http.Client{Transport: transport}, log: log}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // moto answers whatever the host; keep the signed one
		},
		Transport:      transport,
		ModifyResponse: p.modifyResponse,
		ErrorLog:       nil,
	}
	p.srv = &http.Server{Handler: p.handler(rp), ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops the proxy.
func (p *SnapshotProxy) Close() { _ = p.srv.Close() }

var (
	deploymentsPath = regexp.MustCompile(`^/restapis/([^/]+)/deployments/?$`)
	authorizersPath = regexp.MustCompile(`^/restapis/([^/]+)/authorizers/?$`)
)

type requestBodyKey struct{}

// handler keeps the body of the requests modifyResponse needs to read
// (CreateAuthorizer's) in the request's context, which the outgoing request
// and its response carry.
func (p *SnapshotProxy) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m := restAPIPath.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodPut {
			p.putRestAPI(w, r, m[1]) // not forwarded: applied here (import.go)
			return
		}
		if r.Method == http.MethodPost && authorizersPath.MatchString(r.URL.Path) {
			b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				http.Error(w, "snapshot proxy: read body: "+err.Error(), http.StatusBadGateway)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			r = r.WithContext(context.WithValue(r.Context(), requestBodyKey{}, b))
		}
		next.ServeHTTP(w, r)
	})
}

func (p *SnapshotProxy) modifyResponse(resp *http.Response) error {
	req := resp.Request
	if req.Method != http.MethodPost || resp.StatusCode != http.StatusCreated {
		return nil
	}
	if m := deploymentsPath.FindStringSubmatch(req.URL.Path); m != nil {
		return p.recordDeployment(req.Context(), resp, m[1])
	}
	if m := authorizersPath.FindStringSubmatch(req.URL.Path); m != nil {
		sent, _ := req.Context().Value(requestBodyKey{}).([]byte)
		return p.keepValidationExpression(req.Context(), resp, m[1], sent)
	}
	return nil
}

// recordDeployment snapshots the API's definition under the deployment id of
// a CreateDeployment answer, before the answer goes back.
func (p *SnapshotProxy) recordDeployment(ctx context.Context, resp *http.Response, apiID string) error {
	var created struct {
		ID string `json:"id"`
	}
	if err := readJSON(resp, &created); err != nil || created.ID == "" {
		return fmt.Errorf("snapshot proxy: CreateDeployment of %s: no deployment id in the answer: %v", apiID, err)
	}
	def, err := readDefinition(ctx, p.ag, apiID)
	p.Snapshots.record(apiID, created.ID, def, err)
	if err != nil {
		p.logf("snapshot: api %s deployment %s: not servable: %v", apiID, created.ID, err)
		return nil
	}
	methods := 0
	for _, r := range def.Resources {
		methods += len(r.Methods)
	}
	p.logf("snapshot: api %s deployment %s: %d resources, %d methods, %d authorizers, %d gateway responses",
		apiID, created.ID, len(def.Resources), methods, len(def.Authorizers), len(def.GatewayResponses))
	return nil
}

// keepValidationExpression restores the identityValidationExpression a
// CreateAuthorizer sent when moto's answer lacks it.
func (p *SnapshotProxy) keepValidationExpression(ctx context.Context, resp *http.Response, apiID string, sent []byte) error {
	var in struct {
		Expr string `json:"identityValidationExpression"`
	}
	if json.Unmarshal(sent, &in) != nil || in.Expr == "" {
		return nil
	}
	var out struct {
		ID   string `json:"id"`
		Expr string `json:"identityValidationExpression"`
	}
	if err := readJSON(resp, &out); err != nil || out.ID == "" {
		return fmt.Errorf("snapshot proxy: CreateAuthorizer of %s: no authorizer id in the answer: %v", apiID, err)
	}
	if out.Expr == in.Expr {
		return nil
	}
	return p.setValidationExpression(ctx, apiID, out.ID, in.Expr)
}

// setValidationExpression puts back the identityValidationExpression moto
// 5.2.1 dropped when it created an authorizer.
func (p *SnapshotProxy) setValidationExpression(ctx context.Context, apiID, authorizerID, expr string) error {
	_, err := p.ag.UpdateAuthorizer(ctx, &apigateway.UpdateAuthorizerInput{
		RestApiId: &apiID, AuthorizerId: &authorizerID,
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/identityValidationExpression"), Value: &expr}},
	})
	if err != nil {
		return fmt.Errorf("snapshot proxy: restore the identity validation expression of authorizer %s: %w", authorizerID, err)
	}
	p.logf("snapshot: api %s authorizer %s: identity validation expression restored (moto dropped it on create)", apiID, authorizerID)
	return nil
}

// readJSON decodes a response body and puts the bytes back for the client.
func readJSON(resp *http.Response, v any) error {
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return err
	}
	plain := b
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return err
		}
		if plain, err = io.ReadAll(zr); err != nil {
			return err
		}
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return errors.Join(errors.New("answer is not JSON"), err)
	}
	return nil
}

func (p *SnapshotProxy) logf(format string, args ...any) {
	if p.log == nil {
		return
	}
	p.logMu.Lock()
	fmt.Fprintf(p.log, format+"\n", args...)
	p.logMu.Unlock()
}
