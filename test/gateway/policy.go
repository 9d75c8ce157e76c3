package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrMalformedAuthorizerOutput: the authorizer's answer is not a valid
// authorizer response (API Gateway answers 500 with a null message).
var ErrMalformedAuthorizerOutput = errors.New("malformed authorizer output")

// Decision is the outcome of evaluating a policy against a method ARN.
type Decision int

// Decisions.
const (
	NoMatch Decision = iota // no statement applies: 403 not authorized
	Allow                   // an Allow applies and no Deny does
	Deny                    // an explicit Deny applies: 403 explicit deny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "allow"
	case Deny:
		return "deny"
	}
	return "no-match"
}

// AuthorizerOutput is a validated Lambda authorizer response.
type AuthorizerOutput struct {
	PrincipalID string
	Statements  []Statement
	// Context holds the context values as API Gateway delivers them to the
	// integration: strings (numbers and booleans in their JSON text form).
	Context map[string]string
}

// Statement is one IAM policy statement (Condition, NotAction and
// NotResource are not supported and make the output malformed).
type Statement struct {
	Effect    string
	Actions   []string
	Resources []string
}

// ParseAuthorizerOutput validates an authorizer's JSON response.
func ParseAuthorizerOutput(b []byte) (*AuthorizerOutput, error) {
	var raw struct {
		PrincipalID        *json.RawMessage           `json:"principalId"`
		PolicyDocument     *json.RawMessage           `json:"policyDocument"`
		Context            map[string]json.RawMessage `json:"context"`
		UsageIdentifierKey *string                    `json:"usageIdentifierKey"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("parse authorizer output: %w: %w", ErrMalformedAuthorizerOutput, err)
	}
	if raw.PrincipalID == nil {
		return nil, fmt.Errorf("parse authorizer output: no principalId: %w", ErrMalformedAuthorizerOutput)
	}
	out := &AuthorizerOutput{Context: map[string]string{}}
	if err := json.Unmarshal(*raw.PrincipalID, &out.PrincipalID); err != nil {
		return nil, fmt.Errorf("parse authorizer output: principalId is not a string: %w", ErrMalformedAuthorizerOutput)
	}
	if raw.PolicyDocument == nil {
		return nil, fmt.Errorf("parse authorizer output: no policyDocument: %w", ErrMalformedAuthorizerOutput)
	}
	stmts, err := parsePolicy(*raw.PolicyDocument)
	if err != nil {
		return nil, err
	}
	out.Statements = stmts
	for k, v := range raw.Context {
		s, err := contextValue(v)
		if err != nil {
			return nil, fmt.Errorf("parse authorizer output: context %q: %w", k, err)
		}
		out.Context[k] = s
	}
	return out, nil
}

// contextValue turns a context value into its delivered string: strings as
// is, numbers and booleans as their JSON text; objects and arrays are invalid.
func contextValue(v json.RawMessage) (string, error) {
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return "", ErrMalformedAuthorizerOutput
	}
	switch t[0] {
	case '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return "", fmt.Errorf("%w: %w", ErrMalformedAuthorizerOutput, err)
		}
		return s, nil
	case '{', '[':
		return "", fmt.Errorf("object or array value: %w", ErrMalformedAuthorizerOutput)
	case 'n':
		return "", nil
	}
	return string(t), nil
}

func parsePolicy(doc json.RawMessage) ([]Statement, error) {
	var pd struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal(doc, &pd); err != nil {
		return nil, fmt.Errorf("parse policyDocument: %w: %w", ErrMalformedAuthorizerOutput, err)
	}
	if len(pd.Statement) == 0 {
		return nil, fmt.Errorf("parse policyDocument: no Statement: %w", ErrMalformedAuthorizerOutput)
	}
	var raws []json.RawMessage
	if s := bytes.TrimSpace(pd.Statement); len(s) > 0 && s[0] == '{' {
		raws = []json.RawMessage{s}
	} else if err := json.Unmarshal(pd.Statement, &raws); err != nil {
		return nil, fmt.Errorf("parse policyDocument: Statement: %w: %w", ErrMalformedAuthorizerOutput, err)
	}
	stmts := make([]Statement, 0, len(raws))
	for i, r := range raws {
		var st map[string]json.RawMessage
		if err := json.Unmarshal(r, &st); err != nil {
			return nil, fmt.Errorf("parse statement %d: %w: %w", i, ErrMalformedAuthorizerOutput, err)
		}
		var s Statement
		for k, v := range st {
			var err error
			switch k {
			case "Effect":
				err = json.Unmarshal(v, &s.Effect)
			case "Action":
				s.Actions, err = stringOrList(v)
			case "Resource":
				s.Resources, err = stringOrList(v)
			case "Sid":
			default:
				err = fmt.Errorf("unsupported element %s", k)
			}
			if err != nil {
				return nil, fmt.Errorf("parse statement %d: %s: %w: %w", i, k, ErrMalformedAuthorizerOutput, err)
			}
		}
		if s.Effect != "Allow" && s.Effect != "Deny" {
			return nil, fmt.Errorf("parse statement %d: Effect %q: %w", i, s.Effect, ErrMalformedAuthorizerOutput)
		}
		if len(s.Actions) == 0 || len(s.Resources) == 0 {
			return nil, fmt.Errorf("parse statement %d: Action and Resource required: %w", i, ErrMalformedAuthorizerOutput)
		}
		stmts = append(stmts, s)
	}
	return stmts, nil
}

func stringOrList(v json.RawMessage) ([]string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return []string{s}, nil
	}
	var l []string
	if err := json.Unmarshal(v, &l); err != nil {
		return nil, errors.New("neither a string nor a list of strings")
	}
	return l, nil
}

// invokeAction is the action API Gateway authorizes.
const invokeAction = "execute-api:Invoke"

// Evaluate decides the policy for one method ARN: an explicit Deny wins over
// any Allow; with neither, nothing matches.
func (o *AuthorizerOutput) Evaluate(methodARN string) Decision {
	d := NoMatch
	for _, s := range o.Statements {
		if !anyMatch(s.Actions, invokeAction, true) || !anyMatch(s.Resources, methodARN, false) {
			continue
		}
		if s.Effect == "Deny" {
			return Deny
		}
		d = Allow
	}
	return d
}

func anyMatch(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if Glob(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		} else if Glob(p, s) {
			return true
		}
	}
	return false
}

// Glob matches s against an IAM pattern: * matches any run of characters
// (slashes and colons included), ? exactly one; everything else literally.
func Glob(pattern, s string) bool {
	// Iterative wildcard matching with single-star backtracking.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]) && pattern[p] != '*':
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
