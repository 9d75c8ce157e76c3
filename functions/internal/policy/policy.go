package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// Sentinel errors, wrapped as "verb noun: %w".
var (
	ErrMethodARN = errors.New("malformed methodArn")
	ErrUserID    = errors.New("unsafe user id")
	ErrPathValue = errors.New("unsafe bound path value") // a path_claims value ValidUserID refuses
	ErrRoute     = errors.New("invalid route")
	ErrNoRoute   = errors.New("no route earned") // answered with the explicit Deny (403)
)

// template is one compiled route: its Allow resource is pieces[0], then
// for each bound parameter the token's value and the next piece; its Deny
// resource is deny.
type template struct {
	pieces  []string // len(params)+1 literal runs, other parameters as "*"
	params  []string // bound parameter names in order, "userId" included
	deny    string   // every parameter, bound ones included, as "*"
	scopes  []string
	issuers []string
	groups  []string
	// The earlier templates whose Allow (same pieces and parameters) or
	// Deny resource is the same string: a resource is listed once, and
	// comparing indices per verdict costs less than comparing strings.
	sameAllow, sameDeny []int
}

// Builder makes the authorizer response for a fixed list of routes.
type Builder struct {
	templates []template
	// denies holds each template's Deny resource for the last prefix seen:
	// a function serves one API and stage, so they are built once.
	denies atomic.Pointer[prefixed]
}

// prefixed is the Deny resource of each template under one ARN prefix.
type prefixed struct {
	prefix string
	deny   []string
}

// denyResources returns the Deny resource of each template under prefix.
func (b *Builder) denyResources(prefix string) []string {
	if p := b.denies.Load(); p != nil && p.prefix == prefix {
		return p.deny
	}
	p := &prefixed{prefix: prefix, deny: make([]string, len(b.templates))}
	for i, t := range b.templates {
		p.deny[i] = prefix + t.deny
	}
	b.denies.Store(p)
	return p.deny
}

// NewBuilder compiles routes as config validated them: {userId} is replaced
// by the user id and each parameter of bound (the issuers' path_claims,
// config.BoundParams) by the token's value, other parameters become "*", a
// final "*" stays. It checks the routes with config.ValidateRoute and
// config.RouteConflicts again, so a harness that builds routes by hand meets
// the same rules of shape and scope; the rules that need the configured
// issuers are config's alone.
func NewBuilder(routes []config.Route, bound ...string) (*Builder, error) {
	if len(routes) == 0 {
		return nil, fmt.Errorf("create builder: no routes: %w", ErrRoute)
	}
	b := &Builder{}
	for _, r := range routes {
		if err := config.ValidateRoute(r.Route, bound...); err != nil {
			return nil, fmt.Errorf("create builder: %w: %w", ErrRoute, err)
		}
		segs := strings.Split(r.Route, "/")
		deny := slices.Clone(segs)
		t := template{scopes: slices.Clone(r.Scopes), issuers: slices.Clone(r.Issuers), groups: slices.Clone(r.Groups)}
		piece := []string{}
		for i, s := range segs {
			if !strings.HasPrefix(s, "{") {
				piece = append(piece, s)
				continue
			}
			deny[i] = "*"
			name := s[1 : len(s)-1]
			if s != config.UserIDPlaceholder && !slices.Contains(bound, name) {
				piece = append(piece, "*")
				continue
			}
			t.pieces = append(t.pieces, strings.Join(append(piece, ""), "/"))
			t.params = append(t.params, name)
			piece = []string{""}
		}
		t.pieces = append(t.pieces, strings.Join(piece, "/"))
		t.deny = strings.Join(deny, "/")
		for j, e := range b.templates {
			if slices.Equal(e.pieces, t.pieces) && slices.Equal(e.params, t.params) {
				t.sameAllow = append(t.sameAllow, j)
			}
			if e.deny == t.deny {
				t.sameDeny = append(t.sameDeny, j)
			}
		}
		b.templates = append(b.templates, t)
	}
	if c := config.RouteConflicts(routes, nil, bound...); len(c) > 0 {
		return nil, fmt.Errorf("create builder: %w: %s", ErrRoute, strings.Join(c, "; "))
	}
	return b, nil
}

