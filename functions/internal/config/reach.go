package config

import (
	"strings"
)

// Segment kinds, in API Gateway's order of precedence: at the first segment
// where two matching resources differ, a literal beats a parameter, which
// beats a greedy {proxy+}. So of the resources that match a path, the one
// whose kinds string is smallest (byte order) receives it.
const (
	kindLiteral = 'a'
	kindParam   = 'b' // {name} and {userId}: exactly one segment
	kindGreedy  = 'c' // the final "*" ({proxy+}): one segment or more
)

// shape is a route as the rules between routes see it.
type shape struct {
	key   string   // "VERB /path", as messages name the route
	verb  string   //
	segs  []string // path segments, "" path → none
	kinds string   // one kind per segment
	user  int      // index of {userId} in segs, -1 without
}

func shapeOf(route string) shape {
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
			if seg == UserIDPlaceholder {
				s.user = i
			}
		default:
			kinds[i] = kindLiteral
		}
	}
	s.kinds = string(kinds)
	return s
}

func (s shape) greedy() bool { return strings.HasSuffix(s.kinds, string(kindGreedy)) }

// sameUser reports whether s and u bind {userId} to the same segment under
// the same literal prefix: then the user id written into s's resource can
// only reach that user's paths of u.
func (s shape) sameUser(u shape) bool {
	if s.user < 0 || s.user != u.user {
		return false
	}
	for i := range s.user {
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
func reaches(a, b shape) bool {
	if a.verb != b.verb || a.key == b.key {
		return false
	}
	first := strings.IndexFunc(a.kinds, func(k rune) bool { return k != kindLiteral })
	if first < 0 {
		// A pattern without "*" is one path, which API Gateway gives to a
		// itself: an all-literal resource beats every other that matches.
		return false
	}
	na, nb := len(a.segs), len(b.segs)
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
			if a.kinds[i] == kindLiteral && b.kinds[i] == kindLiteral && a.segs[i] != b.segs[i] {
				return false
			}
		}
		return b.kinds <= a.kinds
	}
	// The path is longer than a's pattern: only a's literal prefix (before
	// its first "*") and suffix (after its last) are at fixed places.
	for i := range first {
		if i < fixed && b.kinds[i] == kindLiteral && b.segs[i] != a.segs[i] {
			return false
		}
	}
	if b.greedy() {
		return true // a's suffix can fall in b's tail
	}
	last := strings.LastIndexFunc(a.kinds, func(k rune) bool { return k != kindLiteral })
	suffix := na - last - 1
	for j := range suffix {
		i := nb - suffix + j
		if b.kinds[i] == kindLiteral && b.segs[i] != a.segs[last+1+j] {
			return false
		}
	}
	return true
}
