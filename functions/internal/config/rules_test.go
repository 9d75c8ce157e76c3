package config

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// routeSet is one case of testdata/route_sets.json, the table that
// modules/route-rules/tests reads too: the Go and Terraform rules cannot
// drift apart.
type routeSet struct {
	Name    string   `json:"name"`
	Issuers []string `json:"issuers"`
	Bound   []string `json:"bound"` // parameters the issuers bind (path_claims)
	Routes  map[string]struct {
		Scopes  []string `json:"scopes"`
		Issuers []string `json:"issuers"`
		Groups  []string `json:"groups"`
	} `json:"routes"`
	Invalid   []string `json:"invalid"`   // keys ValidateRoute refuses
	Conflicts []string `json:"conflicts"` // RouteConflicts' lines, in any order
}

func readRouteSets(t *testing.T) []routeSet {
	t.Helper()
	b, err := os.ReadFile("testdata/route_sets.json")
	if err != nil {
		t.Fatal(err)
	}
	var sets []routeSet
	if err := json.Unmarshal(b, &sets); err != nil {
		t.Fatal(err)
	}
	return sets
}

func TestRouteSets(t *testing.T) {
	for _, set := range readRouteSets(t) {
		t.Run(set.Name, func(t *testing.T) {
			var routes []Route
			var invalid []string
			for key, r := range set.Routes {
				route := strings.Replace(key, " ", "", 1)
				if ValidateRoute(route, set.Bound...) != nil {
					invalid = append(invalid, key)
					continue
				}
				routes = append(routes, Route{Route: route, Scopes: r.Scopes, Issuers: r.Issuers, Groups: r.Groups})
			}
			if !sameSet(invalid, set.Invalid) {
				t.Errorf("invalid routes\n got  %q\n want %q", invalid, set.Invalid)
			}
			got := RouteConflicts(routes, set.Issuers, set.Bound...)
			if !sameSet(got, set.Conflicts) {
				t.Errorf("conflicts\n got  %q\n want %q", got, set.Conflicts)
			}
			// The cold start refuses exactly the sets the table refuses;
			// every issuer binds the table's bound parameters.
			issuers := make([]Issuer, len(set.Issuers))
			for i, n := range set.Issuers {
				issuers[i] = Issuer{Name: n, PathClaims: map[string]string{}}
				for _, p := range set.Bound {
					issuers[i].PathClaims[p] = "custom:" + p
				}
			}
			err := checkRoutes(routes, issuers)
			if (err != nil) != (len(set.Conflicts) > 0) {
				t.Errorf("checkRoutes: %v, want an error: %v", err, len(set.Conflicts) > 0)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
