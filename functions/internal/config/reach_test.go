package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestReachesNeverMisses checks reaches against brute force on every pair
// of small routes: whenever some concrete path matches a's pattern (each
// non-literal a "*" that spans "/") and API Gateway would route it to b
// rather than a, reaches(a, b) must say true. A false there would let a
// rule accept an unsafe set.
func TestReachesNeverMisses(t *testing.T) {
	valid := routeGrid([]string{"x", "y", "{p}", "{userId}"}, nil)
	neverMisses(t, valid, reaches, globMatch, "reaches(%s, %s) = false, but %q matches the first's pattern and goes to the second")
}

// TestAllowReachesNeverMisses is TestReachesNeverMisses for the Allow
// resource with a bound parameter {t} (path_claims): a bound value is one
// segment, any, and never spans "/".
func TestAllowReachesNeverMisses(t *testing.T) {
	valid := routeGrid([]string{"x", "{p}", "{t}", "{userId}"}, []string{"t"})
	allowMatch := func(a shape, p []string) bool {
		pat := make([]string, len(a.segs))
		for i, s := range a.segs {
			switch {
			case a.kinds[i] == kindLiteral:
				pat[i] = s
			case slices.Contains(a.binds, s):
				pat[i] = "+" // one segment
			default:
				pat[i] = "*"
			}
		}
		return glob(a.verb+"/"+strings.Join(pat, "/"), a.verb+"/"+strings.Join(p, "/"))
	}
	neverMisses(t, valid, allowReaches, allowMatch, "allowReaches(%s, %s) = false, but %q matches the first's Allow and goes to the second")
}

// neverMisses checks reachFn against brute force on every pair of valid
// routes a, b it says false for: no concrete path of up to 5 segments of
// x, y, z that match(a, p) accepts may be routed by API Gateway to b rather
// than a. At least 100 such pairs must be checked. fail is the message, with
// a's key, b's key and the path.
func neverMisses(t *testing.T, valid []shape, reachFn func(a, b shape) bool, match func(a shape, p []string) bool, fail string) {
	t.Helper()
	paths := concretePaths([]string{"x", "y", "z"}, 5)
	checked := 0
	for _, a := range valid {
		for _, b := range valid {
			if a.key == b.key || reachFn(a, b) {
				continue
			}
			for _, p := range paths {
				if match(a, p) && templateMatch(b, p) && !(templateMatch(a, p) && a.kinds < b.kinds) {
					t.Fatalf(fail, a.key, b.key, p)
				}
			}
			checked++
		}
	}
	if checked < 100 {
		t.Fatalf("only %d pairs checked", checked)
	}
}

// routeGrid returns the shapes of every valid GET route of 1 to 3 of segs,
// with and without a final "*"; bound as ValidateRoute takes it.
func routeGrid(segs, bound []string) []shape {
	var valid []shape
	var grow func(prefix []string)
	grow = func(prefix []string) {
		if len(prefix) > 0 {
			for _, r := range []string{"GET/" + strings.Join(prefix, "/"), "GET/" + strings.Join(prefix, "/") + "/*"} {
				if ValidateRoute(r, bound...) == nil {
					valid = append(valid, shapeOf(r, bound))
				}
			}
		}
		if len(prefix) == 3 {
			return
		}
		for _, s := range segs {
			grow(append(prefix, s))
		}
	}
	grow(nil)
	return valid
}

// TestReachesExact pins the answers the rules rely on to accept the shapes
// REST APIs are made of.
func TestReachesExact(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"GET/projects/{id}", "GET/projects/{id}/secrets", true}, // "*" spans "/"
		{"GET/projects/{id}/secrets", "GET/projects/{id}", false},
		{"GET/users/{userId}", "GET/users/me", true}, // /users/me could be a user id
		{"GET/users/me", "GET/users/{userId}", false},
		{"GET/files/{name}", "GET/{section}/readme", false}, // /files/readme goes to the first
		{"GET/{section}/readme", "GET/files/{name}", true},
		{"GET/docs/*", "GET/docs/internal", true},
		{"GET/docs/*", "POST/docs/internal", false},
		{"GET/a/b", "GET/a/*", false}, // an all-literal pattern is one path, its own
		{"GET/{a}/x", "GET/users/{userId}/x", true},
		{"GET/{a}/x", "GET/users/{userId}/y", false},
		{"GET/{a}", "GET/", false},
	}
	for _, tc := range cases {
		if got := reaches(shapeOf(tc.a, nil), shapeOf(tc.b, nil)); got != tc.want {
			t.Errorf("reaches(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// concretePaths lists every path of 1 to n segments over alphabet.
func concretePaths(alphabet []string, n int) [][]string {
	out := [][]string{}
	cur := [][]string{{}}
	for range n {
		var next [][]string
		for _, p := range cur {
			for _, s := range alphabet {
				q := append(append([]string{}, p...), s)
				next = append(next, q)
				out = append(out, q)
			}
		}
		cur = next
	}
	return out
}

// globMatch: a's resource pattern, every non-literal "*", against the path,
// with "*" matching any run of characters ("/" included).
func globMatch(a shape, p []string) bool {
	pat := make([]string, len(a.segs))
	for i, s := range a.segs {
		pat[i] = s
		if a.kinds[i] != kindLiteral {
			pat[i] = "*"
		}
	}
	return glob(a.verb+"/"+strings.Join(pat, "/"), a.verb+"/"+strings.Join(p, "/"))
}

func glob(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	if pattern[0] == '+' {
		// One segment: a run of one or more characters but "/".
		for i := 1; i <= len(s) && s[i-1] != '/'; i++ {
			if glob(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	}
	if pattern[0] == '*' {
		for i := 0; i <= len(s); i++ {
			if glob(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	}
	return s != "" && pattern[0] == s[0] && glob(pattern[1:], s[1:])
}

// templateMatch: API Gateway's match of a resource template against a path.
func templateMatch(b shape, p []string) bool {
	for i, k := range b.kinds {
		switch {
		case k == kindGreedy:
			return len(p) > i
		case i >= len(p):
			return false
		case k == kindLiteral && b.segs[i] != p[i]:
			return false
		}
	}
	return len(p) == len(b.segs)
}

func ExampleRouteConflicts() {
	routes := []Route{
		{Route: "GET/projects/{projectId}", Scopes: []string{"projects.read"}},
		{Route: "GET/projects/{projectId}/secrets", Scopes: []string{"secrets.read"}},
	}
	for _, c := range RouteConflicts(routes, []string{"main"}) {
		fmt.Println(c)
	}
	// Output:
	// routes "GET /projects/{projectId}" and "GET /projects/{projectId}/secrets": the first's Deny can hide the second from a token that earns only the second; add scopes projects.read to the second
}