// Response answers token c for the API and stage of arn. It allows
// exactly the routes c earns (all their scopes carried, their issuers
// including c.IssuerName) and denies every other route, each parameter a
// "*": API Gateway matches "*" across "/", so an earned route's "*" may
// match paths of a route the token does not earn, and an explicit Deny wins
// over any Allow. config.RouteConflicts guarantees that no Deny covers a
// path of an earned route.
//
// A user id or bound value unsafe to write into a resource (ValidUserID)
// gets no answer and its error. A token that earns no route gets one Deny
// on the whole API and stage, which the gateway caches and answers with
// 403, and ErrNoRoute.
//
// The context carries userId, scope, clientId, issuer and issuerName, and
// the issuer's forwarded claims (c.Context) under their own keys, which
// config keeps apart from these.
func (b *Builder) Response(arn MethodARN, c token.Claims) (events.APIGatewayCustomAuthorizerResponse, error) {
	if err := ValidUserID(c.UserID); err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	for _, v := range c.Bound {
		if err := ValidUserID(v); err != nil {
			return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("check bound value: %w: %w", ErrPathValue, err)
		}
	}
	denies := b.denyResources(arn.Prefix)
	// One array holds both lists: Allows from the front, Denies from the
	// back (then put back in route order).
	n := len(b.templates)
	res := make([]string, n)
	na, nd := 0, 0
	var earnedBuf [64]bool
	earned := earnedBuf[:0]
	for i, t := range b.templates {
		e := t.earnedBy(c)
		earned = append(earned, e)
		switch {
		case !e && !slices.ContainsFunc(t.sameDeny, func(j int) bool { return !earned[j] }):
			nd++
			res[n-nd] = denies[i]
		case e && !slices.ContainsFunc(t.sameAllow, func(j int) bool { return earned[j] }):
			res[na] = t.allow(arn.Prefix, c)
			na++
		}
	}
	allow, deny := res[:na:na], res[n-nd:]
	slices.Reverse(deny)
	var err error
	statements := append(make([]events.IAMPolicyStatement, 0, 2), events.IAMPolicyStatement{Action: invoke, Effect: "Allow", Resource: allow})
	switch {
	case len(allow) == 0:
		statements = []events.IAMPolicyStatement{{Action: invoke, Effect: "Deny", Resource: []string{arn.Prefix + "*"}}}
		err = fmt.Errorf("build policy: %w", ErrNoRoute)
	case len(deny) > 0:
		statements = append(statements, events.IAMPolicyStatement{Action: invoke, Effect: "Deny", Resource: deny})
	}
	ctx := make(map[string]any, 5+len(c.Context))
	for k, v := range c.Context {
		ctx[k] = v
	}
	// Written last: the built-in keys win, whatever a harness passed.
	ctx["userId"], ctx["scope"], ctx["clientId"], ctx["issuer"], ctx["issuerName"] = c.UserID, c.Scope, c.ClientID, c.Issuer, c.IssuerName
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: c.UserID,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version:   "2012-10-17",
			Statement: statements,
		},
		Context: ctx,
	}, err
}

// invoke is the one action of every statement.
var invoke = []string{"execute-api:Invoke"}

// earnedBy: the token comes from one of t's issuers, carries all its
// scopes, holds one of its groups and a value for each bound parameter.
func (t template) earnedBy(c token.Claims) bool {
	if len(t.issuers) > 0 && !slices.Contains(t.issuers, c.IssuerName) {
		return false
	}
	for _, s := range t.scopes {
		if !slices.Contains(c.Scopes, s) {
			return false
		}
	}
	if len(t.groups) > 0 && !slices.ContainsFunc(t.groups, func(g string) bool { return slices.Contains(c.Groups, g) }) {
		return false
	}
	for _, p := range t.params {
		if _, ok := c.Bound[p]; !ok && p != "userId" {
			return false
		}
	}
	return true
}

// allow is t's Allow resource under prefix for c, built in one allocation.
func (t template) allow(prefix string, c token.Claims) string {
	n := len(prefix) + len(t.pieces[0])
	for i, p := range t.params {
		n += len(value(c, p)) + len(t.pieces[i+1])
	}
	var r strings.Builder
	r.Grow(n)
	r.WriteString(prefix)
	r.WriteString(t.pieces[0])
	for i, p := range t.params {
		r.WriteString(value(c, p))
		r.WriteString(t.pieces[i+1])
	}
	return r.String()
}

// value is what the policy writes for bound parameter p.
func value(c token.Claims, p string) string {
	if p == "userId" {
		return c.UserID
	}
	return c.Bound[p]
}

// MethodARN is the part of an execute-api method ARN the policy is built
// on: arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/.
// What follows the stage (verb and path) is never read: the policy must not
// depend on the requested path, because API Gateway caches it per token and
// applies it to later requests for other paths.
type MethodARN struct {
	Partition, Region, Account, APIID, Stage string
	// Prefix is "arn:...:<apiId>/<stage>/", shared by every resource of the
	// policy.
	Prefix string
}

