package gateway

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrRefusedByAWS: the configuration read from moto is one that API Gateway
// or Lambda would have refused when it was created. moto accepts it, so the
// local gateway refuses to serve it rather than be more lenient than AWS.
var ErrRefusedByAWS = errors.New("refused by AWS")

// API Gateway's rule for a resource's path part: "only allow a-zA-Z0-9._-:
// and curly braces at the beginning and the end and an optional plus sign
// before the closing brace"; a variable's name does not start with a digit.
var (
	literalPart  = regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)
	variablePart = regexp.MustCompile(`^\{[A-Za-z_][A-Za-z0-9_]*\+?\}$`)
)

// maxFunctionPolicyBytes is Lambda's quota on a function's resource-based
// policy: 20 KB (Lambda quotas, "Function resource-based policy").
const maxFunctionPolicyBytes = 20 * 1024

// checkTree applies the rules API Gateway enforces when resources are
// created: path parts of its character set, {proxy+} only last, and one
// variable per parent ("A sibling ({id}) of this resource already has a
// variable path part").
func checkTree(resources []*Resource) error {
	variables := map[string]string{} // parent path → its variable child
	for _, r := range resources {
		parts := split(r.Path)
		for i, p := range parts {
			switch {
			case variablePart.MatchString(p):
				if isGreedy(p) && i != len(parts)-1 {
					return fmt.Errorf("load resource %s: %s is not the last path part: %w", r.Path, p, ErrRefusedByAWS)
				}
				parent := "/" + strings.Join(parts[:i], "/")
				if v, ok := variables[parent]; ok && v != p {
					return fmt.Errorf("load resource %s: %s and %s are both variables under %s, API Gateway allows one: %w", r.Path, v, p, parent, ErrRefusedByAWS)
				}
				variables[parent] = p
			case !literalPart.MatchString(p):
				return fmt.Errorf("load resource %s: path part %q has a character API Gateway refuses: %w", r.Path, p, ErrRefusedByAWS)
			}
		}
	}
	return nil
}

// checkPolicySize refuses a function whose resource-based policy Lambda
// would not have stored.
func checkPolicySize(fn *Function) error {
	if len(fn.Policy) > maxFunctionPolicyBytes {
		return fmt.Errorf("load function %s: resource-based policy of %d bytes, Lambda allows %d: %w", fn.Name, len(fn.Policy), maxFunctionPolicyBytes, ErrRefusedByAWS)
	}
	return nil
}
