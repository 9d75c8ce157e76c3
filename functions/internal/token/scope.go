package token

import "strings"

// scopeClaims are the two claims that carry scopes: "scope" (RFC 9068 §2.2.3,
// Cognito, Auth0) and "scp" (Okta, Entra ID). Each may be one
// space-delimited string (RFC 6749 §3.3; Entra ID sends scp so) or an array
// of strings (Okta sends scp so); anything else refuses the token.
var scopeClaims = [...]string{"scope", "scp"}

// readScopes returns the raw scope (the first scope claim present; an array
// joined by spaces) and every scope of both claims, or the name of a scope
// claim of a wrong type.
func readScopes(ms *members) (raw string, all []string, bad string) {
	found := false
	for _, name := range scopeClaims {
		m := ms.get(name)
		if m == nil {
			continue
		}
		if s, ok := m.str(); ok {
			if !found {
				raw = s
			}
			all = appendFields(all, s)
		} else if list, ok := m.strs(); ok {
			if !found {
				raw = strings.Join(list, " ")
			}
			all = append(all, list...)
		} else {
			return "", nil, name
		}
		found = true
	}
	return raw, all, ""
}

// appendFields appends the scopes of a space-delimited string: split on
// spaces only (a tab is part of a scope), empty ones dropped.
func appendFields(all []string, s string) []string {
	all = append(make([]string, 0, len(all)+strings.Count(s, " ")+1), all...)
	for part := range strings.SplitSeq(s, " ") {
		if part != "" {
			all = append(all, part)
		}
	}
	return all
}