// maxPrefixBytes bounds the prefix; real ones are well under 100 bytes.
const maxPrefixBytes = 256

// ParseMethodARN parses the prefix of a methodArn strictly. Every field must
// be non-empty and made of the characters AWS uses for it, so nothing taken
// from the ARN can widen the policy ("*" and "?" are wildcards in a
// resource). A path holding a space or non-ASCII still parses: its policy
// is the caller's, and the gateway answers 403 on a path the policy does not
// allow.
func ParseMethodARN(s string) (MethodARN, error) {
	var m MethodARN
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return m, fmt.Errorf("parse methodArn: no arn prefix: %w", ErrMethodARN)
	}
	var fields [5]string
	for i := range fields {
		sep := byte(':')
		if i == len(fields)-1 {
			sep = '/'
		}
		n := strings.IndexByte(rest, sep)
		if n < 0 {
			return m, fmt.Errorf("parse methodArn: too few fields: %w", ErrMethodARN)
		}
		fields[i], rest = rest[:n], rest[n+1:]
	}
	stage, _, ok := strings.Cut(rest, "/")
	if !ok {
		return m, fmt.Errorf("parse methodArn: no \"/\" after the stage: %w", ErrMethodARN)
	}
	m = MethodARN{Partition: fields[0], Region: fields[2], Account: fields[3], APIID: fields[4], Stage: stage}
	switch {
	case fields[1] != "execute-api":
		return MethodARN{}, fmt.Errorf("parse methodArn: service %q: %w", fields[1], ErrMethodARN)
	case !charset(m.Partition, lowerDash) || !charset(m.Region, lowerDash):
		return MethodARN{}, fmt.Errorf("parse methodArn: bad partition or region: %w", ErrMethodARN)
	case len(m.Account) != 12 || !charset(m.Account, digits):
		return MethodARN{}, fmt.Errorf("parse methodArn: bad account: %w", ErrMethodARN)
	case !charset(m.APIID, alnum) || !charset(m.Stage, stageChars):
		return MethodARN{}, fmt.Errorf("parse methodArn: bad API id or stage: %w", ErrMethodARN)
	}
	m.Prefix = s[:len(s)-len(rest)+len(stage)+1]
	if len(m.Prefix) > maxPrefixBytes {
		return MethodARN{}, fmt.Errorf("parse methodArn: prefix longer than %d bytes: %w", maxPrefixBytes, ErrMethodARN)
	}
	return m, nil
}

// class is a set of byte categories.
type class uint8

const (
	lowerDash  class = 1 << iota // [a-z0-9-]: partition, region
	digits                       // [0-9]: account
	alnum                        // [A-Za-z0-9]: API id
	stageChars                   // [A-Za-z0-9_-]: stage
)

func charset(s string, c class) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if classOf(s[i])&c == 0 {
			return false
		}
	}
	return true
}

func classOf(b byte) class {
	switch {
	case 'a' <= b && b <= 'z':
		return lowerDash | alnum | stageChars
	case 'A' <= b && b <= 'Z':
		return alnum | stageChars
	case '0' <= b && b <= '9':
		return lowerDash | digits | alnum | stageChars
	case b == '-':
		return lowerDash | stageChars
	case b == '_':
		return stageChars
	}
	return 0
}

// MaxUserIDBytes bounds the user id; Cognito subs are 36 bytes, Okta uids 20.
const MaxUserIDBytes = 128

// ValidUserID reports whether id is safe to write into an execute-api
// resource: non-empty, at most MaxUserIDBytes, made only of
// [A-Za-z0-9._~@+=:,-], and not "." or "..". The set is small and ASCII on
// purpose: "*" and "?" are ARN wildcards, "/" would change the path,
// whitespace and control characters corrupt logs and headers, and non-ASCII
// admits look-alikes (U+2215 "∕" for "/"). Such ids are rejected, never
// escaped: an escaped id would be another id than the one the backend sees.
func ValidUserID(id string) error {
	if id == "" || len(id) > MaxUserIDBytes {
		return fmt.Errorf("check user id: empty or longer than %d bytes: %w", MaxUserIDBytes, ErrUserID)
	}
	for i := 0; i < len(id); i++ {
		if !userIDByte(id[i]) {
			return fmt.Errorf("check user id: forbidden byte at %d: %w", i, ErrUserID)
		}
	}
	// A dot segment would make "users/{userId}/items" read as a path that
	// normalises elsewhere ("users/../items").
	if id == "." || id == ".." {
		return fmt.Errorf("check user id: dot segment: %w", ErrUserID)
	}
	return nil
}

func userIDByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '.', '_', '~', '@', '+', '=', ':', ',', '-':
		return true
	}
	return false
}
