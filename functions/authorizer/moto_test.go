//go:build moto

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
	cfg, err := srv.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	table := "authorizer-main-test"
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(keystore.AttrPK), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(keystore.AttrPK), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil && !strings.Contains(err.Error(), "ResourceInUse") {
		t.Fatal(err)
	}
	key := jwttest.NewRSA("kid-1", 2048)
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(jwttest.JWKS(key)) }))
	defer issuer.Close()
	t.Setenv("ISSUER", "https://issuer.example.com")
	t.Setenv("JWKS_URL", issuer.URL+"/jwks")
	t.Setenv("AUDIENCES", "api://default")
	t.Setenv("KEYS_TABLE_NAME", table)
	var logs bytes.Buffer
	if _, _, err := setup(ctx, slog.New(slog.NewJSONHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table),
			Key: map[string]types.AttributeValue{keystore.AttrPK: &types.AttributeValueMemberS{Value: keystore.PartitionKey(issuer.URL + "/jwks")}}})
		if err == nil && len(out.Item) > 0 {
			b, _ := json.Marshal(out.Item)
			if !strings.Contains(string(b), "kid-1") {
				t.Fatalf("item without the key: %s", b)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no item stored: %v; logs: %s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
