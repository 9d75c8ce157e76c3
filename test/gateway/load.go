package gateway

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// ErrUnsupported: the deployed API uses something the local gateway cannot serve faithfully.
var ErrUnsupported = errors.New("not supported by the local gateway")

// Definition is what API Gateway snapshots when a deployment is created
// and a stage then serves: the resources with their methods and
// integrations, the authorizers the methods use, the gateway responses.
// The functions are not part of it (Lambda is read when the gateway loads).
type Definition struct {
	Resources        []*Resource            // sorted by path
	Authorizers      map[string]*Authorizer // by id, the ones CUSTOM methods use
	GatewayResponses map[string]*GatewayResponse
}

// ReadDefinition reads a REST API's definition as moto holds it now,
// checked as the gateway serves it (ErrUnsupported, ErrRefusedByAWS, …).
func ReadDefinition(ctx context.Context, cfg aws.Config, restAPIID string) (*Definition, error) {
	return readDefinition(ctx, apigateway.NewFromConfig(cfg), restAPIID)
}

// Load reads a REST API stage and every function it references through the
// AWS SDK (pointed at moto), with the API's current definition.
func Load(ctx context.Context, cfg aws.Config, restAPIID, stage string) (*API, error) {
	return LoadStage(ctx, cfg, restAPIID, stage, nil)
}

// LoadStage is Load serving what the stage's deployment holds: the
// definition snaps recorded when that deployment was created (as API Gateway
// snapshots it), and moto's current definition only when snaps holds none
// (API.FromSnapshot says which). A snapshot that could not be read or served
// fails the load with its error.
func LoadStage(ctx context.Context, cfg aws.Config, restAPIID, stage string, snaps *Snapshots) (*API, error) {
	ag := apigateway.NewFromConfig(cfg)
	lc := lambda.NewFromConfig(cfg)

	ra, err := ag.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &restAPIID})
	if err != nil {
		return nil, fmt.Errorf("load rest api %s: %w", restAPIID, err)
	}
	st, err := ag.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &restAPIID, StageName: &stage})
	if err != nil {
		return nil, fmt.Errorf("load stage %s of %s: %w", stage, restAPIID, err)
	}
	api := &API{
		ID: restAPIID, Name: aws.ToString(ra.Name), Stage: stage, Region: cfg.Region,
		DeploymentID:   aws.ToString(st.DeploymentId),
		StageVariables: st.Variables, Functions: map[string]*Function{},
	}
	def, found, err := snaps.Lookup(restAPIID, api.DeploymentID)
	switch {
	case found && err != nil:
		return nil, fmt.Errorf("load deployment %s of %s (as recorded when it was created): %w", api.DeploymentID, restAPIID, err)
	case found:
		api.FromSnapshot = true
	default:
		if def, err = readDefinition(ctx, ag, restAPIID); err != nil {
			return nil, err
		}
	}
	api.Resources, api.Authorizers, api.GatewayResponses = def.Resources, def.Authorizers, def.GatewayResponses
	for _, a := range def.Authorizers {
		api.Functions[a.FunctionARN] = nil
	}
	for _, r := range def.Resources {
		for _, m := range r.Methods {
			if m.Integration != nil && m.Integration.FunctionARN != "" {
				api.Functions[m.Integration.FunctionARN] = nil
			}
		}
	}

	for arn := range api.Functions {
		fn, err := loadFunction(ctx, lc, arn)
		if err != nil {
			return nil, err
		}
		if err := checkPolicySize(fn); err != nil {
			return nil, err
		}
		api.Functions[arn] = fn
		if api.Account == "" {
			if parts := strings.Split(fn.ARN, ":"); len(parts) > 4 {
				api.Account = parts[4]
			}
		}
	}
	if api.Account == "" {
		api.Account = "123456789012"
	}
	return api, nil
}

