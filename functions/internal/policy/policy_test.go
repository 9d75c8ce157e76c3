package policy

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// respond is Response without its error: the tests of the answer's shape.
func respond(b *Builder, arn MethodARN, c token.Claims) events.APIGatewayCustomAuthorizerResponse {
	resp, _ := b.Response(arn, c)
	return resp
}

var update = flag.Bool("update", false, "rewrite testdata/*.json")

const prefix = "arn:aws:execute-api:eu-west-1:210987654321:xyz123/v1/"

// routes is the route set of the tests: one per kind of template.
var routes = []config.Route{
	{Route: "GET/users/{userId}"},
	{Route: "GET/users/{userId}/orders/{orderId}", Scopes: []string{"orders.read"}},
	{Route: "POST/users/{userId}/orders", Scopes: []string{"orders.read", "orders.write"}, Issuers: []string{"cognito"}},
	{Route: "DELETE/users/{userId}/*", Issuers: []string{"okta"}},
	{Route: "GET/catalog/*"},
	{Route: "GET/status", Scopes: []string{"ops"}},
	{Route: "GET/"},
}

func mustBuilder(t testing.TB, routes []config.Route) *Builder {
	t.Helper()
	b, err := NewBuilder(routes)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustARN(t testing.TB, s string) MethodARN {
	t.Helper()
	m, err := ParseMethodARN(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestResponse(t *testing.T) {
	b := mustBuilder(t, routes)
	arn := mustARN(t, prefix+"GET/users/u-1")
	cases := []struct {
		name        string
		id          token.Claims
		allow, deny []string
	}{
		{"no scopes, other issuer", token.Claims{UserID: "u-1", IssuerName: "entra"},
			[]string{"GET/users/u-1", "GET/catalog/*", "GET/"},
			[]string{"GET/users/*/orders/*", "POST/users/*/orders", "DELETE/users/*/*", "GET/status"}},
		{"read scope", token.Claims{UserID: "u-1", Scopes: []string{"orders.read"}, IssuerName: "entra"},
			[]string{"GET/users/u-1", "GET/users/u-1/orders/*", "GET/catalog/*", "GET/"},
			[]string{"POST/users/*/orders", "DELETE/users/*/*", "GET/status"}},
		{"write without read", token.Claims{UserID: "u-1", Scopes: []string{"orders.write"}, IssuerName: "cognito"},
			[]string{"GET/users/u-1", "GET/catalog/*", "GET/"},
			[]string{"GET/users/*/orders/*", "POST/users/*/orders", "DELETE/users/*/*", "GET/status"}},
		{"read and write, cognito", token.Claims{UserID: "u-1", Scopes: []string{"orders.write", "orders.read"}, IssuerName: "cognito"},
			[]string{"GET/users/u-1", "GET/users/u-1/orders/*", "POST/users/u-1/orders", "GET/catalog/*", "GET/"},
			[]string{"DELETE/users/*/*", "GET/status"}},
		{"read and write, okta", token.Claims{UserID: "u-1", Scopes: []string{"orders.write", "orders.read"}, IssuerName: "okta"},
			[]string{"GET/users/u-1", "GET/users/u-1/orders/*", "DELETE/users/u-1/*", "GET/catalog/*", "GET/"},
			[]string{"POST/users/*/orders", "GET/status"}},
		{"ops", token.Claims{UserID: "u-1", Scopes: []string{"ops"}},
			[]string{"GET/users/u-1", "GET/catalog/*", "GET/status", "GET/"},
			[]string{"GET/users/*/orders/*", "POST/users/*/orders", "DELETE/users/*/*"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := respond(b, arn, tc.id).PolicyDocument.Statement
			if len(st) != 2 || st[0].Effect != "Allow" || st[1].Effect != "Deny" {
				t.Fatalf("statements %+v, want an Allow and a Deny", st)
			}
			for i, want := range [][]string{tc.allow, tc.deny} {
				for j := range want {
					want[j] = prefix + want[j]
				}
				if !reflect.DeepEqual(st[i].Resource, want) {
					t.Errorf("%s resources\n got %q\nwant %q", st[i].Effect, st[i].Resource, want)
				}
			}
		})
	}
}

// TestDenyWinsOverWildcard: a token that earns the parent route but not the
// child is allowed the parent's "*", which API Gateway also matches against
// the child's paths; the child's Deny must cover them.
func TestDenyWinsOverWildcard(t *testing.T) {
	b := mustBuilder(t, []config.Route{
		{Route: "GET/projects/{projectId}", Scopes: []string{"projects.read"}},
		{Route: "GET/projects/{projectId}/secrets", Scopes: []string{"projects.read", "secrets.read"}},
	})
	st := respond(b, mustARN(t, prefix+"GET/projects/p1"), token.Claims{UserID: "u-1", Scopes: []string{"projects.read"}}).PolicyDocument.Statement
	want := []string{prefix + "GET/projects/*", prefix + "GET/projects/*/secrets"}
	if len(st) != 2 || st[0].Resource[0] != want[0] || st[1].Effect != "Deny" || st[1].Resource[0] != want[1] {
		t.Fatalf("statements %+v, want Allow %s and Deny %s", st, want[0], want[1])
	}
	// Earning both, nothing is denied.
	st = respond(b, mustARN(t, prefix+"GET/projects/p1"), token.Claims{UserID: "u-1", Scopes: []string{"secrets.read", "projects.read"}}).PolicyDocument.Statement
	if len(st) != 1 || len(st[0].Resource) != 2 {
		t.Fatalf("statements %+v, want one Allow of both routes", st)
	}
}

func TestResponseDeny(t *testing.T) {
	b := mustBuilder(t, []config.Route{
		{Route: "GET/users/{userId}", Scopes: []string{"profile"}},
		{Route: "GET/reports/*", Issuers: []string{"okta"}},
	})
	arn := mustARN(t, prefix+"GET/users/u-1")
	for _, id := range []token.Claims{
		{UserID: "u-1", IssuerName: "cognito"},
		{UserID: "u-1", Scopes: []string{"profile2", "Profile"}, IssuerName: "cognito"},
	} {
		st := respond(b, arn, id).PolicyDocument.Statement
		if len(st) != 1 || st[0].Effect != "Deny" || !reflect.DeepEqual(st[0].Resource, []string{prefix + "*"}) {
			t.Errorf("%+v: got %+v, want Deny on %s*", id, st, prefix)
		}
	}
}

// TestResponseUnsafeUserID: an id that is not safe in a resource gets no
// answer at all, whatever it would earn; ValidUserID runs here, once.
func TestResponseUnsafeUserID(t *testing.T) {
	b := mustBuilder(t, routes)
	for _, id := range []string{"*", "u/1", "", "..", "a?b"} {
		resp, err := b.Response(mustARN(t, prefix+"GET/users/x"), token.Claims{UserID: id, Scopes: []string{"ops"}})
		if !errors.Is(err, ErrUserID) || resp.PolicyDocument.Statement != nil {
			t.Errorf("user %q: %+v, %v; want no answer and ErrUserID", id, resp, err)
		}
	}
}

func TestNewBuilderRejects(t *testing.T) {
	for _, rs := range [][]config.Route{
		nil,
		{{Route: "*/hello/{userId}"}},
		{{Route: "OPTIONS/hello"}},
		{{Route: "GET/{userId}/{userId}"}},
		{{Route: "GET/a?/{userId}"}},
		{{Route: "GET/{orderId}/*"}},
		{{Route: "GET/hello/{userId}"}, {Route: "GET/a b"}},
		// A set config.RouteConflicts refuses.
		{{Route: "GET/users/*"}, {Route: "GET/users/{userId}"}},
		{{Route: "GET/a/{id}", Scopes: []string{"a"}}, {Route: "GET/a/{id}/b", Scopes: []string{"b"}}},
	} {
		if _, err := NewBuilder(rs); !errors.Is(err, ErrRoute) {
			t.Errorf("%+v: err = %v, want ErrRoute", rs, err)
		}
	}
}

func TestResponseGolden(t *testing.T) {
	id := token.Claims{UserID: "u-1", Scopes: []string{"orders.read"}, Scope: "orders.read profile",
		ClientID: "c1", Issuer: "https://okta.example.com", IssuerName: "okta"}
	arn := mustARN(t, prefix+"GET/a path the policy ignores")
	cases := []struct {
		file   string
		routes []config.Route
	}{
		{"allow.json", routes[:5]},
		// The same token against routes it earns none of.
		{"deny.json", []config.Route{{Route: "GET/users/{userId}", Scopes: []string{"admin"}}}},
	}
	for _, tc := range cases {
		got, err := json.MarshalIndent(respond(mustBuilder(t, tc.routes), arn, id), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", tc.file)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.file, got, want)
		}
	}
}

// FuzzResponse: whatever parses yields resources that keep the API prefix,
// hold no "?" and a "*" only where a template puts one.
func FuzzResponse(f *testing.F) {
	for _, s := range []string{
		prefix + "GET/users/u-1",
		"arn:aws:execute-api:us-east-1:123456789012:a/b/POST/",
		"arn:aws:execute-api:us-east-1:*:abcdef1234/prod/GET/x",
		"arn::::::",
	} {
		f.Add(s, "u-1")
	}
	b := mustBuilder(f, []config.Route{{Route: "GET/users/{userId}"}, {Route: "POST/users/{userId}/items"}})
	f.Fuzz(func(t *testing.T, s, user string) {
		m, err := ParseMethodARN(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(s, m.Prefix) || strings.ContainsAny(m.Prefix, "*? ") {
			t.Fatalf("bad prefix %q of %q", m.Prefix, s)
		}
		resp, err := b.Response(m, token.Claims{UserID: user})
		if err != nil && (ValidUserID(user) == nil) == errors.Is(err, ErrUserID) {
			t.Fatalf("user %q: err = %v", user, err)
		}
		if errors.Is(err, ErrUserID) {
			return
		}
		st := resp.PolicyDocument.Statement[0]
		for _, r := range st.Resource {
			if st.Effect == "Deny" {
				if r != m.Prefix+"*" {
					t.Fatalf("deny on %q", r)
				}
				continue
			}
			if strings.ContainsAny(r, "*? ") || !strings.HasPrefix(r, m.Prefix) {
				t.Fatalf("unsafe resource %q", r)
			}
			if back, err := ParseMethodARN(r); err != nil || back != m {
				t.Fatalf("resource %q does not re-parse to %+v: %+v, %v", r, m, back, err)
			}
		}
	})
}

func TestParseMethodARN(t *testing.T) {
	const prefix = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/"
	want := MethodARN{Partition: "aws", Region: "us-east-1", Account: "123456789012", APIID: "abcdef1234", Stage: "prod", Prefix: prefix}
	// Whatever follows the stage is ignored: the policy is the caller's, and
	// the gateway decides on the path.
	for _, rest := range []string{
		"GET/hello/user-1", "POST/", "GET/a b", "GET/caf\u00e9", "GET/x*", "GET/x?y", "get/x", "*/x", "",
		"GET/" + strings.Repeat("a", 8192),
	} {
		got, err := ParseMethodARN(prefix + rest)
		if err != nil || got != want {
			t.Errorf("%.80q: got %+v, %v", rest, got, err)
		}
	}
	got, err := ParseMethodARN("arn:aws-cn:execute-api:cn-north-1:123456789012:a1/dev_2-x/GET/")
	if err != nil || got != (MethodARN{Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012",
		APIID: "a1", Stage: "dev_2-x", Prefix: "arn:aws-cn:execute-api:cn-north-1:123456789012:a1/dev_2-x/"}) {
		t.Errorf("aws-cn: got %+v, %v", got, err)
	}
}

func TestParseMethodARNRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234",
		"arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod",
		"aws:execute-api:us-east-1:123456789012:abc/prod/GET/x",
		"arn:aws:lambda:us-east-1:123456789012:abc/prod/GET/x",
		"arn:*:execute-api:us-east-1:123456789012:abc/prod/GET/x",
		"arn::execute-api:us-east-1:123456789012:abc/prod/GET/x",
		"arn:aws:execute-api:*:123456789012:abc/prod/GET/x",
		"arn:aws:execute-api:US-EAST-1:123456789012:abc/prod/GET/x",
		"arn:aws:execute-api:us-east-1:*:abc/prod/GET/x",
		"arn:aws:execute-api:us-east-1:1234:abc/prod/GET/x",
		"arn:aws:execute-api:us-east-1:12345678901a:abc/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:*/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:ab?/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc//GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/pr od/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc:def/prod/GET/x",
		"arn:aws:execute-api:us-east-1:123456789012:abc/" + strings.Repeat("s", 256) + "/GET/x",
	} {
		if _, err := ParseMethodARN(in); !errors.Is(err, ErrMethodARN) {
			t.Errorf("%.80q: err = %v, want ErrMethodARN", in, err)
		}
	}
}

func TestValidUserID(t *testing.T) {
	for _, id := range []string{"user-1", "a", "first.last+tag@example.com", "us-east-1:3f2e", "A=B,C~D_E", "..a", strings.Repeat("x", 128)} {
		if err := ValidUserID(id); err != nil {
			t.Errorf("%q rejected: %v", id, err)
		}
	}
}

func TestValidUserIDRejects(t *testing.T) {
	for _, id := range []string{
		"", strings.Repeat("x", 129), "a*", "a?", "a/b", "a b", "a\tb", "a\x00", "a\x7f",
		"user\u22151", "\u0430dmin", "a%2F", "a#b", "a\\b", "a\"b", "a{b}", "a$b", ".", "..",
	} {
		if err := ValidUserID(id); !errors.Is(err, ErrUserID) {
			t.Errorf("%q: err = %v, want ErrUserID", id, err)
		}
	}
}

// TestSameResourceListedOnce: routes that write the same resource (here the
// same route twice, which config refuses but a harness may build) list it
// once, in the Allow when earned and in the Deny when not.
func TestSameResourceListedOnce(t *testing.T) {
	same := config.Route{Route: "GET/users/{userId}/orders", Issuers: []string{"okta"}}
	b, err := NewBuilder([]config.Route{same, same, {Route: "GET/status"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := mustARN(t, "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/status")
	const prefix = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/"
	for _, c := range []struct {
		issuer      string
		allow, deny []string
	}{
		{"okta", []string{prefix + "GET/users/u-1/orders", prefix + "GET/status"}, nil},
		{"cognito", []string{prefix + "GET/status"}, []string{prefix + "GET/users/*/orders"}},
	} {
		resp, err := b.Response(arn, token.Claims{UserID: "u-1", IssuerName: c.issuer})
		if err != nil {
			t.Fatal(err)
		}
		st := resp.PolicyDocument.Statement
		if !slices.Equal(st[0].Resource, c.allow) {
			t.Errorf("%s: Allow %v, want %v", c.issuer, st[0].Resource, c.allow)
		}
		var deny []string
		if len(st) > 1 {
			deny = st[1].Resource
		}
		if !slices.Equal(deny, c.deny) {
			t.Errorf("%s: Deny %v, want %v", c.issuer, deny, c.deny)
		}
	}
}
