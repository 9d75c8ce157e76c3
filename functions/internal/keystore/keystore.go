// Package keystore keeps the issuer's JWKS in one shared DynamoDB item so
// that a cold start reads it instead of calling the issuer.
//
// Table: named by KEYS_TABLE_NAME (EnvTable); partition key AttrPK ("PK",
// string), no sort key. TTL must be enabled on AttrExpiresAt ("expires_at"),
// which the Terraform module does; DynamoDB deletes expired items lazily, so
// readers check expires_at themselves (package keys does).
//
// Item:
//
//	PK          S  caller-chosen, PartitionKey(source) = "JWKS#<jwks url or issuer>"
//	jwks        S  the JWKS JSON (public keys only, as re-encoded by jwks.ParseSet)
//	fetched_at  N  unix seconds of the issuer fetch
//	expires_at  N  unix seconds after which the item is stale (the TTL attribute)
//
// Writes are single PutItems (atomic per item) with the condition
// "attribute_not_exists(PK) OR NOT attribute_type(fetched_at, N) OR
// fetched_at < :new": concurrent cold starts can race freely, and an older
// fetch never replaces a newer one (a failed condition is a success).
package keystore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
)

// Names of the table setting and the item's attributes.
const (
	EnvTable      = "KEYS_TABLE_NAME"
	AttrPK        = "PK"
	AttrJWKS      = "jwks"
	AttrFetchedAt = "fetched_at"
	AttrExpiresAt = "expires_at"
	PKPrefix      = "JWKS#"
	// MaxJWKSBytes keeps the item well under DynamoDB's 400 KB limit.
	MaxJWKSBytes = 350_000
)

// Sentinel errors.
var (
	// ErrNotFound: no item (it is keys.ErrNoEntry, so the Provider can tell
	// a miss from a fault).
	ErrNotFound = keys.ErrNoEntry
	// ErrInvalidItem: the item exists but is not a well-formed entry, or an
	// entry cannot be stored.
	ErrInvalidItem = errors.New("keystore: invalid item")
	// ErrDynamoDB wraps every error returned by the DynamoDB client.
	ErrDynamoDB = errors.New("keystore: DynamoDB request failed")
)

// API is the part of *dynamodb.Client the store uses.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Dynamo is one item of the keys table; it implements keys.Store.
type Dynamo struct {
	api   API
	table string
	pk    string
}

var _ keys.Store = (*Dynamo)(nil)

// New returns the store for item pk of table.
func New(api API, table, pk string) *Dynamo {
	return &Dynamo{api: api, table: table, pk: pk}
}

// NewFromConfig builds the DynamoDB client from cfg (the authorizer's comes
// from awsenv.FromEnv, whose BaseEndpoint honours the SDK's standard
// AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL).
func NewFromConfig(cfg aws.Config, table, pk string) *Dynamo {
	return New(dynamodb.NewFromConfig(cfg), table, pk)
}

// PartitionKey returns the PK for keys fetched from source (the JWKS URL,
// or the issuer when the JWKS URL is discovered).
func PartitionKey(source string) string { return PKPrefix + source }

// Load reads the item. A missing item wraps ErrNotFound; a malformed one
// ErrInvalidItem; a client failure ErrDynamoDB. A nil *Dynamo holds nothing.
func (d *Dynamo) Load(ctx context.Context) (keys.Entry, error) {
	if d == nil {
		return keys.Entry{}, fmt.Errorf("load keys item: %w", ErrNotFound)
	}
	out, err := d.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(d.table),
		Key:       map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: d.pk}},
	})
	if err != nil {
		return keys.Entry{}, fmt.Errorf("load keys item %s: %w: %w", d.table, ErrDynamoDB, err)
	}
	if len(out.Item) == 0 {
		return keys.Entry{}, fmt.Errorf("load keys item %s/%s: %w", d.table, d.pk, ErrNotFound)
	}
	e, err := decode(out.Item)
	if err != nil {
		return keys.Entry{}, fmt.Errorf("load keys item %s/%s: %w", d.table, d.pk, err)
	}
	return e, nil
}

// Save writes e unless the stored item was fetched at the same time or
// later (then it returns nil: the newer item wins).
func (d *Dynamo) Save(ctx context.Context, e keys.Entry) error {
	if d == nil {
		return nil
	}
	if len(e.JWKS) == 0 || len(e.JWKS) > MaxJWKSBytes {
		return fmt.Errorf("save keys item: %w: jwks of %d bytes", ErrInvalidItem, len(e.JWKS))
	}
	if e.FetchedAt.IsZero() || e.ExpiresAt.Before(e.FetchedAt) {
		return fmt.Errorf("save keys item: %w: fetched_at %v, expires_at %v", ErrInvalidItem, e.FetchedAt, e.ExpiresAt)
	}
	fetched := num(e.FetchedAt.Unix())
	_, err := d.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(d.table),
		Item: map[string]types.AttributeValue{
			AttrPK:        &types.AttributeValueMemberS{Value: d.pk},
			AttrJWKS:      &types.AttributeValueMemberS{Value: string(e.JWKS)},
			AttrFetchedAt: fetched,
			AttrExpiresAt: num(e.ExpiresAt.Unix()),
		},
		ConditionExpression: aws.String("attribute_not_exists(#pk) OR NOT attribute_type(#f, :n) OR #f < :f"),
		ExpressionAttributeNames: map[string]string{
			"#pk": AttrPK,
			"#f":  AttrFetchedAt,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":f": fetched,
			":n": &types.AttributeValueMemberS{Value: "N"},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("save keys item %s: %w: %w", d.table, ErrDynamoDB, err)
	}
	return nil
}

func num(v int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func decode(item map[string]types.AttributeValue) (keys.Entry, error) {
	j, ok := item[AttrJWKS].(*types.AttributeValueMemberS)
	if !ok || j.Value == "" {
		return keys.Entry{}, fmt.Errorf("%w: %s is not a non-empty string", ErrInvalidItem, AttrJWKS)
	}
	f, err := unix(item, AttrFetchedAt)
	if err != nil {
		return keys.Entry{}, err
	}
	x, err := unix(item, AttrExpiresAt)
	if err != nil {
		return keys.Entry{}, err
	}
	return keys.Entry{JWKS: []byte(j.Value), FetchedAt: f, ExpiresAt: x}, nil
}

func unix(item map[string]types.AttributeValue, name string) (time.Time, error) {
	n, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: %s is not a number", ErrInvalidItem, name)
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || v <= 0 || v > 1<<40 {
		return time.Time{}, fmt.Errorf("%w: %s = %.32q", ErrInvalidItem, name, n.Value)
	}
	return time.Unix(int64(v), 0), nil
}
