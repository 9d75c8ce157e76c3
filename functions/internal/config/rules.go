package config

import (
	"fmt"
	"slices"
	"strings"
)

// RouteConflicts returns one line for each way the policy of routes could
// grant a path that API Gateway routes to a route the token does not earn,
// or hide a route it does earn; none means the set is sound. issuers are
// the configured issuer names (a route naming none accepts them all), bound
// the parameter names they bind to a claim besides userId (BoundParams).
//
// The policy (package policy) allows each route a token earns, with each
// bound parameter ({userId}, {tenantId}, ...) written as the token's value
// and every other parameter as "*", and denies each route it does not earn,
// with every parameter as "*". A Deny wins in API Gateway, so a wildcard
// never reaches a route the token does not earn. What remains to check:
//
//   - API Gateway's tree holds one variable per parent;
//   - with two or more issuers a route with a bound parameter names exactly
//     one, since two issuers may mint the same value for different people;
//   - no route's resource reaches another token's paths of a route with a
//     bound parameter, unless it holds the same segments up to the last
//     bound one (only literals and bound parameters may precede a bound
//     parameter: ValidateRoute);
//   - no Deny hides a route that the token earns: when route u's pattern
//     reaches paths of route e, every token that earns e earns u (its
//     scopes, one of its groups, its issuers, its bound parameters).
//
// Terraform's modules/route-rules returns the same lines for the same set;
// testdata/route_sets.json holds the cases both are tested against.
func RouteConflicts(routes []Route, issuers []string, bound ...string) []string {
	shapes := make([]shape, len(routes))
	for i, r := range routes {
		shapes[i] = shapeOf(r.Route, bound)
	}
	var out []string
	for i := range shapes {
		for j := i + 1; j < len(shapes); j++ {
			if line := siblings(shapes[i], shapes[j]); line != "" {
				out = append(out, line)
			}
		}
	}
	for i, r := range routes {
		if s := shapes[i]; len(issuers) > 1 && len(s.binds) > 0 && len(r.Issuers) != 1 {
			what := "value"
			if s.binds[0] == UserIDPlaceholder {
				what = "user id"
			}
			out = append(out, fmt.Sprintf("route %q holds %s: with %d issuers it must name exactly one of them (two issuers may mint the same %s)",
				s.key, s.binds[0], len(issuers), what))
		}
	}
	for i, u := range routes {
		for j, e := range routes {
			a, b := shapes[i], shapes[j]
			if !reaches(a, b) {
				continue
			}
			switch {
			case b.user < 0 || a.sameUser(b) || !allowReaches(a, b):
			case len(b.binds) == 1 && b.binds[0] == UserIDPlaceholder:
				out = append(out, fmt.Sprintf("routes %q and %q: the first can reach other users' paths of the second; bind %s at the same segment, after the same literal segments",
					a.key, b.key, UserIDPlaceholder))
			default:
				out = append(out, fmt.Sprintf("routes %q and %q: the first can reach other tokens' paths of the second; hold %s at the same segments, after the same literal segments",
					a.key, b.key, strings.Join(b.binds, ",")))
			}
			if fix := earnFix(u, e, a, b, issuers); fix != "" {
				out = append(out, fmt.Sprintf("routes %q and %q: the first's Deny can hide the second from a token that earns only the second; %s",
					a.key, b.key, fix))
			}
		}
	}
	return out
}

// siblings returns a line when a and b put two different variables under
// one parent resource, which API Gateway refuses ("A sibling ({id}) of this
// resource already has a variable path part"); whatever the verbs, since
// every route of the API shares one resource tree.
func siblings(a, b shape) string {
	if b.key < a.key {
		a, b = b, a
	}
	for k := 0; k < len(a.segs) && k < len(b.segs); k++ {
		va, vb := a.kinds[k] != kindLiteral, b.kinds[k] != kindLiteral
		if va && vb && a.segs[k] != b.segs[k] {
			return fmt.Sprintf("routes %q and %q: API Gateway allows one variable per parent (%s and %s under %q)",
				a.key, b.key, variable(a.segs[k]), variable(b.segs[k]), "/"+strings.Join(a.segs[:k], "/"))
		}
		if a.segs[k] != b.segs[k] {
			return ""
		}
	}
	return ""
}

// variable names a path part as API Gateway's tree holds it.
func variable(seg string) string {
	if seg == "*" {
		return "{proxy+}"
	}
	return seg
}

// earnFix says what e (shape es) must require so that every token earning e
// earns u (shape us) too, or "" when it already does.
func earnFix(u, e Route, us, es shape, issuers []string) string {
	var fixes []string
	var scopes []string
	for _, s := range u.Scopes {
		if !slices.Contains(e.Scopes, s) && !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	if len(scopes) > 0 {
		slices.Sort(scopes)
		fixes = append(fixes, "add scopes "+strings.Join(scopes, ",")+" to the second")
	}
	// A token holds one of u's groups if it holds one of e's, each of
	// which is one of u's.
	if len(u.Groups) > 0 && (len(e.Groups) == 0 || slices.ContainsFunc(e.Groups, func(g string) bool { return !slices.Contains(u.Groups, g) })) {
		fixes = append(fixes, "name on the second only groups among "+strings.Join(orAll(u.Groups, nil), ","))
	}
	uIss, eIss := orAll(u.Issuers, issuers), orAll(e.Issuers, issuers)
	if slices.ContainsFunc(eIss, func(n string) bool { return !slices.Contains(uIss, n) }) {
		fixes = append(fixes, "name on the second only issuers among "+strings.Join(uIss, ","))
	}
	// A token without the claim of a bound parameter earns no route that
	// holds it; every token has a user id.
	var params []string
	for _, p := range us.binds {
		if p != UserIDPlaceholder && !slices.Contains(es.binds, p) {
			params = append(params, p)
		}
	}
	if len(params) > 0 {
		fixes = append(fixes, "hold "+strings.Join(params, ",")+" in the second too")
	}
	return strings.Join(fixes, " and ")
}

// orAll returns names sorted and deduplicated, or all when names is empty.
func orAll(names, all []string) []string {
	if len(names) == 0 {
		names = all
	}
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}
