package authorizer

import (
	"context"
	"errors"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/metrics"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// denialReasons names each sentinel a denial may wrap: the Reason dimension of the
// Denials metric, stable across releases whatever the errors' messages say.
// The most specific comes first (an unknown kid is also an ErrKey). fault
// marks the refusals that are not the token's doing: their Result is error.
var denialReasons = []struct {
	err   error
	name  string
	fault bool
}{
	{ErrPanic, "panic", true},
	{keys.ErrUnavailable, "keys_unavailable", true},
	{context.DeadlineExceeded, "timeout", true},
	{context.Canceled, "canceled", true},
	{policy.ErrRoute, "route_config", true},
	{ErrEventType, "event_type", false},
	{policy.ErrMethodARN, "method_arn", false},
	{policy.ErrPathValue, "path_value", false},
	{policy.ErrUserID, "user_id", false},
	{policy.ErrNoRoute, "no_route", false},
	{keys.ErrKeyNotFound, "key_not_found", false},
	{token.ErrMissing, "missing", false},
	{token.ErrMalformed, "malformed", false},
	{token.ErrHeader, "header", false},
	{token.ErrAlgorithm, "algorithm", false},
	{token.ErrKey, "key", false},
	{token.ErrSignature, "signature", false},
	{token.ErrExpired, "expired", false},
	{token.ErrNotYetValid, "not_yet_valid", false},
	{token.ErrUnknownIssuer, "unknown_issuer", false},
	{token.ErrIssuer, "issuer", false},
	{token.ErrAudience, "audience", false},
	{token.ErrClientID, "client_id", false},
	{token.ErrTokenUse, "token_use", false},
	{token.ErrScope, "scope", false},
	{token.ErrUserIDClaim, "user_id_claim", false},
	{token.ErrGroupsClaim, "groups_claim", false},
	{token.ErrPathClaim, "path_claim", false},
	{token.ErrClaims, "claims", false},
}

// reasonOf returns the stable name of err's sentinel ("other" for none) and
// the verdict's result: error for a fault, else unauthorized.
func reasonOf(err error) (string, metrics.Result) {
	for _, r := range denialReasons {
		if errors.Is(err, r.err) {
			if r.fault {
				return r.name, metrics.Error
			}
			return r.name, metrics.Unauthorized
		}
	}
	return metrics.Other, metrics.Unauthorized
}
