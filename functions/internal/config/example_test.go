package config_test

import (
	"fmt"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
)

func ExampleFromEnv() {
	env := map[string]string{
		"ISSUERS": `[
			{"name": "okta", "issuer": "https://example.okta.com/oauth2/default", "audiences": ["api://orders"]},
			{"name": "cognito", "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example",
			 "client_ids": ["4k1example"], "token_use": "access", "user_id_claim": "username"}
		]`,
		"ROUTES": `[
			{"route": "GET/users/{userId}/orders/{orderId}", "scopes": ["orders.read"], "issuers": ["cognito"]},
			{"route": "GET/catalog/*"}
		]`,
		"KEYS_MAX_STALE_SECONDS": "0",
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, i := range cfg.Issuers {
		fmt.Printf("issuer %s: %s, user id claim %q\n", i.Name, i.Issuer, i.UserIDClaim)
	}
	for _, r := range cfg.Routes {
		fmt.Printf("route %s scopes %q issuers %q\n", r.Route, r.Scopes, r.Issuers)
	}
	fmt.Println("algorithms", cfg.Algorithms, "max stale", cfg.KeysMaxStale)

	env["ROUTES"] = `[{"route": "GET/users/{userId}"}]`
	_, err = config.FromEnv(func(k string) string { return env[k] })
	fmt.Println(err)
	// Output:
	// issuer okta: https://example.okta.com/oauth2/default, user id claim "sub"
	// issuer cognito: https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example, user id claim "username"
	// route GET/users/{userId}/orders/{orderId} scopes ["orders.read"] issuers ["cognito"]
	// route GET/catalog/* scopes [] issuers []
	// algorithms [RS256] max stale 0s
	// read ROUTES: route "GET /users/{userId}" holds {userId}: with 2 issuers it must name exactly one of them (two issuers may mint the same user id): invalid setting
}