// readDefinition reads and checks the API's current resources, methods,
// integrations, authorizers and gateway responses.
func readDefinition(ctx context.Context, ag *apigateway.Client, restAPIID string) (*Definition, error) {
	def := &Definition{Authorizers: map[string]*Authorizer{}}
	var resources []*Resource
	pager := apigateway.NewGetResourcesPaginator(ag, &apigateway.GetResourcesInput{RestApiId: &restAPIID, Embed: []string{"methods"}})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("load resources of %s: %w", restAPIID, err)
		}
		for _, r := range page.Items {
			res := &Resource{ID: aws.ToString(r.Id), Path: aws.ToString(r.Path), Methods: map[string]*Method{}}
			for verb := range r.ResourceMethods {
				// GetMethod for the full method (embed varies between servers).
				m, err := ag.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: &restAPIID, ResourceId: r.Id, HttpMethod: aws.String(verb)})
				if err != nil {
					return nil, fmt.Errorf("load method %s %s: %w", verb, res.Path, err)
				}
				method := &Method{
					HTTPMethod:        verb,
					AuthorizationType: aws.ToString(m.AuthorizationType),
					AuthorizerID:      aws.ToString(m.AuthorizerId),
					APIKeyRequired:    aws.ToBool(m.ApiKeyRequired),
				}
				if in := m.MethodIntegration; in != nil {
					method.Integration = &Integration{Type: string(in.Type), URI: aws.ToString(in.Uri), HTTPMethod: aws.ToString(in.HttpMethod),
						RequestParameters: in.RequestParameters, Timeout: time.Duration(in.TimeoutInMillis) * time.Millisecond}
					if in.Type == "MOCK" {
						if method.Integration.Mock, err = newMock(in.RequestTemplates, in.IntegrationResponses); err != nil {
							return nil, fmt.Errorf("load method %s %s: %w", verb, res.Path, err)
						}
					}
				} else if in, err := ag.GetIntegration(ctx, &apigateway.GetIntegrationInput{RestApiId: &restAPIID, ResourceId: r.Id, HttpMethod: aws.String(verb)}); err == nil {
					method.Integration = &Integration{Type: string(in.Type), URI: aws.ToString(in.Uri), HTTPMethod: aws.ToString(in.HttpMethod),
						RequestParameters: in.RequestParameters, Timeout: time.Duration(in.TimeoutInMillis) * time.Millisecond}
					if in.Type == "MOCK" {
						if method.Integration.Mock, err = newMock(in.RequestTemplates, in.IntegrationResponses); err != nil {
							return nil, fmt.Errorf("load method %s %s: %w", verb, res.Path, err)
						}
					}
				}
				if err := checkMethod(res.Path, method); err != nil {
					return nil, err
				}
				if method.Integration != nil && method.Integration.Type == "AWS_PROXY" {
					arn, err := functionFromURI(method.Integration.URI)
					if err != nil {
						return nil, fmt.Errorf("load integration of %s %s: %w", verb, res.Path, err)
					}
					method.Integration.FunctionARN = arn
				}
				if method.AuthorizationType == "CUSTOM" {
					if _, err := loadAuthorizer(ctx, ag, restAPIID, def.Authorizers, method.AuthorizerID); err != nil {
						return nil, err
					}
				}
				res.Methods[verb] = method
			}
			resources = append(resources, res)
		}
	}
	sort.Slice(resources, func(i, j int) bool { return resources[i].Path < resources[j].Path })
	if err := checkTree(resources); err != nil {
		return nil, err
	}
	def.Resources = resources
	var err error
	if def.GatewayResponses, err = loadGatewayResponses(ctx, ag, restAPIID); err != nil {
		return nil, err
	}
	return def, nil
}

func checkMethod(path string, m *Method) error {
	switch m.AuthorizationType {
	case "NONE", "CUSTOM":
	default:
		return fmt.Errorf("load method %s %s: authorization %s: %w", m.HTTPMethod, path, m.AuthorizationType, ErrUnsupported)
	}
	if m.APIKeyRequired {
		return fmt.Errorf("load method %s %s: API key required: %w", m.HTTPMethod, path, ErrUnsupported)
	}
	if m.Integration == nil {
		return nil // API Gateway answers 500 for a method without integration
	}
	switch m.Integration.Type {
	case "AWS_PROXY", "MOCK":
	case "HTTP_PROXY":
		if err := checkHTTPIntegration(m.Integration); err != nil {
			return fmt.Errorf("load method %s %s: %w", m.HTTPMethod, path, err)
		}
	default:
		return fmt.Errorf("load method %s %s: integration type %s: %w", m.HTTPMethod, path, m.Integration.Type, ErrUnsupported)
	}
	return nil
}

