package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Sentinel errors, wrapped as "verb noun: %w".
var (
	ErrMethodARN = errors.New("malformed methodArn")
	ErrUserID    = errors.New("unsafe user id")
	ErrRoute     = errors.New("invalid route template")
)

// MaxUserIDBytes bounds the user id; Cognito subs are 36 bytes, Okta uids 20.
const MaxUserIDBytes = 128

// Placeholder is replaced by the user id in route templates.
const Placeholder = "{userId}"

// MethodARN is a parsed execute-api method ARN:
// arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<VERB>/<path>.
type MethodARN struct {
	Partition, Region, Account, APIID, Stage, Verb, Path string
	// Prefix is "arn:...:<apiId>/<stage>/", the part shared by every
	// resource of the policy; it is a substring of the input, not a copy.
	Prefix string
}

// ParseMethodARN parses and validates a methodArn. Every field must be
// non-empty and made of the characters AWS uses for it, so nothing taken from
// the ARN can widen the policy (no "*" or "?" wildcards).
func ParseMethodARN(s string) (MethodARN, error) {
	var m MethodARN
	if len(s) > 2048 {
		return m, fmt.Errorf("parse methodArn: too long: %w", ErrMethodARN)
	}
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return m, fmt.Errorf("parse methodArn: no arn prefix: %w", ErrMethodARN)
	}
	var fields [4]string
	for i := range fields {
		var f string
		if f, rest, ok = strings.Cut(rest, ":"); !ok {
			return m, fmt.Errorf("parse methodArn: too few fields: %w", ErrMethodARN)
		}
		fields[i] = f
	}
	m.Partition, m.Region, m.Account = fields[0], fields[2], fields[3]
	if fields[1] != "execute-api" || !charset(m.Partition, lowerDash) || !charset(m.Region, lowerDash) ||
		len(m.Account) != 12 || !charset(m.Account, digits) {
		return m, fmt.Errorf("parse methodArn: bad partition, service, region or account: %w", ErrMethodARN)
	}
	api, rest, ok1 := strings.Cut(rest, "/")
	stage, rest, ok2 := strings.Cut(rest, "/")
	verb, path, ok3 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || !ok3 {
		return m, fmt.Errorf("parse methodArn: want apiId/stage/verb/path: %w", ErrMethodARN)
	}
	if !charset(api, alnum) || !charset(stage, stageChars) || !charset(verb, upper) {
		return m, fmt.Errorf("parse methodArn: bad api id, stage or verb: %w", ErrMethodARN)
	}
	for i := 0; i < len(path); i++ {
		if !pathByte[path[i]] {
			return m, fmt.Errorf("parse methodArn: bad path: %w", ErrMethodARN)
		}
	}
	m.APIID, m.Stage, m.Verb, m.Path = api, stage, verb, path
	m.Prefix = s[:len(s)-len(path)-len(verb)-1]
	return m, nil
}

// class is a bit set over byte categories, tested by table lookup because
// ParseMethodARN runs on every request.
type class uint8

const (
	lowerDash  class = 1 << iota // [a-z0-9-]: partition, region
	digits                       // [0-9]: account
	alnum                        // [A-Za-z0-9]: API id
	stageChars                   // [A-Za-z0-9_-]: stage
	upper                        // [A-Z]: verb
)

var classes = func() (t [256]class) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= lowerDash | alnum | stageChars
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] |= alnum | stageChars | upper
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= lowerDash | digits | alnum | stageChars
	}
	t['-'] |= lowerDash | stageChars
	t['_'] |= stageChars
	return t
}()

func charset(s string, c class) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if classes[s[i]]&c == 0 {
			return false
		}
	}
	return true
}

// pathByte marks the bytes a requested path may hold: visible ASCII except
// the ARN wildcards "*" and "?".
var pathByte = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = c != '*' && c != '?'
	}
	return t
}()

