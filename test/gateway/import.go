package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// PutRestApi through SnapshotProxy: the proxy applies an OpenAPI 3.0 body
// itself with the SDK calls Terraform's per-resource configuration would
// make, because moto 5.2.1's import drops authorizers, methods'
// authorization and request parameters, fails on a MOCK without uri and
// replaces the root resource in overwrite mode. Only the subset the module
// sends is supported (see openAPIDoc); anything else is refused (400) before
// moto is changed.

var restAPIPath = regexp.MustCompile(`^/restapis/([^/]+)/?$`)

// importError is an answer to a PutRestApi the proxy did not apply (fully).
type importError struct {
	status int
	typ    string
	msg    string
}

func (e *importError) Error() string { return e.msg }

func badBody(format string, args ...any) error {
	return &importError{http.StatusBadRequest, "BadRequestException", fmt.Sprintf(format, args...)}
}

// motoStep is a moto call that failed midway through an import.
func motoStep(step string, err error) error {
	var nf *agtypes.NotFoundException
	if errors.As(err, &nf) {
		return &importError{http.StatusNotFound, "NotFoundException", step + ": " + aws.ToString(nf.Message)}
	}
	return &importError{http.StatusBadGateway, "SnapshotProxyException", "snapshot proxy: PutRestApi: " + step + ": " + err.Error()}
}

func writeAPIError(w http.ResponseWriter, e *importError) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", e.typ)
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": e.msg})
}

// openAPIDoc is the part of an OpenAPI 3.0 document the proxy applies.
// Unknown top-level keys (info, x-amazon-apigateway-endpoint-configuration,
// …) are ignored.
type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Security   json.RawMessage                       `json:"security"`
	Components struct {
		SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
	} `json:"components"`
	GatewayResponses map[string]json.RawMessage `json:"x-amazon-apigateway-gateway-responses"`
}

type oasOperation struct {
	Parameters []struct {
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
	} `json:"parameters"`
	Security    []map[string][]string `json:"security"`
	Integration *oasIntegration       `json:"-"`
	Responses   map[string]struct {
		Headers map[string]struct {
			Required bool `json:"required"`
		} `json:"headers"`
	} `json:"responses"`
}

type oasIntegration struct {
	Type                string                            `json:"type"`
	HTTPMethod          string                            `json:"httpMethod"`
	URI                 string                            `json:"uri"`
	TimeoutInMillis     *int32                            `json:"timeoutInMillis"`
	PassthroughBehavior string                            `json:"passthroughBehavior"`
	RequestParameters   map[string]string                 `json:"requestParameters"`
	RequestTemplates    map[string]string                 `json:"requestTemplates"`
	Responses           map[string]oasIntegrationResponse `json:"responses"`
}

type oasIntegrationResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
}

type oasScheme struct {
	Type       string         `json:"type"`
	Name       string         `json:"name"`
	In         string         `json:"in"`
	AuthType   string         `json:"x-amazon-apigateway-authtype"`
	Authorizer *oasAuthorizer `json:"x-amazon-apigateway-authorizer"`
}

type oasAuthorizer struct {
	Type                         string `json:"type"`
	AuthorizerURI                string `json:"authorizerUri"`
	AuthorizerCredentials        string `json:"authorizerCredentials"`
	AuthorizerResultTTLInSeconds *int32 `json:"authorizerResultTtlInSeconds"`
	IdentityValidationExpression string `json:"identityValidationExpression"`
}

type oasGatewayResponse struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]string `json:"responseParameters"`
	ResponseTemplates  map[string]string `json:"responseTemplates"`
}

// importPlan is a validated body: what moto must hold afterwards.
type importPlan struct {
	overwrite bool
	paths     map[string]map[string]*importMethod // path → verb
	schemes   map[string]*importAuthorizer        // by name
	responses map[string]oasGatewayResponse       // by type
}

type importMethod struct {
	scheme      string // "": NONE
	params      map[string]bool
	integration *oasIntegration
	responses   map[string]map[string]bool // status → method.response.header.X → required
}

type importAuthorizer struct {
	uri, credentials, expression, identitySource string
	ttl                                          int32
}

