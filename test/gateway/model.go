package gateway

import (
	"regexp"
	"time"
)

// API is a REST API stage as deployed, the gateway's whole configuration.
type API struct {
	ID             string
	Name           string
	Stage          string
	Region         string
	Account        string
	StageVariables map[string]string
	Resources      []*Resource
	Authorizers    map[string]*Authorizer // by id
	Functions      map[string]*Function   // by function ARN (unqualified or qualified as referenced)
	// GatewayResponses are the customised gateway responses, by type
	// (responses.go); a type not listed answers as API Gateway's default.
	GatewayResponses map[string]*GatewayResponse
	// DeploymentID is the stage's deployment; FromSnapshot says whether the
	// definition served is the one recorded when it was created (LoadStage)
	// or moto's current one.
	DeploymentID string
	FromSnapshot bool
}

// Resource is one API resource and its methods.
type Resource struct {
	ID      string
	Path    string             // e.g. /hello/{userId}
	Methods map[string]*Method // by HTTP method (GET, ANY, …)
}

// Method is one resource method.
type Method struct {
	HTTPMethod        string
	AuthorizationType string // NONE or CUSTOM
	AuthorizerID      string
	APIKeyRequired    bool
	Integration       *Integration
}

// Integration is a method's backend: AWS_PROXY to a Lambda function, or
// HTTP_PROXY to an http(s) URL (see httpproxy.go).
type Integration struct {
	Type        string // AWS_PROXY or HTTP_PROXY
	URI         string
	FunctionARN string // AWS_PROXY only
	// HTTPMethod is the verb sent to an HTTP_PROXY backend; ANY passes the
	// request's own.
	HTTPMethod string
	// RequestParameters maps integration.request.{path,querystring,header}.NAME
	// to its source (method.request.{path,querystring,header}.NAME or a
	// 'static' value): HTTP_PROXY only.
	RequestParameters map[string]string
	Timeout           time.Duration
	Mock              *Mock // MOCK only (mock.go)
}

// Authorizer is a Lambda TOKEN authorizer.
type Authorizer struct {
	ID                   string
	Name                 string
	Type                 string // TOKEN
	IdentitySource       string // method.request.header.<Name>
	Header               string // <Name>
	ValidationExpression string
	Validation           *regexp.Regexp // full match; nil when no expression
	TTL                  time.Duration  // 0 disables the cache
	URI                  string
	FunctionARN          string
}

// Function is a Lambda function's deployed configuration.
type Function struct {
	ARN          string
	Name         string
	Runtime      string
	Architecture string
	PackageType  string
	CodeSha256   string
	Handler      string
	Env          map[string]string
	Timeout      time.Duration
	MemoryMB     int
	// Policy is the resource policy document (JSON), empty when none: then
	// API Gateway may not invoke the function (500), unless Unchecked.
	Policy string
	// Unchecked skips the resource policy check.
	Unchecked bool
}

// SourceARNAuthorizer is the source ARN API Gateway presents when invoking an authorizer.
func (a *API) SourceARNAuthorizer(id string) string {
	return a.executeAPIPrefix() + "/authorizers/" + id
}

// MethodARN is the method ARN of a request: arn:aws:execute-api:region:account:api/stage/VERB/path.
func (a *API) MethodARN(verb, path string) string {
	return a.executeAPIPrefix() + "/" + a.Stage + "/" + verb + path
}

func (a *API) executeAPIPrefix() string {
	return "arn:aws:execute-api:" + a.Region + ":" + a.Account + ":" + a.ID
}
