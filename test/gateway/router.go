package gateway

import (
	"sort"
	"strings"
)

// route is a resource path template split into segments.
type route struct {
	res  *Resource
	segs []string
}

type router struct{ routes []route }

func newRouter(resources []*Resource) *router {
	r := &router{}
	for _, res := range resources {
		r.routes = append(r.routes, route{res: res, segs: split(res.Path)})
	}
	// Most specific first: more literal segments, then fewer greedy ones.
	sort.SliceStable(r.routes, func(i, j int) bool {
		return specificity(r.routes[i].segs) > specificity(r.routes[j].segs)
	})
	return r
}

func split(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// specificity ranks templates: per segment position a literal beats a
// {param}, which beats a {greedy+}.
func specificity(segs []string) int {
	score := 0
	for i, s := range segs {
		w := 3
		switch {
		case isGreedy(s):
			w = 1
		case isParam(s):
			w = 2
		}
		score += w << (2 * (16 - min(i, 15)))
	}
	return score
}

func isParam(s string) bool  { return len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' }
func isGreedy(s string) bool { return isParam(s) && strings.HasSuffix(s, "+}") }

// match finds the resource for a request path (without the stage) and its
// path parameters (raw, as they appear in the URL).
func (r *router) match(path string) (*Resource, map[string]string) {
	segs := split(path)
	for _, rt := range r.routes {
		if params, ok := matchSegs(rt.segs, segs); ok {
			return rt.res, params
		}
	}
	return nil, nil
}

func matchSegs(tmpl, segs []string) (map[string]string, bool) {
	params := map[string]string{}
	for i, t := range tmpl {
		if isGreedy(t) {
			if i >= len(segs) {
				return nil, false
			}
			params[t[1:len(t)-2]] = strings.Join(segs[i:], "/")
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		switch {
		case isParam(t):
			if segs[i] == "" {
				return nil, false
			}
			params[t[1:len(t)-1]] = segs[i]
		case t != segs[i]:
			return nil, false
		}
	}
	if len(tmpl) != len(segs) {
		return nil, false
	}
	return params, true
}