func loadAuthorizer(ctx context.Context, ag *apigateway.Client, restAPIID string, authorizers map[string]*Authorizer, id string) (*Authorizer, error) {
	if a, ok := authorizers[id]; ok {
		return a, nil
	}
	if id == "" {
		return nil, fmt.Errorf("load authorizer: CUSTOM method without authorizer id: %w", ErrUnsupported)
	}
	out, err := ag.GetAuthorizer(ctx, &apigateway.GetAuthorizerInput{RestApiId: &restAPIID, AuthorizerId: &id})
	if err != nil {
		return nil, fmt.Errorf("load authorizer %s: %w", id, err)
	}
	a := &Authorizer{
		ID: id, Name: aws.ToString(out.Name), Type: string(out.Type),
		IdentitySource: aws.ToString(out.IdentitySource), ValidationExpression: aws.ToString(out.IdentityValidationExpression),
		URI: aws.ToString(out.AuthorizerUri),
		TTL: 300 * time.Second, // API Gateway's default when unset
	}
	if out.AuthorizerResultTtlInSeconds != nil {
		a.TTL = time.Duration(*out.AuthorizerResultTtlInSeconds) * time.Second
	}
	if err := completeAuthorizer(a); err != nil {
		return nil, err
	}
	authorizers[id] = a
	return a, nil
}

// completeAuthorizer validates an authorizer and derives its header, regexp and function.
func completeAuthorizer(a *Authorizer) error {
	if a.Type != "TOKEN" {
		return fmt.Errorf("load authorizer %s: type %s: %w", a.Name, a.Type, ErrUnsupported)
	}
	const hdr = "method.request.header."
	if !strings.HasPrefix(a.IdentitySource, hdr) {
		return fmt.Errorf("load authorizer %s: identity source %q (want %s<Name>): %w", a.Name, a.IdentitySource, hdr, ErrUnsupported)
	}
	a.Header = strings.TrimPrefix(a.IdentitySource, hdr)
	if a.ValidationExpression != "" {
		re, err := regexp.Compile(`^(?:` + a.ValidationExpression + `)$`)
		if err != nil {
			return fmt.Errorf("load authorizer %s: identity validation expression: %w", a.Name, err)
		}
		a.Validation = re
	}
	arn, err := functionFromURI(a.URI)
	if err != nil {
		return fmt.Errorf("load authorizer %s: %w", a.Name, err)
	}
	a.FunctionARN = arn
	return nil
}

// functionFromURI extracts the function ARN from a Lambda invocation URI:
// arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations
func functionFromURI(uri string) (string, error) {
	const mid, tail = ":lambda:path/2015-03-31/functions/", "/invocations"
	i := strings.Index(uri, mid)
	if i < 0 || !strings.HasSuffix(uri, tail) {
		return "", fmt.Errorf("lambda uri %q: %w", uri, ErrUnsupported)
	}
	arn := uri[i+len(mid) : len(uri)-len(tail)]
	if !strings.HasPrefix(arn, "arn:") || strings.Contains(arn, "${") {
		return "", fmt.Errorf("lambda uri %q: function %q: %w", uri, arn, ErrUnsupported)
	}
	return arn, nil
}

func loadFunction(ctx context.Context, lc *lambda.Client, arn string) (*Function, error) {
	out, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &arn})
	if err != nil {
		return nil, fmt.Errorf("load function %s: %w", arn, err)
	}
	c := out.Configuration
	fn := &Function{
		ARN: aws.ToString(c.FunctionArn), Name: aws.ToString(c.FunctionName), Runtime: string(c.Runtime),
		PackageType: string(c.PackageType), CodeSha256: aws.ToString(c.CodeSha256), Handler: aws.ToString(c.Handler),
		Timeout: time.Duration(aws.ToInt32(c.Timeout)) * time.Second, MemoryMB: int(aws.ToInt32(c.MemorySize)),
		Architecture: "x86_64", Env: map[string]string{},
	}
	if len(c.Architectures) > 0 {
		fn.Architecture = string(c.Architectures[0])
	}
	if c.Environment != nil {
		for k, v := range c.Environment.Variables {
			fn.Env[k] = v
		}
	}
	pol, err := lc.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: &arn})
	var nf *lambdatypes.ResourceNotFoundException
	switch {
	case err == nil:
		fn.Policy = aws.ToString(pol.Policy)
	case errors.As(err, &nf):
	default:
		return nil, fmt.Errorf("load resource policy of %s: %w", arn, err)
	}
	return fn, nil
}
