package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// Sentinel errors, wrapped as "verb noun: %w".
var (
	ErrMethodARN = errors.New("malformed methodArn")
	ErrUserID    = errors.New("unsafe user id")
	ErrRoute     = errors.New("invalid route")
	ErrNoRoute   = errors.New("no route earned") // answered with the explicit Deny (403)
)

// template is one compiled route: its Allow resource is before + user id +
// after, or before alone for an open route; its Deny resource is deny.
type template struct {
	before, after string
	user          bool
	deny          string // every parameter, {userId} included, as "*"
	scopes        []string
	issuers       []string
}

// Builder makes the authorizer response for a fixed list of routes.
type Builder struct {
	templates []template
}

// NewBuilder compiles routes as config validated them: {userId} is replaced
// by the user id, other parameters become "*", a final "*" stays. It checks
// the routes with config.ValidateRoute and config.RouteConflicts again, so
// a harness that builds routes by hand meets the same rules of shape and
// scope; the rules that need the configured issuers are config's alone.
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
		deny := slices.Clone(segs)
		for i, s := range segs {
			if strings.HasPrefix(s, "{") {
				deny[i] = "*"
				if s != config.UserIDPlaceholder {
					segs[i] = "*"
				}
			}
		}
		t := template{deny: strings.Join(deny, "/"), scopes: slices.Clone(r.Scopes), issuers: slices.Clone(r.Issuers)}
		t.before, t.after, t.user = strings.Cut(strings.Join(segs, "/"), config.UserIDPlaceholder)
		b.templates = append(b.templates, t)
	}
	if c := config.RouteConflicts(routes, nil); len(c) > 0 {
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
// A user id unsafe to write into a resource (ValidUserID) gets no answer
// and its error. A token that earns no route gets one Deny on the whole API
// and stage, which the gateway caches and answers with 403, and ErrNoRoute.
func (b *Builder) Response(arn MethodARN, c token.Claims) (events.APIGatewayCustomAuthorizerResponse, error) {
	if err := ValidUserID(c.UserID); err != nil {
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	var allow, deny []string
	for _, t := range b.templates {
		if !t.earnedBy(c) {
			deny = appendNew(deny, arn.Prefix+t.deny)
			continue
		}
		r := arn.Prefix + t.before
		if t.user {
			r += c.UserID + t.after
		}
		allow = appendNew(allow, r)
	}
	var err error
	statements := []events.IAMPolicyStatement{{Action: invoke, Effect: "Allow", Resource: allow}}
	switch {
	case len(allow) == 0:
		statements = []events.IAMPolicyStatement{{Action: invoke, Effect: "Deny", Resource: []string{arn.Prefix + "*"}}}
		err = fmt.Errorf("build policy: %w", ErrNoRoute)
	case len(deny) > 0:
		statements = append(statements, events.IAMPolicyStatement{Action: invoke, Effect: "Deny", Resource: deny})
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: c.UserID,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version:   "2012-10-17",
			Statement: statements,
		},
		Context: map[string]any{
			"userId":     c.UserID,
			"scope":      c.Scope,
			"clientId":   c.ClientID,
			"issuer":     c.Issuer,
			"issuerName": c.IssuerName,
		},
	}, err
}

// invoke is the one action of every statement.
var invoke = []string{"execute-api:Invoke"}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func (t template) earnedBy(c token.Claims) bool {
	if len(t.issuers) > 0 && !slices.Contains(t.issuers, c.IssuerName) {
		return false
	}
	for _, s := range t.scopes {
		if !slices.Contains(c.Scopes, s) {
			return false
		}
	}
	return true
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
