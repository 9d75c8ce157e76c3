package gateway

import (
	"maps"
	"testing"
)

// TestRouterDeepTree: a tree as modules/rest-api builds it (every prefix a
// resource, up to 8 segments, shared prefixes, literals beside parameters,
// a greedy parameter under a parameter) routes each path to the most
// specific resource with its parameters.
func TestRouterDeepTree(t *testing.T) {
	var resources []*Resource
	for _, p := range []string{
		"/", "/a", "/a/{x}", "/a/{x}/b", "/a/{x}/b/{y}", "/a/{x}/b/{y}/c", "/a/{x}/b/{y}/c/d",
		"/a/{x}/b/{y}/c/d/e", "/a/{x}/b/{y}/c/d/e/{z}", "/a/me", "/a/me/b", "/a/{x}/{proxy+}", "/status",
	} {
		resources = append(resources, &Resource{ID: p, Path: p})
	}
	r := newRouter(resources)
	cases := []struct {
		path, id string
		params   map[string]string
	}{
		{"/a/1/b/2/c/d/e/3", "/a/{x}/b/{y}/c/d/e/{z}", map[string]string{"x": "1", "y": "2", "z": "3"}},
		{"/a/1/b/2/c/d/e", "/a/{x}/b/{y}/c/d/e", map[string]string{"x": "1", "y": "2"}},
		{"/a/1/b/2/c", "/a/{x}/b/{y}/c", map[string]string{"x": "1", "y": "2"}},
		{"/a/1/b", "/a/{x}/b", map[string]string{"x": "1"}},
		{"/a/me/b", "/a/me/b", map[string]string{}},
		{"/a/me", "/a/me", map[string]string{}},
		{"/a/you", "/a/{x}", map[string]string{"x": "you"}},
		{"/a/1/z/q", "/a/{x}/{proxy+}", map[string]string{"x": "1", "proxy": "z/q"}},
		{"/a/1/b/2/c/d/e/3/4", "/a/{x}/{proxy+}", map[string]string{"x": "1", "proxy": "b/2/c/d/e/3/4"}},
		{"/status", "/status", map[string]string{}},
		{"/status/x", "", nil},
		{"/b", "", nil},
	}
	for _, c := range cases {
		res, params := r.match(c.path)
		id := ""
		if res != nil {
			id = res.ID
		}
		if id != c.id || (res != nil && !maps.Equal(params, c.params)) {
			t.Errorf("match(%q) = %q %v, want %q %v", c.path, id, params, c.id, c.params)
		}
	}
}