var importVerbs = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "patch": "PATCH",
	"head": "HEAD", "options": "OPTIONS", "x-amazon-apigateway-any-method": "ANY",
}

var integrationTypes = map[string]agtypes.IntegrationType{
	"aws_proxy": agtypes.IntegrationTypeAwsProxy, "http_proxy": agtypes.IntegrationTypeHttpProxy, "mock": agtypes.IntegrationTypeMock,
}

// decodeStrict decodes an object refusing fields the proxy does not apply.
func decodeStrict(raw json.RawMessage, v any, what string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badBody("%s: %v (the snapshot proxy applies only the fields the module sends)", what, err)
	}
	return nil
}

// checkExtensions refuses x-amazon-apigateway-* keys of an object other than allowed.
func checkExtensions(raw json.RawMessage, what string, allowed ...string) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return badBody("%s: %v", what, err)
	}
	for k := range keys {
		if strings.HasPrefix(k, "x-amazon-apigateway-") && !contains(allowed, k) {
			return badBody("%s: extension %s is not supported by the snapshot proxy", what, k)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseImport validates a PutRestApi body completely, before moto is touched.
func parseImport(body []byte, mode string) (*importPlan, error) {
	plan := &importPlan{paths: map[string]map[string]*importMethod{}, schemes: map[string]*importAuthorizer{}, responses: map[string]oasGatewayResponse{}}
	switch strings.ToLower(mode) {
	case "overwrite":
		plan.overwrite = true
	case "", "merge":
	default:
		return nil, badBody("mode %q: want overwrite or merge", mode)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, badBody("the body is not a JSON OpenAPI document (the snapshot proxy applies JSON only): %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return nil, badBody("openapi %q: the snapshot proxy applies OpenAPI 3.0 documents only", doc.OpenAPI)
	}
	if len(doc.Security) > 0 && string(doc.Security) != "null" && string(doc.Security) != "[]" {
		return nil, badBody("top-level security is not supported by the snapshot proxy: name the scheme in each operation")
	}

	for name, raw := range doc.Components.SecuritySchemes {
		what := "securitySchemes." + name
		if err := checkExtensions(raw, what, "x-amazon-apigateway-authtype", "x-amazon-apigateway-authorizer"); err != nil {
			return nil, err
		}
		var s oasScheme
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, badBody("%s: %v", what, err)
		}
		switch {
		case s.Type != "apiKey" || s.In != "header" || s.Name == "":
			return nil, badBody("%s: want type apiKey in header with a name (the identity source), got type %q in %q name %q", what, s.Type, s.In, s.Name)
		case !strings.EqualFold(s.AuthType, "custom") || s.Authorizer == nil:
			return nil, badBody("%s: want x-amazon-apigateway-authtype custom and an x-amazon-apigateway-authorizer (a Lambda TOKEN authorizer)", what)
		}
		var a oasAuthorizer
		if err := decodeStrict(mustRaw(raw, "x-amazon-apigateway-authorizer"), &a, what+".x-amazon-apigateway-authorizer"); err != nil {
			return nil, err
		}
		if !strings.EqualFold(a.Type, "token") {
			return nil, badBody("%s: authorizer type %q is not supported by the snapshot proxy (token only)", what, a.Type)
		}
		if a.AuthorizerURI == "" {
			return nil, badBody("%s: authorizerUri missing", what)
		}
		ia := &importAuthorizer{uri: a.AuthorizerURI, credentials: a.AuthorizerCredentials, expression: a.IdentityValidationExpression,
			identitySource: "method.request.header." + s.Name, ttl: 300}
		if a.AuthorizerResultTTLInSeconds != nil {
			if ia.ttl = *a.AuthorizerResultTTLInSeconds; ia.ttl < 0 || ia.ttl > 3600 {
				return nil, badBody("%s: authorizerResultTtlInSeconds %d: want 0 to 3600", what, ia.ttl)
			}
		}
		if a.IdentityValidationExpression != "" {
			if _, err := regexp.Compile(a.IdentityValidationExpression); err != nil {
				return nil, badBody("%s: identityValidationExpression: %v", what, err)
			}
		}
		plan.schemes[name] = ia
	}

	for path, item := range doc.Paths {
		if err := checkImportPath(path); err != nil {
			return nil, err
		}
		methods := map[string]*importMethod{}
		for key, raw := range item {
			verb, ok := importVerbs[strings.ToLower(key)]
			if !ok {
				if key == "summary" || key == "description" {
					continue
				}
				return nil, badBody("paths.%s: %q is not supported by the snapshot proxy (verbs: get put post delete patch head options x-amazon-apigateway-any-method)", path, key)
			}
			m, err := parseOperation(raw, plan.schemes, "paths."+path+"."+key)
			if err != nil {
				return nil, err
			}
			methods[verb] = m
		}
		plan.paths[path] = methods
	}

	valid := map[agtypes.GatewayResponseType]bool{}
	for _, t := range agtypes.GatewayResponseType("").Values() {
		valid[t] = true
	}
	for typ, raw := range doc.GatewayResponses {
		what := "x-amazon-apigateway-gateway-responses." + typ
		if !valid[agtypes.GatewayResponseType(typ)] {
			return nil, badBody("%s: unknown gateway response type", what)
		}
		var gr oasGatewayResponse
		if err := decodeStrict(raw, &gr, what); err != nil {
			return nil, err
		}
		plan.responses[typ] = gr
	}
	return plan, nil
}

// mustRaw returns one key of an object already decoded once.
func mustRaw(obj json.RawMessage, key string) json.RawMessage {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(obj, &m)
	return m[key]
}

func checkImportPath(path string) error {
	if !strings.HasPrefix(path, "/") {
		return badBody("path %q: must start with /", path)
	}
	if path == "/" {
		return nil
	}
	parts := strings.Split(path[1:], "/")
	for i, part := range parts {
		switch {
		case part == "":
			return badBody("path %q: empty path part", path)
		case strings.HasSuffix(part, "+}") && i != len(parts)-1:
			return badBody("path %q: a greedy %s must be the last path part", path, part)
		}
	}
	return nil
}

func parseOperation(raw json.RawMessage, schemes map[string]*importAuthorizer, what string) (*importMethod, error) {
	if err := checkExtensions(raw, what, "x-amazon-apigateway-integration"); err != nil {
		return nil, err
	}
	var op oasOperation
	if err := json.Unmarshal(raw, &op); err != nil {
		return nil, badBody("%s: %v", what, err)
	}
	m := &importMethod{params: map[string]bool{}, responses: map[string]map[string]bool{}}
	for _, p := range op.Parameters {
		switch p.In {
		case "path", "header":
			m.params["method.request."+p.In+"."+p.Name] = p.Required
		case "query":
			m.params["method.request.querystring."+p.Name] = p.Required
		default:
			return nil, badBody("%s: parameter %q in %q: want path, query or header", what, p.Name, p.In)
		}
	}
	switch {
	case len(op.Security) == 0:
	case len(op.Security) == 1 && len(op.Security[0]) == 1:
		for name := range op.Security[0] {
			if schemes[name] == nil {
				return nil, badBody("%s: security names %q, which is not in components.securitySchemes", what, name)
			}
			m.scheme = name
		}
	default:
		return nil, badBody("%s: security: want one scheme (or none), got %d requirements", what, len(op.Security))
	}
	if ir := mustRaw(raw, "x-amazon-apigateway-integration"); ir != nil {
		var in oasIntegration
		if err := decodeStrict(ir, &in, what+".x-amazon-apigateway-integration"); err != nil {
			return nil, err
		}
		typ, ok := integrationTypes[strings.ToLower(in.Type)]
		if !ok {
			return nil, badBody("%s: integration type %q is not supported by the snapshot proxy (aws_proxy, http_proxy, mock)", what, in.Type)
		}
		if typ != agtypes.IntegrationTypeMock && (in.URI == "" || in.HTTPMethod == "") {
			return nil, badBody("%s: integration type %s needs uri and httpMethod", what, in.Type)
		}
		for key, r := range in.Responses {
			if r.StatusCode == "" {
				return nil, badBody("%s: integration response %q without statusCode", what, key)
			}
		}
		m.integration = &in
	}
	for status, r := range op.Responses {
		if _, err := strconv.Atoi(status); err != nil {
			return nil, badBody("%s: response %q: want a status code", what, status)
		}
		params := map[string]bool{}
		for h, hd := range r.Headers {
			params["method.response.header."+h] = hd.Required
		}
		m.responses[status] = params
	}
	return m, nil
}

// putRestAPI answers a PutRestApi: it applies the body to moto and returns
// the RestApi as moto holds it then.
func (p *SnapshotProxy) putRestAPI(w http.ResponseWriter, r *http.Request, apiID string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		err = motoStep("read the request body", err)
	} else {
		var plan *importPlan
		if plan, err = parseImport(body, r.URL.Query().Get("mode")); err == nil {
			err = p.applyImport(r.Context(), apiID, plan, fmt.Sprintf("?%s, %s, %d bytes", r.URL.RawQuery, r.Header.Get("Content-Type"), len(body)))
		}
	}
	if err != nil {
		ie := &importError{http.StatusBadGateway, "SnapshotProxyException", "snapshot proxy: PutRestApi: " + err.Error()}
		errors.As(err, &ie)
		p.logf("import: api %s: refused (%d): %s", apiID, ie.status, ie.msg)
		writeAPIError(w, ie)
		return
	}
	// The answer: the RestApi as moto has it now, relayed.
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, p.target+"/restapis/"+apiID, nil)
	if err == nil {
		for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"} {
			if v := r.Header.Get(h); v != "" {
				req.Header.Set(h, v)
			}
		}
		var resp *http.Response
		if resp, err = p.client.Do(req); err == nil {
			defer resp.Body.Close()
			for _, h := range []string{"Content-Type", "Content-Encoding", "x-amzn-RequestId"} {
				if v := resp.Header.Get(h); v != "" {
					w.Header().Set(h, v)
				}
			}
			w.WriteHeader(resp.StatusCode)
			_, _ = io.Copy(w, resp.Body)
			return
		}
	}
	writeAPIError(w, &importError{http.StatusBadGateway, "SnapshotProxyException", "snapshot proxy: PutRestApi: GetRestApi after the import: " + err.Error()})
}

