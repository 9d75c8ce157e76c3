package policy_test

import (
	"errors"
	"fmt"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

func Example() {
	b, err := policy.NewBuilder([]config.Route{
		{Route: "GET/users/{userId}/orders/{orderId}", Scopes: []string{"orders.read"}},
		{Route: "GET/catalog/*"},
		{Route: "GET/admin/reports", Scopes: []string{"admin"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	arn, err := policy.ParseMethodARN("arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/users/alice/orders/7")
	if err != nil {
		fmt.Println(err)
		return
	}
	// The claims come from the verified token (token.Verifier).
	resp, _ := b.Response(arn, token.Claims{UserID: "alice", Scopes: []string{"orders.read"}, IssuerName: "default"})
	st := resp.PolicyDocument.Statement[0]
	fmt.Println(st.Effect)
	for _, r := range st.Resource {
		fmt.Println(r)
	}

	// A route set the token earns nothing of: an explicit Deny on the stage.
	none, _ := policy.NewBuilder([]config.Route{{Route: "GET/admin/reports", Scopes: []string{"admin"}}})
	denied, err := none.Response(arn, token.Claims{UserID: "alice"})
	st = denied.PolicyDocument.Statement[0]
	fmt.Println(st.Effect, st.Resource, errors.Is(err, policy.ErrNoRoute))
	// Output:
	// Allow
	// arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/users/alice/orders/*
	// arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/catalog/*
	// Deny [arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*] true
}
