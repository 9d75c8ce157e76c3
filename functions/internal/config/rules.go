package config

import (
	"fmt"
	"slices"
	"strings"
)

// RouteConflicts returns one line for each way the policy of routes could
// grant a path that API Gateway routes to a route the token does not earn,
// or hide a route it does earn; none means the set is sound. issuers are
// the configured issuer names (a route naming none accepts them all).
//
// The policy (package policy) allows each route a token earns, with
// {userId} written as the token's user id and every other parameter as
// "*", and denies each route it does not earn, with every parameter as "*".
// A Deny wins in API Gateway, so a wildcard never reaches a route the token
// does not earn. Three things remain to check:
//
//   - API Gateway's tree holds one variable per parent;
//   - with two or more issuers a {userId} route names exactly one, since two
//     issuers may mint the same user id for different people;
//   - no route's resource reaches another user's paths of a {userId} route,
//     unless it binds {userId} at the same segment under the same literals
//     (only literals may precede {userId}: ValidateRoute);
//   - no Deny hides a route that the token earns: when route u's pattern
//     reaches paths of route e, every token that earns e earns u.
//
// Terraform's modules/route-rules returns the same lines for the same set;
// testdata/route_sets.json holds the cases both are tested against.
func RouteConflicts(routes []Route, issuers []string) []string {
	shapes := make([]shape, len(routes))
	for i, r := range routes {
		shapes[i] = shapeOf(r.Route)
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
		if len(issuers) > 1 && shapes[i].user >= 0 && len(r.Issuers) != 1 {
			out = append(out, fmt.Sprintf("route %q holds %s: with %d issuers it must name exactly one of them (two issuers may mint the same user id)",
				shapes[i].key, UserIDPlaceholder, len(issuers)))
		}
	}
	for i, u := range routes {
		for j, e := range routes {
			a, b := shapes[i], shapes[j]
			if !reaches(a, b) {
				continue
			}
			if b.user >= 0 && !a.sameUser(b) {
				out = append(out, fmt.Sprintf("routes %q and %q: the first can reach other users' paths of the second; bind %s at the same segment, after the same literal segments",
					a.key, b.key, UserIDPlaceholder))
			}
			if fix := earnFix(u, e, issuers); fix != "" {
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

// earnFix says what e must require so that every token earning e earns u
// too, or "" when it already does.
func earnFix(u, e Route, issuers []string) string {
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
	uIss, eIss := orAll(u.Issuers, issuers), orAll(e.Issuers, issuers)
	if slices.ContainsFunc(eIss, func(n string) bool { return !slices.Contains(uIss, n) }) {
		fixes = append(fixes, "name on the second only issuers among "+strings.Join(uIss, ","))
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
