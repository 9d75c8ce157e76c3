package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
)

// Sentinel errors, wrapped as "verb noun: %w".
var (
	ErrMethodARN = errors.New("malformed methodArn")
	ErrUserID    = errors.New("unsafe user id")
	ErrRoute     = errors.New("invalid route")
)

// Identity is what the verified token says about the caller.
type Identity struct {
	UserID     string   // passed ValidUserID
	Scopes     []string // the token's scopes, parsed
	Scope      string   // the token's scope claim as sent, for the context
	ClientID   string
	Issuer     string // the "iss" URL
	IssuerName string // config.Issuer.Name of the entry that verified the token
}

// template is one compiled route: its resource is before + user id + after,
// or before alone for an open route.
type template struct {
	before, after string
	user          bool
	scopes        []string
	issuers       []string
}

// Builder makes the authorizer response for a fixed list of routes.
type Builder struct {
	templates []template
}

// NewBuilder compiles routes as config validated them: {userId} is replaced
// by the user id, other parameters become "*", a final "*" stays. It checks
// each route with config.ValidateRoute again, so a harness that builds routes
// by hand meets the same rule.
func NewBuilder(routes []config.Route) (*Builder, error) {
	if len(routes) == 0 {
		return nil, fmt.Errorf("create builder: no routes: %w", ErrRoute)
	}
	b := &Builder{}
	for _, r := range routes {
		if err := config.ValidateRoute(r.Route); err != nil {
			return nil, fmt.Errorf("create builder: %w: %w", ErrRoute, err)
		}
		segs := strings.Split(r.Route, "/")
		for i, s := range segs {
			if s != config.UserIDPlaceholder && strings.HasPrefix(s, "{") {
				segs[i] = "*"
			}
		}
		t := template{scopes: slices.Clone(r.Scopes), issuers: slices.Clone(r.Issuers)}
		t.before, t.after, t.user = strings.Cut(strings.Join(segs, "/"), config.UserIDPlaceholder)
		b.templates = append(b.templates, t)
	}
	return b, nil
}

// Response answers for the API and stage of arn: Allow on exactly the routes
// id earns (all their scopes carried, their issuers including
// id.IssuerName), or, when it earns none, an explicit Deny on the whole
// API and stage, which the gateway caches and answers with 403.
func (b *Builder) Response(arn MethodARN, id Identity) events.APIGatewayCustomAuthorizerResponse {
	var resources []string
	for _, t := range b.templates {
		if !t.earnedBy(id) {
			continue
		}
		r := arn.Prefix + t.before
		if t.user {
			r += id.UserID + t.after
		}
		if !slices.Contains(resources, r) {
			resources = append(resources, r)
		}
	}
	effect := "Allow"
	if len(resources) == 0 {
		effect, resources = "Deny", []string{arn.Prefix + "*"}
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: id.UserID,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: resources,
			}},
		},
		Context: map[string]any{
			"userId":     id.UserID,
			"scope":      id.Scope,
			"clientId":   id.ClientID,
			"issuer":     id.Issuer,
			"issuerName": id.IssuerName,
		},
	}
}

func (t template) earnedBy(id Identity) bool {
	if len(t.issuers) > 0 && !slices.Contains(t.issuers, id.IssuerName) {
		return false
	}
	for _, s := range t.scopes {
		if !slices.Contains(id.Scopes, s) {
			return false
		}
	}
	// The caller validates the user id; a route that embeds it is never
	// earned without a valid one, whatever the caller did.
	return !t.user || ValidUserID(id.UserID) == nil
}
