package keystore_test

// Integration tests against a real moto server (test/moto): the store alone.
// fleet_test.go has keys.Provider instances sharing one item.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keystore"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

func TestMain(m *testing.M) {
	code := m.Run()
	moto.StopShared()
	os.Exit(code)
}

var nonName = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// newItem creates a keys table (PK string hash key) with a unique name, for
// the item under pk.
func newItem(t *testing.T, pk string) *site {
	t.Helper()
	ctx := context.Background()
	cfg, err := moto.Start(t).Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	name := nonName.ReplaceAllString(t.Name(), "-")
	if len(name) > 200 {
		name = name[:200]
	}
	name = "keys-" + name + "-" + hex.EncodeToString(rnd[:])
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(keystore.AttrPK), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(keystore.AttrPK), KeyType: types.KeyTypeHash}},
	})
	// The name is ours alone: "in use" means a retry of this call after moto
	// created the table but answered too late on a loaded machine.
	if inUse := (*types.ResourceInUseException)(nil); err != nil && !errors.As(err, &inUse) {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return &site{db: db, table: name, pk: pk}
}

// Config's defaults, which the tests start from.
const (
	testTTL    = time.Hour
	testWindow = 10 * time.Second
	testSkew   = time.Minute
)

// bound is what a Provider passes to Save: items dated later are bogus.
func bound() time.Time { return time.Now().Add(testSkew) }

// site is one key item in its own table and, for the Provider tests, the
// issuer whose keys it holds, as Lambda instances share them.
type site struct {
	db    *dynamodb.Client
	table string
	pk    string
	iss   *jwttest.Issuer  // nil for the store's own tests
	doc   []byte           // the key set iss publishes at first
	now   func() time.Time // the instances' clock; nil: time.Now

	writes    sync.Mutex // one write to the item at a time, as DynamoDB does (see instance)
	instances sync.Map   // *keys.Provider → *instance (fleet_test.go)
}

// store is the site's item, as one instance reaches it.
func (s *site) store() *keystore.Dynamo { return keystore.New(s.db, s.table, s.pk) }

// seed saves e as the item, as an earlier instance would have.
func (s *site) seed(t *testing.T, e keys.Entry) {
	t.Helper()
	if err := s.store().Save(context.Background(), e, bound()); err != nil {
		t.Fatal(err)
	}
}

// down points the site's instances at a DynamoDB endpoint that refuses
// connections.
func (s *site) down(t *testing.T) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	s.db = dynamodb.New(s.db.Options(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(closed) })
}

