//go:build moto

package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keystore"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

// TestSetupWithTable: with KEYS_TABLE_NAME the cold start stores the JWKS
// in DynamoDB (moto) under JWKS#<jwks url>.
func TestSetupWithTable(t *testing.T) {
	srv := moto.Start(t)
	ctx := context.Background()
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	table, db := srv.CreateKeysTable(t, "authorizer-main-test-")
	key := jwttest.NewRSA("kid-1", 2048)
	iss := jwttest.NewIssuer(key)
	t.Cleanup(iss.Close)
	t.Setenv("ISSUER", "https://issuer.example.com")
	t.Setenv("JWKS_URL", iss.JWKSURL())
	t.Setenv("AUDIENCES", "api://default")
	t.Setenv("KEYS_TABLE_NAME", table)
	var logs jwttest.Log
	_, warmed, err := setup(ctx, slog.New(slog.NewJSONHandler(&logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	waitWarm(t, warmed, &logs)
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{keystore.AttrPK: &types.AttributeValueMemberS{Value: keystore.PartitionKey(iss.JWKSURL())}}})
	if err != nil || len(out.Item) == 0 {
		t.Fatalf("no item stored: %v; logs: %s", err, logs.String())
	}
	if b, _ := json.Marshal(out.Item); !strings.Contains(string(b), "kid-1") {
		t.Fatalf("item without the key: %s", b)
	}
}
