package authorizer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/authorizer"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

func Example() {
	// An issuer publishing one key (the tests' stand-in for Cognito).
	key := jwttest.NewRSA("key-1", 2048)
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(jwttest.JWKS(key)) }))
	defer jwks.Close()

	// What config.FromEnv returns for ISSUER, JWKS_URL, CLIENT_IDS and
	// ROUTES: GET/orders/{orderId} needs the orders.read scope.
	cfg := &config.Authorizer{
		Issuers: []config.Issuer{{Name: "default", Issuer: "https://issuer.example.com",
			JWKSURL: jwks.URL, ClientIDs: []string{"client-1"}, UserIDClaim: "sub"}},
		Routes: []config.Route{
			{Route: "GET/users/{userId}"},
			{Route: "GET/orders/{orderId}", Scopes: []string{"orders.read"}},
		},
		Algorithms:       []string{"RS256"},
		KeysCacheTTL:     time.Hour,
		JWKSFetchTimeout: 2 * time.Second,
		ClockSkew:        time.Minute,
	}
	h, warmed, err := authorizer.FromConfig(context.Background(), cfg, authorizer.Deps{})
	if err != nil {
		panic(err)
	}
	<-warmed

	claims := jwttest.Claims("https://issuer.example.com", "alice", time.Now())
	claims["client_id"], claims["scope"] = "client-1", "orders.read"
	resp, err := h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type:               "TOKEN",
		AuthorizationToken: "Bearer " + key.Mint(nil, claims),
		MethodArn:          "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/GET/orders/42",
	})
	fmt.Println(resp.PrincipalID, resp.PolicyDocument.Statement[0].Effect, err)
	for _, r := range resp.PolicyDocument.Statement[0].Resource {
		fmt.Println(r)
	}

	claims["client_id"] = "client-2"
	_, err = h.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: "Bearer " + key.Mint(nil, claims),
		MethodArn: "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/GET/orders/42",
	})
	fmt.Println(err)
	// Output:
	// alice Allow <nil>
	// arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/GET/users/alice
	// arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/GET/orders/*
	// Unauthorized
}