func rawItem(t *testing.T, db *dynamodb.Client, table, pk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{keystore.AttrPK: &types.AttributeValueMemberS{Value: pk}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func TestStoreRoundTripAndOrdering(t *testing.T) {
	s := newItem(t, keystore.PartitionKey("https://issuer.example/jwks"))
	db, table, pk, st := s.db, s.table, s.pk, s.store()
	ctx := context.Background()

	if _, err := st.Load(ctx); !errors.Is(err, keys.ErrNoEntry) {
		t.Fatalf("miss: %v", err)
	}
	now := time.Now().Truncate(time.Second)
	e1 := keys.Entry{JWKS: jwttest.NewJWKS("one"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.Save(ctx, e1, bound()); err != nil {
		t.Fatal(err)
	}
	got, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.JWKS, e1.JWKS) || !got.FetchedAt.Equal(e1.FetchedAt) || !got.ExpiresAt.Equal(e1.ExpiresAt) {
		t.Fatalf("round trip: %+v", got)
	}
	// Attribute names and types are the documented schema.
	item := rawItem(t, db, table, pk)
	if _, ok := item[keystore.AttrPK].(*types.AttributeValueMemberS); !ok {
		t.Fatalf("%s: %#v", keystore.AttrPK, item[keystore.AttrPK])
	}
	if _, ok := item["jwks"].(*types.AttributeValueMemberS); !ok {
		t.Fatalf("jwks: %#v", item["jwks"])
	}
	for _, a := range []string{"fetched_at", "expires_at"} {
		if _, ok := item[a].(*types.AttributeValueMemberN); !ok {
			t.Fatalf("%s: %#v", a, item[a])
		}
	}

	// An older fetch never replaces a newer one (and is not an error).
	older := keys.Entry{JWKS: jwttest.NewJWKS("older"), FetchedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}
	if err := st.Save(ctx, older, bound()); err != nil {
		t.Fatalf("older save: %v", err)
	}
	if got, _ := st.Load(ctx); !bytes.Equal(got.JWKS, e1.JWKS) {
		t.Fatal("older fetch overwrote the item")
	}
	newer := keys.Entry{JWKS: jwttest.NewJWKS("newer"), FetchedAt: now.Add(time.Second), ExpiresAt: now.Add(time.Hour)}
	if err := st.Save(ctx, newer, bound()); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Load(ctx); !bytes.Equal(got.JWKS, newer.JWKS) {
		t.Fatal("newer fetch did not replace the item")
	}

	// A malformed item is reported, and a save repairs it.
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		keystore.AttrPK: &types.AttributeValueMemberS{Value: pk}, "jwks": &types.AttributeValueMemberS{Value: "x"},
		"fetched_at": &types.AttributeValueMemberS{Value: "yesterday"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(ctx); !errors.Is(err, keys.ErrInvalidEntry) {
		t.Fatalf("malformed: %v", err)
	}
	if err := st.Save(ctx, e1, bound()); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Load(ctx); err != nil || !bytes.Equal(got.JWKS, e1.JWKS) {
		t.Fatalf("repair: %v", err)
	}
	// Invalid entries are refused before any request.
	if err := st.Save(ctx, keys.Entry{}, bound()); !errors.Is(err, keys.ErrInvalidEntry) {
		t.Fatalf("empty entry: %v", err)
	}
	// A missing table is a DynamoDB error, not a miss.
	if _, err := keystore.New(db, table+"-nope", pk).Load(ctx); !errors.Is(err, keystore.ErrDynamoDB) {
		t.Fatalf("missing table: %v", err)
	}
}

// TestFutureItemReplaced: an item dated after the writer's bound (a forged
// fetched_at, up to 2^40) is replaced by an honest save, although the save
// is older; the condition still keeps a newer honest item.
func TestFutureItemReplaced(t *testing.T) {
	st := newItem(t, keystore.PartitionKey("https://issuer.example/jwks")).store()
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	forged := time.Unix(1<<40, 0)
	if err := st.Save(ctx, keys.Entry{JWKS: jwttest.NewJWKS("evil"), FetchedAt: forged, ExpiresAt: forged}, forged); err != nil {
		t.Fatal(err)
	}
	honest := keys.Entry{JWKS: jwttest.NewJWKS("a"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.Save(ctx, honest, now.Add(testSkew)); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Load(ctx); err != nil || !got.FetchedAt.Equal(now) || !bytes.Equal(got.JWKS, honest.JWKS) {
		t.Fatalf("forged item kept: %v %v", got.FetchedAt, err)
	}
	// Within the bound a later item is honest and wins.
	later := keys.Entry{JWKS: jwttest.NewJWKS("b"), FetchedAt: now.Add(30 * time.Second), ExpiresAt: now.Add(time.Hour)}
	if err := st.Save(ctx, later, now.Add(testSkew)); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, honest, now.Add(testSkew)); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Load(ctx); !bytes.Equal(got.JWKS, later.JWKS) {
		t.Fatal("an older save replaced an item within the bound")
	}
}

// TestLease: the refetch lease on a real item, as the conditions state it.
func TestLease(t *testing.T) {
	s := newItem(t, keystore.PartitionKey("https://issuer.example/jwks"))
	db, table, pk, st := s.db, s.table, s.pk, s.store()
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	lease := func(at time.Time) bool {
		t.Helper()
		won, err := st.Lease(ctx, at, at.Add(testWindow), at.Add(testWindow+testSkew))
		if err != nil {
			t.Fatal(err)
		}
		return won
	}
	// No item: the lease creates one that holds no entry, and TTL can
	// remove it.
	if !lease(now) {
		t.Fatal("first lease lost")
	}
	if _, err := st.Load(ctx); !errors.Is(err, keys.ErrNoEntry) {
		t.Fatalf("lease-only item: %v", err)
	}
	if _, ok := rawItem(t, db, table, pk)[keystore.AttrExpiresAt].(*types.AttributeValueMemberN); !ok {
		t.Fatal("lease-only item without expires_at")
	}
	if lease(now.Add(testWindow - time.Second)) {
		t.Fatal("lease won while held")
	}
	// A save keeps the lease, and the entry is there.
	e := keys.Entry{JWKS: jwttest.NewJWKS("a"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.Save(ctx, e, now.Add(testSkew)); err != nil {
		t.Fatal(err)
	}
	if lease(now.Add(time.Second)) {
		t.Fatal("save dropped the lease")
	}
	if got, err := st.Load(ctx); err != nil || !bytes.Equal(got.JWKS, e.JWKS) || !got.ExpiresAt.Equal(e.ExpiresAt) {
		t.Fatalf("entry after lease: %v", err)
	}
	// Ended: won again, and the entry is untouched.
	if !lease(now.Add(testWindow)) {
		t.Fatal("ended lease not won")
	}
	if got, err := st.Load(ctx); err != nil || !bytes.Equal(got.JWKS, e.JWKS) {
		t.Fatalf("entry after a second lease: %v", err)
	}
	// A forged lease far in the future, or of another type, is taken over.
	for name, v := range map[string]types.AttributeValue{
		"2^40":   &types.AttributeValueMemberN{Value: "1099511627776"},
		"string": &types.AttributeValueMemberS{Value: "forever"},
	} {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                 aws.String(table),
			Key:                       map[string]types.AttributeValue{keystore.AttrPK: &types.AttributeValueMemberS{Value: pk}},
			UpdateExpression:          aws.String("SET #r = :v"),
			ExpressionAttributeNames:  map[string]string{"#r": keystore.AttrRefetchAfter},
			ExpressionAttributeValues: map[string]types.AttributeValue{":v": v},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !lease(now.Add(testWindow)) {
			t.Fatalf("%s lease not taken over", name)
		}
	}
}
