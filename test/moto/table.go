package moto

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// KeysTableHashKey is the key cache table's string partition key, the
// contract of functions/internal/keystore (AttrPK) and modules/key-cache.
const KeysTableHashKey = "PK"

// CreateKeysTable creates a key cache table named prefix plus a random
// suffix, deletes it when tb ends, and returns its name and a client.
func (s *Server) CreateKeysTable(tb testing.TB, prefix string) (string, *dynamodb.Client) {
	tb.Helper()
	ctx := context.Background()
	cfg, err := s.Config(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	name := prefix + hex.EncodeToString(rnd[:])
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(KeysTableHashKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(KeysTableHashKey), KeyType: types.KeyTypeHash}},
	})
	// The name is ours alone: "in use" means the SDK retried this call after
	// moto had created the table but answered too late on a loaded machine.
	if inUse := (*types.ResourceInUseException)(nil); err != nil && !errors.As(err, &inUse) {
		tb.Fatalf("create table %s: %v", name, err)
	}
	tb.Cleanup(func() {
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name, db
}
