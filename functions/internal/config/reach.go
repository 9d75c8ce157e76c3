package config

import (
	"slices"
	"strings"
)

// Segment kinds, in API Gateway's order of precedence: at the first segment
// where two matching resources differ, a literal beats a parameter, which
// beats a greedy {proxy+}. So of the resources that match a path, the one
// whose kinds string is smallest (byte order) receives it.
const (
	kindLiteral = 'a'
	kindParam   = 'b' // {name}, bound or not: exactly one segment
	kindGreedy  = 'c' // the final "*" ({proxy+}): one segment or more
)

// shape is a route as the rules between routes see it.
type shape struct {
	key   string   // "VERB /path", as messages name the route
	verb  string   //
	segs  []string // path segments, "" path → none
	kinds string   // one kind per segment
	user  int      // index of the last bound parameter in segs, -1 without
	binds []string // the bound parameters ({userId} and path_claims'), in order
}

// shapeOf reads route; bound are the parameter names bound to a claim
// besides userId (BoundParams).
func shapeOf(route string, bound []string) shape {
	verb, path, _ := strings.Cut(route, "/")
	s := shape{key: verb + " /" + path, verb: verb, user: -1}
	if path != "" {
		s.segs = strings.Split(path, "/")
	}
	kinds := make([]byte, len(s.segs))
	for i, seg := range s.segs {
		switch {
		case seg == "*":
			kinds[i] = kindGreedy
		case isParam(seg):
			kinds[i] = kindParam
			if isBound(seg, bound) {
				s.user = i
				s.binds = append(s.binds, seg)
			}
		default:
			kinds[i] = kindLiteral
		}
	}
	s.kinds = string(kinds)
	return s
}

func (s shape) greedy() bool { return strings.HasSuffix(s.kinds, string(kindGreedy)) }

// sameUser reports whether s and u hold the same segments up to and
// including their last bound parameter (ValidateRoute lets only literals
// and bound parameters come before it): then the values written into s's
// resource can only reach the same token's paths of u.
func (s shape) sameUser(u shape) bool {
	if s.user < 0 || s.user != u.user {
		return false
	}
	for i := range s.user + 1 {
		if s.segs[i] != u.segs[i] {
			return false
		}
	}
	return true
}

// reaches reports whether the execute-api resource pattern of route a, with
// every non-literal segment written "*", may match a request path that API
// Gateway routes to route b. In a policy "*" matches any run of characters,
// "/" included, so "GET/projects/*" matches "GET/projects/p1/secrets".
//
// The answer is exact where the pattern can only match paths of a's own
// length (each "*" then stands for one segment, and API Gateway's
// precedence between a and b decides where a path goes), and conservative
// otherwise: it says true unless a's literal prefix or suffix rules every
// such path out. It never says false where a path exists, so the rules built
// on it may refuse a safe set but never accept an unsafe one. Terraform
// (modules/route-rules) computes the same function, case for case.
func reaches(a, b shape) bool { return reach(a, b, false) }

// allowReaches is reaches for a's Allow resource, where a bound parameter
// is the token's value: one segment without "/", which may equal any
// segment, but no "*".
func allowReaches(a, b shape) bool { return reach(a, b, true) }

func reach(a, b shape, allow bool) bool {
	if a.verb != b.verb || a.key == b.key {
		return false
	}
	// star: segment i of a is a "*" of the resource, not one segment (a
	// literal, or in allow a bound value).
	star := func(i int) bool { return a.kinds[i] != kindLiteral && !(allow && slices.Contains(a.binds, a.segs[i])) }
	literal := func(i int) bool { return a.kinds[i] == kindLiteral }
	first, last := -1, -1
	for i := range a.segs {
		if star(i) {
			last = i
			if first < 0 {
				first = i
			}
		}
	}
	na, nb := len(a.segs), len(b.segs)
	if first < 0 && (!allow || len(a.binds) == 0) {
		// A pattern without "*" is one path, which API Gateway gives to a
		// itself: an all-literal resource beats every other that matches.
		return false
	}
	if first < 0 {
		// Literals and bound values only: paths of a's own length.
		if b.greedy() {
			if nb > na {
				return false
			}
			for i := range nb - 1 {
				if literal(i) && b.kinds[i] == kindLiteral && a.segs[i] != b.segs[i] {
					return false
				}
			}
			return true
		}
		if nb != na {
			return false
		}
	}
	fixed := nb // b's segments before its greedy tail, if any
	if b.greedy() {
		fixed = nb - 1
	}
	switch {
	case !b.greedy() && nb < na:
		return false // each "*" takes one segment at least
	case !b.greedy() && nb == na:
		// Each "*" takes exactly one segment: the path matches both routes,
		// and goes to b only if b's kinds come first (a tie is a conflict
		// API Gateway refuses; count it as reaching).
		for i := range na {
			if literal(i) && b.kinds[i] == kindLiteral && a.segs[i] != b.segs[i] {
				return false
			}
		}
		return b.kinds <= a.kinds
	}
	// The path is longer than a's pattern: only a's literal prefix (before
	// its first "*") and suffix (after its last) are at fixed places.
	for i := range first {
		if i < fixed && literal(i) && b.kinds[i] == kindLiteral && b.segs[i] != a.segs[i] {
			return false
		}
	}
	if b.greedy() {
		return true // a's suffix can fall in b's tail
	}
	suffix := na - last - 1
	for j := range suffix {
		i := nb - suffix + j
		if literal(last+1+j) && b.kinds[i] == kindLiteral && b.segs[i] != a.segs[last+1+j] {
			return false
		}
	}
	return true
}
