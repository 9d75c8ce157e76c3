package token_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/config"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// staticKeys is a token.Keys over fixed keys; the keys package is the real one.
type staticKeys map[string]*jose.JSONWebKey

func (s staticKeys) Key(_ context.Context, kid string) (*jose.JSONWebKey, error) {
	if k, ok := s[kid]; ok {
		return k, nil
	}
	return nil, errors.New("unknown kid")
}

func Example() {
	signer := jwttest.NewRSA("key-1", 2048)
	jwk := signer.JWK()
	cfg := &config.Authorizer{ // as config.FromEnv returns it
		Issuers: []config.Issuer{{
			Name: "default", Issuer: "https://issuer.example.com",
			ClientIDs: []string{"client-1"}, UserIDClaim: "sub",
		}},
		RequiredScopes: []string{"orders.read"},
		Algorithms:     []string{"RS256"},
		ClockSkew:      time.Minute,
	}
	v, err := token.New(cfg, map[string]token.Keys{"default": staticKeys{"key-1": &jwk}}, nil)
	if err != nil {
		panic(err)
	}
	claims := jwttest.Claims("https://issuer.example.com", "user-1", time.Now())
	claims["client_id"], claims["scope"] = "client-1", "orders.read orders.write"

	raw, _ := token.Extract("Bearer " + signer.Mint(nil, claims))
	c, err := v.Verify(context.Background(), raw)
	fmt.Println(c.UserID, c.IssuerName, c.ClientID, c.Scopes, err)

	claims["client_id"] = "client-2"
	_, err = v.Verify(context.Background(), signer.Mint(nil, claims))
	fmt.Println(errors.Is(err, token.ErrClientID), err)
	// Output:
	// user-1 default client-1 [orders.read orders.write] <nil>
	// true check client id: client id mismatch
}