// motoResource is a resource as moto holds it before the import.
type motoResource struct {
	id    string
	verbs []string
}

// applyImport makes moto hold the plan (overwrite) or adds it (merge).
func (p *SnapshotProxy) applyImport(ctx context.Context, apiID string, plan *importPlan, request string) error {
	ag := p.ag
	if _, err := ag.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &apiID}); err != nil {
		return motoStep("GetRestApi "+apiID, err)
	}
	existing := map[string]motoResource{}
	pager := apigateway.NewGetResourcesPaginator(ag, &apigateway.GetResourcesInput{RestApiId: &apiID, Embed: []string{"methods"}})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return motoStep("GetResources", err)
		}
		for _, r := range page.Items {
			mr := motoResource{id: aws.ToString(r.Id)}
			for verb := range r.ResourceMethods {
				mr.verbs = append(mr.verbs, verb)
			}
			existing[aws.ToString(r.Path)] = mr
		}
	}
	if _, ok := existing["/"]; !ok {
		return motoStep("GetResources", errors.New("no root resource"))
	}

	// Authorizers: a scheme's name keeps its authorizer (and id).
	auths, err := ag.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: &apiID})
	if err != nil {
		return motoStep("GetAuthorizers", err)
	}
	authByName := map[string]string{}
	for _, a := range auths.Items {
		authByName[aws.ToString(a.Name)] = aws.ToString(a.Id)
	}
	authIDs := map[string]string{}
	for _, name := range sortedKeys(plan.schemes) {
		if authIDs[name], err = p.putAuthorizer(ctx, apiID, name, authByName[name], plan.schemes[name]); err != nil {
			return err
		}
	}

	// Resources: the body's paths and their ancestors, parents first.
	keep := map[string]bool{"/": true}
	for path := range plan.paths {
		for q := path; q != "/"; q = parentPath(q) {
			keep[q] = true
		}
	}
	ids := map[string]string{}
	for path, r := range existing {
		ids[path] = r.id
	}
	for _, path := range byDepth(keep, false) {
		if _, ok := ids[path]; ok {
			continue
		}
		out, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &apiID, ParentId: aws.String(ids[parentPath(path)]), PathPart: aws.String(path[strings.LastIndex(path, "/")+1:])})
		if err != nil {
			return motoStep("CreateResource "+path, err)
		}
		ids[path] = aws.ToString(out.Id)
	}

	// Methods: rebuilt from the body (moto has no UpdateMethod).
	methods := 0
	for _, path := range byDepth(keep, false) {
		for _, verb := range existing[path].verbs {
			if _, inBody := plan.paths[path][verb]; !plan.overwrite && !inBody {
				continue
			}
			if _, err := ag.DeleteMethod(ctx, &apigateway.DeleteMethodInput{RestApiId: &apiID, ResourceId: aws.String(ids[path]), HttpMethod: aws.String(verb)}); err != nil {
				return motoStep("DeleteMethod "+verb+" "+path, err)
			}
		}
		for _, verb := range sortedKeys(plan.paths[path]) {
			if err := p.putMethod(ctx, apiID, ids[path], path, verb, plan.paths[path][verb], authIDs); err != nil {
				return err
			}
			methods++
		}
	}

	deleted := 0
	if plan.overwrite {
		stale := map[string]bool{}
		for path := range existing {
			if !keep[path] {
				stale[path] = true
			}
		}
		for _, path := range byDepth(stale, true) {
			if _, err := ag.DeleteResource(ctx, &apigateway.DeleteResourceInput{RestApiId: &apiID, ResourceId: aws.String(ids[path])}); err != nil {
				return motoStep("DeleteResource "+path, err)
			}
			deleted++
		}
		// Authorizers the body no longer names are kept: API Gateway does
		// not document deleting them, no method can reference them any more,
		// and Terraform deletes the one it managed (an upgrade from
		// per-method resources). Deleting it here would make that delete
		// fail: moto answers a delete of a missing authorizer with a 500,
		// which the provider retries for 20 minutes.
		grs, err := ag.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: &apiID})
		if err != nil {
			return motoStep("GetGatewayResponses", err)
		}
		for _, gr := range grs.Items {
			if _, ok := plan.responses[string(gr.ResponseType)]; !ok {
				if _, err := ag.DeleteGatewayResponse(ctx, &apigateway.DeleteGatewayResponseInput{RestApiId: &apiID, ResponseType: gr.ResponseType}); err != nil {
					return motoStep("DeleteGatewayResponse "+string(gr.ResponseType), err)
				}
			}
		}
	}
	for _, typ := range sortedKeys(plan.responses) {
		gr := plan.responses[typ]
		in := &apigateway.PutGatewayResponseInput{RestApiId: &apiID, ResponseType: agtypes.GatewayResponseType(typ),
			ResponseParameters: gr.ResponseParameters, ResponseTemplates: gr.ResponseTemplates}
		if gr.StatusCode != "" {
			in.StatusCode = aws.String(gr.StatusCode)
		}
		if _, err := ag.PutGatewayResponse(ctx, in); err != nil {
			return motoStep("PutGatewayResponse "+typ, err)
		}
	}
	mode := "merge"
	if plan.overwrite {
		mode = "overwrite"
	}
	p.logf("import: api %s %s (%s): %d paths, %d methods, %d authorizers, %d gateway responses; %d resources deleted",
		apiID, mode, request, len(plan.paths), methods, len(plan.schemes), len(plan.responses), deleted)
	return nil
}

