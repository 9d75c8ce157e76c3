package keystore_test

// Integration tests against a real moto server (test/moto): the store alone,
// and keys.Provider instances sharing one item the way cold-started Lambda
// instances do.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
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
}

// newSite starts an issuer publishing one fresh key per kid, and a table.
func newSite(t *testing.T, kids ...string) *site {
	t.Helper()
	doc, iss := jwttest.NewJWKS(kids...), jwttest.NewIssuer()
	iss.PublishJWKS(doc)
	t.Cleanup(iss.Close)
	s := newItem(t, keystore.PartitionKey(iss.JWKSURL()))
	s.iss, s.doc = iss, doc
	return s
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

// provider is a cold-started instance: the options authorizer.FromConfig
// passes with the default settings, but for the fetch timeout.
func (s *site) provider(t *testing.T, timeout time.Duration) (*keys.Provider, *jwttest.Log) {
	t.Helper()
	logs := &jwttest.Log{}
	p, err := keys.New(keys.Options{
		JWKSURL:            s.iss.JWKSURL(),
		Store:              s.store(),
		TTL:                testTTL,
		MaxStale:           24 * time.Hour,
		RefetchMinInterval: testWindow,
		ClockSkew:          testSkew,
		FetchTimeout:       timeout,
		Logger:             slog.New(slog.NewJSONHandler(logs, nil)),
		Now:                s.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, logs
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

	if _, err := st.Load(ctx); !errors.Is(err, keystore.ErrNotFound) || !errors.Is(err, keys.ErrNoEntry) {
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
	if _, err := st.Load(ctx); !errors.Is(err, keystore.ErrInvalidItem) {
		t.Fatalf("malformed: %v", err)
	}
	if err := st.Save(ctx, e1, bound()); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Load(ctx); err != nil || !bytes.Equal(got.JWKS, e1.JWKS) {
		t.Fatalf("repair: %v", err)
	}
	// Invalid entries are refused before any request.
	if err := st.Save(ctx, keys.Entry{}, bound()); !errors.Is(err, keystore.ErrInvalidItem) {
		t.Fatalf("empty entry: %v", err)
	}
	// A missing table is a DynamoDB error, not a miss.
	if _, err := keystore.New(db, table+"-nope", pk).Load(ctx); !errors.Is(err, keystore.ErrDynamoDB) {
		t.Fatalf("missing table: %v", err)
	}
}

func TestColdStartReadsItem(t *testing.T) {
	s := newSite(t, "a")
	now := time.Now().Truncate(time.Second)
	s.seed(t, keys.Entry{JWKS: s.doc, FetchedAt: now, ExpiresAt: now.Add(time.Hour)})
	p, _ := s.provider(t, 2*time.Second)
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Key(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if n := s.iss.Fetches(); n != 0 {
		t.Fatalf("issuer requests = %d, want 0", n)
	}
}

func TestMissWritesItem(t *testing.T) {
	s := newSite(t, "a")
	p, _ := s.provider(t, 2*time.Second)
	before := time.Now().Unix()
	if _, err := settledKey(p, "a"); err != nil {
		t.Fatal(err)
	}
	if n := s.iss.Fetches(); n != 1 {
		t.Fatalf("issuer requests = %d", n)
	}
	e, err := s.store().Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if e.FetchedAt.Unix() < before-1 || e.ExpiresAt.Sub(e.FetchedAt) != testTTL {
		t.Fatalf("entry times: %v %v", e.FetchedAt, e.ExpiresAt)
	}
	if set, err := jwks.ParseSet(e.JWKS); err != nil || set.Keys["a"] == nil {
		t.Fatalf("stored JWKS: %v", err)
	}
	// A second cold start is served by the item.
	p2, _ := s.provider(t, 2*time.Second)
	if _, err := p2.Key(context.Background(), "a"); err != nil || s.iss.Fetches() != 1 {
		t.Fatalf("second cold start: %v, issuer requests %d", err, s.iss.Fetches())
	}
}

func TestExpiredItemRefetched(t *testing.T) {
	s := newSite(t, "new")
	now := time.Now().Truncate(time.Second)
	old := keys.Entry{JWKS: jwttest.NewJWKS("old"), FetchedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	s.seed(t, old)
	p, _ := s.provider(t, 2*time.Second)
	// Warm, as a cold start does: it also waits for the write-back.
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.wantKeys(t, p, "new", "old", 1)
	e, err := s.store().Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !e.FetchedAt.After(old.FetchedAt) || !strings.Contains(string(e.JWKS), `"new"`) {
		t.Fatalf("item not rewritten: %v %s", e.FetchedAt, e.JWKS)
	}
}

func TestConcurrentColdStarts(t *testing.T) {
	s := newSite(t, "a", "b")
	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			p, logs := s.provider(t, 5*time.Second)
			<-start
			for _, kid := range []string{"a", "b"} {
				if _, err := settledKey(p, kid); err != nil {
					t.Errorf("provider %d, kid %s: %v", i, kid, err)
				}
			}
			if strings.Contains(logs.String(), "failed") {
				t.Errorf("provider %d logged a fault: %s", i, logs)
			}
		})
	}
	close(start)
	wg.Wait()
	e, err := s.store().Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwks.ParseSet(e.JWKS)
	if err != nil || set.Len() != 2 || len(set.Dropped) != 0 {
		t.Fatalf("stored set corrupt: %v %s", err, e.JWKS)
	}
	if hits := s.iss.Fetches(); hits < 1 || hits > n {
		t.Fatalf("issuer requests = %d", hits)
	}
}

func TestIssuerDownFreshItem(t *testing.T) {
	s := newSite(t, "a")
	s.iss.Fail(http.StatusBadGateway)
	now := time.Now().Truncate(time.Second)
	s.seed(t, keys.Entry{JWKS: s.doc, FetchedAt: now, ExpiresAt: now.Add(time.Hour)})
	p, _ := s.provider(t, 2*time.Second)
	if _, err := p.Key(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if s.iss.Fetches() != 0 {
		t.Fatal("issuer called")
	}
}

func TestDynamoDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	s := newSite(t, "a")
	s.db = dynamodb.New(s.db.Options(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(closed) })
	timeout := time.Second
	p, logs := s.provider(t, timeout)
	start := time.Now()
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Key(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*timeout+time.Second {
		t.Fatalf("took %v", d)
	}
	// The write-back runs after the keys are published, in the background
	// when the table has just failed: wait for its log line.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := logs.WaitFor(ctx, "DynamoDB save failed"); err != nil {
		t.Fatalf("%v:\n%s", err, logs)
	}
	if out := logs.String(); !strings.Contains(out, "DynamoDB load failed") {
		t.Fatalf("load fault not logged:\n%s", out)
	}
	if s.iss.Fetches() != 1 {
		t.Fatalf("issuer requests = %d", s.iss.Fetches())
	}
}

// TestRotationRefreshesItem: an unknown kid makes one instance refetch and
// rewrite the item; a later cold start gets the rotated set from DynamoDB.
func TestRotationRefreshesItem(t *testing.T) {
	s := newSite(t, "k1")
	clk := jwttest.NewClock(time.Now())
	s.now = clk.Now
	a, _ := s.provider(t, 2*time.Second)
	if _, err := a.Key(context.Background(), "k1"); err != nil {
		t.Fatal(err)
	}
	s.iss.PublishJWKS(jwttest.NewJWKS("k2"))
	clk.Advance(testWindow)
	s.wantKeys(t, a, "k2", "k1", 2)
	// A cold start reads the rotated set from the item, without the issuer.
	b, _ := s.provider(t, 2*time.Second)
	s.wantKeys(t, b, "k2", "k1", 2)
}

// wantKeys checks that p serves kid has and refuses kid gone as unknown,
// and that the issuer has had fetches requests so far.
func (s *site) wantKeys(t *testing.T, p *keys.Provider, has, gone string, fetches int64) {
	t.Helper()
	if _, err := settledKey(p, has); err != nil {
		t.Fatalf("key %s: %v", has, err)
	}
	if _, err := p.Key(context.Background(), gone); !errors.Is(err, keys.ErrKeyNotFound) {
		t.Fatalf("key %s: %v, want %v", gone, err, keys.ErrKeyNotFound)
	}
	if n := s.iss.Fetches(); n != fetches {
		t.Fatalf("issuer requests = %d, want %d", n, fetches)
	}
}

// settledKey is Key followed by Warm, which (the set being fresh) only waits
// for the write-back to DynamoDB that runs after keys are published.
func settledKey(p *keys.Provider, kid string) (*jose.JSONWebKey, error) {
	k, err := p.Key(context.Background(), kid)
	_ = p.Warm(context.Background())
	return k, err
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
	if _, err := st.Load(ctx); !errors.Is(err, keystore.ErrNotFound) {
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

// TestFleetRefetchWindow: providers sharing one item (as Lambda instances
// sharing the table do) make at most one issuer fetch per window for
// unknown kids, whichever wins the lease.
func TestFleetRefetchWindow(t *testing.T) {
	s := newSite(t, "a")
	clk := jwttest.NewClock(time.Now().Truncate(time.Second))
	s.now = clk.Now
	const instances = 6
	fleet := make([]*keys.Provider, instances)
	logs := make([]*jwttest.Log, instances)
	for i := range fleet {
		// A lease call that times out fetches anyway (see keys): give moto
		// time on a loaded machine.
		fleet[i], logs[i] = s.provider(t, 10*time.Second)
		if err := fleet[i].Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.iss.Fetches(); n != 1 {
		t.Fatalf("cold starts: issuer requests = %d, want 1", n)
	}
	for w := range int64(3) {
		clk.Advance(testWindow)
		var wg sync.WaitGroup
		for i, p := range fleet {
			for j := range 5 {
				wg.Go(func() {
					_, err := p.Key(context.Background(), fmt.Sprintf("forged-%d-%d-%d", w, i, j))
					if !errors.Is(err, keys.ErrKeyNotFound) {
						t.Errorf("instance %d: %v", i, err)
					}
				})
			}
		}
		wg.Wait()
		for _, p := range fleet {
			_ = p.Warm(context.Background()) // wait for write-backs
		}
		if got, want := s.iss.Fetches(), 1+w+1; got != want {
			t.Fatalf("window %d: issuer requests = %d, want %d; logs:\n%s", w, got, want, logs)
		}
	}
}
