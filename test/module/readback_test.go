//go:build moto

package module

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

// Read-back helpers: what moto holds, in the form the tests compare.

func invokeARN(functionARN string) string {
	return fmt.Sprintf("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", moto.Region, functionARN)
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// rolePermissions returns action → sorted resources over the role's inline
// and attached policies (every statement must Allow).
func rolePermissions(ctx context.Context, t *testing.T, ic *iam.Client, role string) map[string][]string {
	t.Helper()
	att, err := ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: &role})
	if err != nil {
		t.Fatal(err)
	}
	if len(att.AttachedPolicies) != 0 {
		t.Errorf("role %s has managed policies attached: %v", role, att.AttachedPolicies)
	}
	names, err := ic.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: &role})
	if err != nil {
		t.Fatal(err)
	}
	grants := map[string][]string{}
	for _, n := range names.PolicyNames {
		p, err := ic.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &role, PolicyName: aws.String(n)})
		if err != nil {
			t.Fatal(err)
		}
		text := aws.ToString(p.PolicyDocument)
		if dec, err := url.QueryUnescape(text); err == nil && strings.HasPrefix(text, "%7B") {
			text = dec // IAM returns policy documents URL-encoded
		}
		var doc struct {
			Statement []struct {
				Effect   string
				Action   any
				Resource any
			}
		}
		if err := json.Unmarshal([]byte(text), &doc); err != nil {
			t.Fatalf("role %s policy %s: %v\n%s", role, n, err, text)
		}
		for _, s := range doc.Statement {
			if s.Effect != "Allow" {
				t.Errorf("role %s policy %s: statement effect %q", role, n, s.Effect)
			}
			for _, a := range strs(s.Action) {
				grants[a] = append(grants[a], strs(s.Resource)...)
			}
		}
	}
	for a := range grants {
		sort.Strings(grants[a])
	}
	return grants
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

func equalGrants(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || strings.Join(v, "\n") != strings.Join(w, "\n") {
			return false
		}
	}
	return true
}

// checkEnvironment compares a function's environment with want: JSON
// variables (ISSUERS, ROUTES) by value, whatever their key order, the others
// as strings. A variable the module leaves to the function's default must
// be absent.
func checkEnvironment(t *testing.T, got map[string]string, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("environment: %s missing", k)
			continue
		}
		if s, isString := w.(string); isString {
			if g != s {
				t.Errorf("environment: %s = %q, want %q", k, g, s)
			}
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(g), &v); err != nil {
			t.Errorf("environment: %s = %q: %v", k, g, err)
			continue
		}
		if !reflect.DeepEqual(v, w) {
			t.Errorf("environment: %s =\n %s\nwant %v", k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("environment: unexpected %s = %q", k, got[k])
		}
	}
}

// permissionSources returns the sorted source ARNs of the function's
// resource policy, each statement checked to let only API Gateway invoke.
func permissionSources(ctx context.Context, t *testing.T, lc *lambda.Client, fn string) []string {
	t.Helper()
	p, err := lc.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(fn)})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Effect    string
			Principal map[string]any
			Action    any
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(p.Policy)), &doc); err != nil {
		t.Fatalf("%s policy: %v", fn, err)
	}
	var sources []string
	for _, s := range doc.Statement {
		if s.Effect != "Allow" || fmt.Sprint(s.Principal["Service"]) != "apigateway.amazonaws.com" || fmt.Sprint(s.Action) != "lambda:InvokeFunction" {
			t.Errorf("%s policy statement %+v, want lambda:InvokeFunction by apigateway.amazonaws.com", fn, s)
		}
		src, ok := s.Condition["ArnLike"]["AWS:SourceArn"]
		if !ok {
			t.Errorf("%s policy statement without a source ARN: %+v", fn, s)
		}
		sources = append(sources, src)
	}
	sort.Strings(sources)
	return sources
}