// putAuthorizer updates the authorizer id in place (keeping its id) or,
// without id, creates it; it returns the authorizer's id.
func (p *SnapshotProxy) putAuthorizer(ctx context.Context, apiID, name, id string, a *importAuthorizer) (string, error) {
	if id == "" {
		out, err := p.ag.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{
			RestApiId: &apiID, Name: &name, Type: agtypes.AuthorizerTypeToken, AuthType: aws.String("custom"),
			AuthorizerUri: &a.uri, IdentitySource: &a.identitySource, AuthorizerResultTtlInSeconds: &a.ttl,
			AuthorizerCredentials: optional(a.credentials), IdentityValidationExpression: optional(a.expression),
		})
		if err != nil {
			return "", motoStep("CreateAuthorizer "+name, err)
		}
		id = aws.ToString(out.Id)
		if a.expression == "" || aws.ToString(out.IdentityValidationExpression) == a.expression {
			return id, nil
		}
		// moto 5.2.1 drops the expression on create.
		return id, p.setValidationExpression(ctx, apiID, id, a.expression)
	}
	replace := func(path, value string) agtypes.PatchOperation {
		return agtypes.PatchOperation{Op: agtypes.OpReplace, Path: aws.String(path), Value: aws.String(value)}
	}
	_, err := p.ag.UpdateAuthorizer(ctx, &apigateway.UpdateAuthorizerInput{RestApiId: &apiID, AuthorizerId: &id, PatchOperations: []agtypes.PatchOperation{
		replace("/type", string(agtypes.AuthorizerTypeToken)), replace("/authorizerUri", a.uri), replace("/identitySource", a.identitySource),
		replace("/authorizerCredentials", a.credentials), replace("/authorizerResultTtlInSeconds", strconv.Itoa(int(a.ttl))),
		replace("/identityValidationExpression", a.expression),
	}})
	if err != nil {
		return "", motoStep("UpdateAuthorizer "+name, err)
	}
	return id, nil
}

