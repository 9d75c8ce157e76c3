package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Route is one route a token may earn: the policy allows it when the token
// carries all its scopes, holds one of its groups, comes from one of its
// issuers and holds a value for each of its bound parameters.
type Route struct {
	Route   string   // "VERB/path" as validated by ValidateRoute
	Scopes  []string // all required for this route
	Issuers []string // Issuer.Name values; empty = all issuers
	Groups  []string // at least one required; empty = no group required
}

// UserIDPlaceholder is the path segment the policy replaces with the
// validated user id. A route holds it at most once; without it the route is
// open to every caller who passes the checks.
const UserIDPlaceholder = "{userId}"

// Verbs a route may start with. No "*": "*/users/{userId}" let a cached
// policy match "GET/users/bob/users/alice". No OPTIONS: CORS preflights
// carry no token.
var verbs = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}

// routeJSON is one ROUTES entry as written.
type routeJSON struct {
	Route   string   `json:"route"`
	Scopes  []string `json:"scopes"`
	Issuers []string `json:"issuers"`
	Groups  []string `json:"groups"`
}

func routesFromEnv(getenv func(string) string, issuers []Issuer) ([]Route, error) {
	full := strings.TrimSpace(getenv("ROUTES"))
	short := strings.TrimSpace(getenv("ALLOWED_ROUTES"))
	name := "ROUTES"
	var routes []Route
	switch {
	case full != "" && short != "":
		return nil, invalid("ROUTES", "set together with ALLOWED_ROUTES; use one form only")
	case full != "":
		entries, err := decodeStrict[routeJSON](full, "route", "scopes", "issuers", "groups")
		if err != nil {
			return nil, invalid("ROUTES", "%v", err)
		}
		if len(entries) == 0 {
			return nil, invalid("ROUTES", "no entries")
		}
		for _, e := range entries {
			routes = append(routes, Route(e))
		}
	case short != "":
		name = "ALLOWED_ROUTES"
		for _, r := range list(short) {
			routes = append(routes, Route{Route: r})
		}
	default:
		routes = []Route{{Route: DefaultRoute}}
	}
	if err := checkRoutes(routes, issuers); err != nil {
		return nil, invalid(name, "%v", err)
	}
	return routes, nil
}

// checkRoutes applies the rules of each route and those between routes
// (rules.go).
func checkRoutes(routes []Route, issuers []Issuer) error {
	bound := BoundParams(issuers)
	names := make([]string, len(issuers))
	for i, iss := range issuers {
		names[i] = iss.Name
	}
	seen := map[string]bool{}
	for _, r := range routes {
		if err := ValidateRoute(r.Route, bound...); err != nil {
			return err
		}
		if seen[r.Route] {
			return fmt.Errorf("route %q given twice", r.Route)
		}
		seen[r.Route] = true
		// Group names follow the scope rule: a claim may hold them as one
		// space-separated string.
		for _, list := range [][]string{r.Scopes, r.Groups} {
			if err := checkScopes(list); err != nil {
				return fmt.Errorf("route %q: %w", r.Route, err)
			}
		}
		for _, name := range r.Issuers {
			if !slices.Contains(names, name) {
				return fmt.Errorf("route %q: no issuer is named %q", r.Route, name)
			}
		}
		// Each issuer the route accepts binds each of its bound parameters.
		for _, p := range shapeOf(r.Route, bound).binds {
			for _, iss := range issuers {
				_, ok := iss.PathClaims[p[1:len(p)-1]]
				if p != UserIDPlaceholder && !ok && slices.Contains(orAll(r.Issuers, names), iss.Name) {
					return fmt.Errorf("route %q: issuer %q binds no claim to %s (path_claims)", r.Route, iss.Name, p)
				}
			}
		}
	}
	if conflicts := RouteConflicts(routes, names, bound...); len(conflicts) > 0 {
		return errors.New(strings.Join(conflicts, "; "))
	}
	return nil
}

// ValidateRoute checks one route "VERB/path"; bound are the parameter names
// the issuers bind to a claim (BoundParams). The path is "" (the root
// resource) or "/"-separated segments, each one of:
//   - a literal of [A-Za-z0-9._:-] (what API Gateway accepts in a path
//     part; so no ARN wildcard "*" or "?" and no braces), not "." or "..";
//   - a bound parameter, {userId} or one of bound: at most once, and after
//     literal segments and bound parameters only (an unbound parameter
//     before it is a "*" in the policy, which would let user "documents"
//     of "GET/{tenant}/{userId}/*" reach "GET/acme/bob/documents/x");
//   - another parameter {name}, name of [A-Za-z_][A-Za-z0-9_]*; the policy
//     writes "*";
//   - "*", only as the final segment and only after a literal or a bound
//     parameter.
func ValidateRoute(r string, bound ...string) error {
	verb, path, ok := strings.Cut(r, "/")
	if !ok || !slices.Contains(verbs, verb) {
		return fmt.Errorf("route %q: want VERB/path, VERB one of %s", r, strings.Join(verbs, " "))
	}
	if path == "" {
		return nil
	}
	segs := strings.Split(path, "/")
	unbound := func(s string) bool { return isParam(s) && !isBound(s, bound) }
	for n, s := range segs {
		var err error
		switch {
		case isBound(s, bound):
			if slices.Contains(segs[:n], s) {
				err = fmt.Errorf("%s more than once", s)
			} else if slices.ContainsFunc(segs[:n], unbound) {
				err = fmt.Errorf("only literal segments and bound parameters may come before %s", s)
			} else if s != UserIDPlaceholder {
				err = checkParam(s[1 : len(s)-1])
			}
		case s == "*":
			if n != len(segs)-1 || n == 0 || unbound(segs[n-1]) {
				err = errors.New(`"*" only as the final segment, after a literal segment or a bound parameter such as ` + UserIDPlaceholder)
			}
		case isParam(s):
			err = checkParam(s[1 : len(s)-1])
		default:
			err = checkLiteral(s)
		}
		if err != nil {
			return fmt.Errorf("route %q: segment %d: %w", r, n+1, err)
		}
	}
	return nil
}

func isParam(s string) bool {
	return len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}'
}

// isBound reports whether segment s is {userId} or {p} for p in bound: a
// parameter the policy writes as the token's own value.
func isBound(s string, bound []string) bool {
	return s == UserIDPlaceholder || isParam(s) && slices.Contains(bound, s[1:len(s)-1])
}

func checkParam(name string) error {
	if strings.EqualFold(name, "userId") {
		// {userid} would silently be a wildcard for every user.
		return fmt.Errorf("{%s}: write %s", name, UserIDPlaceholder)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		// API Gateway reads {1abc} as a literal, not a parameter.
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || i > 0 && '0' <= c && c <= '9') {
			return fmt.Errorf("{%s}: parameter names are [A-Za-z_][A-Za-z0-9_]*; for a greedy {proxy+} write a final /*", name)
		}
	}
	return nil
}

func checkLiteral(s string) error {
	if s == "" {
		return errors.New("empty segment")
	}
	if s == "." || s == ".." {
		return errors.New("dot segment")
	}
	for i := 0; i < len(s); i++ {
		// API Gateway's own rule for a resource's path part ("only allow
		// a-zA-Z0-9._-:"); it refuses the rest when the resource is created.
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._-:", c) >= 0) {
			return fmt.Errorf("forbidden byte %q: API Gateway allows A-Z a-z 0-9 . _ - : in a path part (parameters must be whole segments)", c)
		}
	}
	return nil
}
