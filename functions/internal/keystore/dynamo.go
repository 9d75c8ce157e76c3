package keystore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
)

// ErrDynamoDB wraps every error returned by the DynamoDB client. The
// item's own faults are keys' sentinels, so that the Provider tells them
// apart: keys.ErrNoEntry (no item, or one holding only a lease) and
// keys.ErrInvalidEntry (not a well-formed entry, or one that cannot be
// stored; the Provider replaces it rather than treating DynamoDB as down).
var ErrDynamoDB = errors.New("keystore: DynamoDB request failed")

// API is the part of *dynamodb.Client the store uses: the role needs these
// two actions and no other.
type API interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
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

func (d *Dynamo) key() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: d.pk}}
}

// Load reads the item. A missing or lease-only item wraps keys.ErrNoEntry;
// a malformed one keys.ErrInvalidEntry; a client failure ErrDynamoDB. A nil
// *Dynamo holds nothing.
func (d *Dynamo) Load(ctx context.Context) (keys.Entry, error) {
	if d == nil {
		return keys.Entry{}, fmt.Errorf("load keys item: %w", keys.ErrNoEntry)
	}
	out, err := d.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(d.table), Key: d.key()})
	if err != nil {
		return keys.Entry{}, fmt.Errorf("load keys item %s: %w: %w", d.table, ErrDynamoDB, err)
	}
	e, err := decode(out.Item)
	if err != nil {
		return keys.Entry{}, fmt.Errorf("load keys item %s/%s: %w", d.table, d.pk, err)
	}
	return e, nil
}

// Save writes e unless the stored item was fetched at the same time or
// later, and no later than notAfter (then it returns nil: the newer item
// wins). The refetch lease is kept.
func (d *Dynamo) Save(ctx context.Context, e keys.Entry, notAfter time.Time) error {
	if d == nil {
		return nil
	}
	if len(e.JWKS) == 0 || len(e.JWKS) > MaxJWKSBytes {
		return fmt.Errorf("save keys item: %w: jwks of %d bytes", keys.ErrInvalidEntry, len(e.JWKS))
	}
	if e.FetchedAt.IsZero() || e.ExpiresAt.Before(e.FetchedAt) {
		return fmt.Errorf("save keys item: %w: fetched_at %v, expires_at %v", keys.ErrInvalidEntry, e.FetchedAt, e.ExpiresAt)
	}
	// Written unless the stored item is as new or newer (and not dated
	// beyond notAfter, which an honest writer cannot have done).
	_, err := d.update(ctx, "save",
		"SET #j = :j, #f = :f, #x = :x",
		"attribute_not_exists(#f) OR NOT attribute_type(#f, :n) OR #f < :f OR #f > :max",
		map[string]string{"#j": AttrJWKS, "#f": AttrFetchedAt, "#x": AttrExpiresAt},
		map[string]types.AttributeValue{
			":j":   &types.AttributeValueMemberS{Value: string(e.JWKS)},
			":f":   num(e.FetchedAt.Unix()),
			":x":   num(e.ExpiresAt.Unix()),
			":max": num(notAfter.Unix()),
		})
	return err
}

// Lease claims the refetch lease until `until` (rounded up to a second) if
// it is free at now: absent, not a number, ended at or before now, or
// ending after notAfter. It reports whether this caller won it; a lost
// condition is not an error.
func (d *Dynamo) Lease(ctx context.Context, now, until, notAfter time.Time) (bool, error) {
	if d == nil {
		return true, nil
	}
	end := until.Unix()
	if time.Unix(end, 0).Before(until) {
		end++
	}
	return d.update(ctx, "lease",
		"SET #r = :until, #x = if_not_exists(#x, :until)",
		"attribute_not_exists(#r) OR NOT attribute_type(#r, :n) OR #r <= :now OR #r > :max",
		map[string]string{"#r": AttrRefetchAfter, "#x": AttrExpiresAt},
		map[string]types.AttributeValue{
			":until": num(end),
			":now":   num(now.Unix()),
			":max":   num(notAfter.Unix()),
		})
}

// update runs one conditional UpdateItem on the issuer's item. It reports
// whether the condition held; a failed condition is not an error (another
// writer was first, or holds something newer). ":n" is the type name "N".
func (d *Dynamo) update(ctx context.Context, verb, expr, cond string, names map[string]string, values map[string]types.AttributeValue) (bool, error) {
	values[":n"] = &types.AttributeValueMemberS{Value: "N"}
	_, err := d.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(d.table),
		Key:                       d.key(),
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s keys item %s: %w: %w", verb, d.table, ErrDynamoDB, err)
	}
	return true, nil
}