func (p *SnapshotProxy) putMethod(ctx context.Context, apiID, resourceID, path, verb string, m *importMethod, authIDs map[string]string) error {
	step := func(call string) string { return call + " " + verb + " " + path }
	in := &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: &verb, AuthorizationType: aws.String("NONE")}
	if len(m.params) > 0 {
		in.RequestParameters = m.params
	}
	if m.scheme != "" {
		in.AuthorizationType, in.AuthorizerId = aws.String("CUSTOM"), aws.String(authIDs[m.scheme])
	}
	if _, err := p.ag.PutMethod(ctx, in); err != nil {
		return motoStep(step("PutMethod"), err)
	}
	for _, status := range sortedKeys(m.responses) {
		in := &apigateway.PutMethodResponseInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: &verb, StatusCode: aws.String(status)}
		if len(m.responses[status]) > 0 {
			in.ResponseParameters = m.responses[status]
		}
		if _, err := p.ag.PutMethodResponse(ctx, in); err != nil {
			return motoStep(step("PutMethodResponse "+status), err)
		}
	}
	i := m.integration
	if i == nil {
		return nil
	}
	pi := &apigateway.PutIntegrationInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: &verb,
		Type: integrationTypes[strings.ToLower(i.Type)], Uri: optional(i.URI), IntegrationHttpMethod: optional(i.HTTPMethod),
		TimeoutInMillis: i.TimeoutInMillis, RequestParameters: i.RequestParameters, RequestTemplates: i.RequestTemplates,
		PassthroughBehavior: optional(strings.ToUpper(i.PassthroughBehavior)),
	}
	if _, err := p.ag.PutIntegration(ctx, pi); err != nil {
		return motoStep(step("PutIntegration"), err)
	}
	for _, key := range sortedKeys(i.Responses) {
		r := i.Responses[key]
		in := &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: &verb, StatusCode: aws.String(r.StatusCode),
			ResponseParameters: r.ResponseParameters, ResponseTemplates: r.ResponseTemplates}
		if key != "default" {
			in.SelectionPattern = aws.String(key)
		}
		if _, err := p.ag.PutIntegrationResponse(ctx, in); err != nil {
			return motoStep(step("PutIntegrationResponse "+r.StatusCode), err)
		}
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func parentPath(path string) string {
	if i := strings.LastIndex(path, "/"); i > 0 {
		return path[:i]
	}
	return "/"
}

// byDepth lists a set of paths shallowest first (deepest first when reverse).
func byDepth(set map[string]bool, reverse bool) []string {
	paths := sortedKeys(set)
	depth := func(p string) int { return strings.Count(strings.TrimSuffix(p, "/"), "/") }
	sort.SliceStable(paths, func(i, j int) bool {
		if reverse {
			return depth(paths[i]) > depth(paths[j])
		}
		return depth(paths[i]) < depth(paths[j])
	})
	return paths
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
