package gateway

import (
	"encoding/json"
	"fmt"
	"strings"
)

// resourcePolicy is a Lambda function's resource policy, reduced to what
// decides whether API Gateway may invoke it.
type resourcePolicy struct {
	statements []permStatement
}

type permStatement struct {
	effect     string
	principals []string // service principals or "*"
	actions    []string
	sourceARNs []string // empty: no source condition
}

func parseResourcePolicy(doc string) (*resourcePolicy, error) {
	p := &resourcePolicy{}
	if strings.TrimSpace(doc) == "" {
		return p, nil
	}
	var raw struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("parse resource policy: %w", err)
	}
	var stmts []map[string]json.RawMessage
	if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
		var one map[string]json.RawMessage
		if err2 := json.Unmarshal(raw.Statement, &one); err2 != nil {
			return nil, fmt.Errorf("parse resource policy statements: %w", err)
		}
		stmts = append(stmts, one)
	}
	for _, s := range stmts {
		var ps permStatement
		_ = json.Unmarshal(s["Effect"], &ps.effect)
		ps.actions, _ = stringOrList(s["Action"])
		ps.principals = principals(s["Principal"])
		var cond map[string]map[string]json.RawMessage
		_ = json.Unmarshal(s["Condition"], &cond)
		for op, kv := range cond {
			for k, v := range kv {
				if strings.EqualFold(k, "AWS:SourceArn") && (strings.HasPrefix(op, "Arn") || strings.HasPrefix(op, "String")) {
					l, _ := stringOrList(v)
					ps.sourceARNs = append(ps.sourceARNs, l...)
				}
			}
		}
		p.statements = append(p.statements, ps)
	}
	return p, nil
}

func principals(v json.RawMessage) []string {
	if len(v) == 0 {
		return nil
	}
	if l, err := stringOrList(v); err == nil {
		return l
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil
	}
	var out []string
	for _, k := range []string{"Service", "AWS"} {
		if l, err := stringOrList(m[k]); err == nil {
			out = append(out, l...)
		}
	}
	return out
}

// allows reports whether API Gateway, calling from sourceARN, may invoke.
func (p *resourcePolicy) allows(sourceARN string) bool {
	allowed := false
	for _, s := range p.statements {
		if !anyMatch(s.actions, "lambda:InvokeFunction", true) {
			continue
		}
		okPrincipal := false
		for _, pr := range s.principals {
			if pr == "*" || pr == "apigateway.amazonaws.com" {
				okPrincipal = true
			}
		}
		if !okPrincipal {
			continue
		}
		if len(s.sourceARNs) > 0 && !anyMatch(s.sourceARNs, sourceARN, false) {
			continue
		}
		if s.effect == "Deny" {
			return false
		}
		if s.effect == "Allow" {
			allowed = true
		}
	}
	return allowed
}

// permitted checks the function's resource policy; a function whose policy
// was not loaded (nil) is permitted, for gateways built without checks.
func (g *Gateway) permitted(functionARN, sourceARN string) bool {
	p, ok := g.perms[functionARN]
	if !ok || p == nil {
		return true
	}
	return p.allows(sourceARN)
}
