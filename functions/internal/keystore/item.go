package keystore

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
)

// Names of the table setting and the item's attributes.
const (
	EnvTable         = "KEYS_TABLE_NAME"
	AttrPK           = "PK"
	AttrJWKS         = "jwks"
	AttrFetchedAt    = "fetched_at"
	AttrExpiresAt    = "expires_at"
	AttrRefetchAfter = "refetch_after"
	PKPrefix         = "JWKS#"
	// MaxJWKSBytes keeps the item well under DynamoDB's 400 KB limit.
	MaxJWKSBytes = 350_000
	// maxUnix bounds the times read back; package keys refuses what lies
	// beyond its clock skew.
	maxUnix = 1 << 40
)

func num(v int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// decode reads an entry; an item without jwks (none, or a lease only)
// holds no entry.
func decode(item map[string]types.AttributeValue) (keys.Entry, error) {
	raw, ok := item[AttrJWKS]
	if !ok {
		return keys.Entry{}, keys.ErrNoEntry
	}
	j, ok := raw.(*types.AttributeValueMemberS)
	if !ok || j.Value == "" {
		return keys.Entry{}, fmt.Errorf("decode item: %w: %s is not a non-empty string", keys.ErrInvalidEntry, AttrJWKS)
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
		return time.Time{}, fmt.Errorf("decode item: %w: %s is not a number", keys.ErrInvalidEntry, name)
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || v <= 0 || v > maxUnix {
		return time.Time{}, fmt.Errorf("decode item: %w: %s = %.32q", keys.ErrInvalidEntry, name, n.Value)
	}
	return time.Unix(int64(v), 0), nil
}
