// Package config turns the Lambda environment into typed settings.
//
// Every setting of the functions is read and checked here, once, at cold
// start, so that a misconfiguration fails the cold start with one error
// naming the variable, instead of rejecting every request later. The other
// packages trust the typed result and repeat none of the checks. Each
// default is an exported constant of this package and lives nowhere else.
//
// Issuers come from the one-issuer form (ISSUER, JWKS_URL, AUDIENCES,
// CLIENT_IDS, TOKEN_USE, USER_ID_CLAIM: one entry named "default") or from
// ISSUERS, a JSON array; routes from ROUTES, a JSON array, or from
// ALLOWED_ROUTES, the shorthand for routes without scopes open to all
// issuers. JSON settings are decoded strictly: unknown members, members
// written in another case and members given twice are errors.
//
// A duration of 0 means what it says: KEYS_MAX_STALE_SECONDS=0 never serves
// keys past their TTL, JWKS_REFETCH_MIN_INTERVAL_SECONDS=0 sets no window
// between two fetches for an unknown kid, and CLOCK_SKEW_SECONDS=0 allows no
// leeway.
//
// Errors wrap ErrInvalidSetting.
package config