// userIDByte marks the bytes a user id may contain: [A-Za-z0-9._~@+=:,-].
// The set is deliberately small and ASCII-only: "*" and "?" are ARN
// wildcards, "/" would change the path, whitespace and control characters
// corrupt logs and headers, and non-ASCII admits look-alikes (e.g. U+2215
// "∕" for "/"). Such ids are rejected, never escaped: an escaped id would be
// a different id than the one the backend sees.
var userIDByte = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "._~@+=:,-" {
		t[c] = true
	}
	return t
}()

// ValidUserID reports whether id is non-empty, at most MaxUserIDBytes,
// made only of [A-Za-z0-9._~@+=:,-], and not "." or "..".
func ValidUserID(id string) error {
	if id == "" || len(id) > MaxUserIDBytes {
		return fmt.Errorf("check user id: empty or longer than %d bytes: %w", MaxUserIDBytes, ErrUserID)
	}
	for i := 0; i < len(id); i++ {
		if !userIDByte[id[i]] {
			return fmt.Errorf("check user id: forbidden byte at %d: %w", i, ErrUserID)
		}
	}
	// A dot segment would make "users/{userId}/items" read as a path
	// that normalises elsewhere ("users/../items").
	if id == "." || id == ".." {
		return fmt.Errorf("check user id: dot segment: %w", ErrUserID)
	}
	return nil
}

// route is a template split around its single placeholder.
type route struct{ before, after string }

// Builder makes Allow responses for a fixed list of route templates.
type Builder struct {
	routes []route
	size   int
	plain  bool // no template byte needs JSON escaping (AppendAllowJSON)
}

// NewBuilder validates route templates ("VERB/path" with exactly one
// {userId}); config validates them too, this guards other callers.
func NewBuilder(templates []string) (*Builder, error) {
	if len(templates) == 0 {
		return nil, fmt.Errorf("create builder: no routes: %w", ErrRoute)
	}
	b := &Builder{plain: true}
	for _, t := range templates {
		verb, _, ok := strings.Cut(t, "/")
		if !ok || verb == "" || strings.Count(t, Placeholder) != 1 || strings.ContainsAny(strings.Replace(t, Placeholder, "", 1), "?{} \t") {
			return nil, fmt.Errorf("create builder: %q: %w", t, ErrRoute)
		}
		before, after, _ := strings.Cut(t, Placeholder)
		b.routes = append(b.routes, route{before, after})
		b.size += len(before) + len(after)
		b.plain = b.plain && isPlain(before) && isPlain(after)
	}
	return b, nil
}

// Identity is what the verified token says about the caller.
type Identity struct {
	UserID, Scope, ClientID, Issuer string
}

// Allow returns the response granting id every configured route on the API
// and stage of arn. id.UserID must have passed ValidUserID.
func (b *Builder) Allow(arn MethodARN, id Identity) events.APIGatewayCustomAuthorizerResponse {
	resources := make([]string, len(b.routes))
	// One allocation for all resource strings: they share a backing string.
	var sb strings.Builder
	sb.Grow(b.size + len(b.routes)*(len(arn.Prefix)+len(id.UserID)))
	for _, r := range b.routes {
		sb.WriteString(arn.Prefix)
		sb.WriteString(r.before)
		sb.WriteString(id.UserID)
		sb.WriteString(r.after)
	}
	all := sb.String()
	off := 0
	for i, r := range b.routes {
		n := len(arn.Prefix) + len(r.before) + len(id.UserID) + len(r.after)
		resources[i] = all[off : off+n]
		off += n
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: id.UserID,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   invokeAction,
				Effect:   "Allow",
				Resource: resources,
			}},
		},
		Context: map[string]interface{}{
			"userId":   id.UserID,
			"scope":    id.Scope,
			"clientId": id.ClientID,
			"issuer":   id.Issuer,
		},
	}
}

// invokeAction is shared read-only by every response.
var invokeAction = []string{"execute-api:Invoke"}
