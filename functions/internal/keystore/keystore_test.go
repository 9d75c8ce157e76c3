package keystore_test

// Integration tests against a real moto server (test/moto): the store alone,
// and keys.Provider instances sharing one item the way cold-started Lambda
// instances do.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/jwks"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keystore"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

func TestMain(m *testing.M) {
	code := m.Run()
	moto.StopShared()
	os.Exit(code)
}

var nonName = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// newTable creates a keys table (PK string hash key) with a unique name.
func newTable(t *testing.T) (*dynamodb.Client, string) {
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
	if err != nil {
		t.Fatalf("create table: %v", err)
	}
	t.Cleanup(func() {
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return db, name
}

// Config's defaults, which the tests start from.
const (
	testTTL    = time.Hour
	testWindow = 10 * time.Second
	testSkew   = time.Minute
)

// options returns the keys.Options authorizer.FromConfig passes with the
// default settings for this issuer and store.
func options(is *issuer, store keys.Store) keys.Options {
	return keys.Options{
		JWKSURL:            is.url(),
		Store:              store,
		TTL:                testTTL,
		MaxStale:           24 * time.Hour,
		RefetchMinInterval: testWindow,
		ClockSkew:          testSkew,
		FetchTimeout:       2 * time.Second,
	}
}

// bound is what a Provider passes to Save: items dated later are bogus.
func bound() time.Time { return time.Now().Add(testSkew) }

func jwksDoc(t testing.TB, kids ...string) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for _, kid := range kids {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.Public(), KeyID: kid, Algorithm: "ES256", Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// issuer serves a JWKS and counts the requests.
type issuer struct {
	srv  *httptest.Server
	doc  atomic.Pointer[[]byte]
	down atomic.Bool
	hits atomic.Int32
}

func newIssuer(t *testing.T, kids ...string) *issuer {
	t.Helper()
	is := &issuer{}
	d := jwksDoc(t, kids...)
	is.doc.Store(&d)
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		is.hits.Add(1)
		if is.down.Load() {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = w.Write(*is.doc.Load())
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) url() string { return is.srv.URL + "/jwks" }

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func provider(t *testing.T, is *issuer, store keys.Store, timeout time.Duration) (*keys.Provider, *syncBuf) {
	t.Helper()
	logs := &syncBuf{}
	o := options(is, store)
	o.FetchTimeout, o.Logger = timeout, slog.New(slog.NewJSONHandler(logs, nil))
	p, err := keys.New(o)
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
	db, table := newTable(t)
	ctx := context.Background()
	pk := keystore.PartitionKey("https://issuer.example/jwks")
	st := keystore.New(db, table, pk)

	if _, err := st.Load(ctx); !errors.Is(err, keystore.ErrNotFound) || !errors.Is(err, keys.ErrNoEntry) {
		t.Fatalf("miss: %v", err)
	}
	now := time.Now().Truncate(time.Second)
	e1 := keys.Entry{JWKS: jwksDoc(t, "one"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}
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
	older := keys.Entry{JWKS: jwksDoc(t, "older"), FetchedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}
	if err := st.Save(ctx, older, bound()); err != nil {
		t.Fatalf("older save: %v", err)
	}
	if got, _ := st.Load(ctx); !bytes.Equal(got.JWKS, e1.JWKS) {
		t.Fatal("older fetch overwrote the item")
	}
	newer := keys.Entry{JWKS: jwksDoc(t, "newer"), FetchedAt: now.Add(time.Second), ExpiresAt: now.Add(time.Hour)}
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
	db, table := newTable(t)
	is := newIssuer(t, "a")
	pk := keystore.PartitionKey(is.url())
	now := time.Now().Truncate(time.Second)
	seed := keystore.New(db, table, pk)
	if err := seed.Save(context.Background(), keys.Entry{JWKS: *is.doc.Load(), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}, bound()); err != nil {
		t.Fatal(err)
	}
	p, _ := provider(t, is, keystore.New(db, table, pk), 2*time.Second)
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Key(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if n := is.hits.Load(); n != 0 {
		t.Fatalf("issuer requests = %d, want 0", n)
	}
}

func TestMissWritesItem(t *testing.T) {
	db, table := newTable(t)
	is := newIssuer(t, "a")
	pk := keystore.PartitionKey(is.url())
	p, _ := provider(t, is, keystore.New(db, table, pk), 2*time.Second)
	before := time.Now().Unix()
	if _, err := settledKey(p, "a"); err != nil {
		t.Fatal(err)
	}
	if n := is.hits.Load(); n != 1 {
		t.Fatalf("issuer requests = %d", n)
	}
	e, err := keystore.New(db, table, pk).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if e.FetchedAt.Unix() < before-1 || e.ExpiresAt.Sub(e.FetchedAt) != testTTL {
		t.Fatalf("entry times: %v %v", e.FetchedAt, e.ExpiresAt)
	}
	if s, err := jwks.ParseSet(e.JWKS); err != nil || s.Keys["a"] == nil {
		t.Fatalf("stored JWKS: %v", err)
	}
	// A second cold start is served by the item.
	p2, _ := provider(t, is, keystore.New(db, table, pk), 2*time.Second)
	if _, err := p2.Key(context.Background(), "a"); err != nil || is.hits.Load() != 1 {
		t.Fatalf("second cold start: %v, issuer requests %d", err, is.hits.Load())
	}
}

func TestExpiredItemRefetched(t *testing.T) {
	db, table := newTable(t)
	is := newIssuer(t, "new")
	pk := keystore.PartitionKey(is.url())
	now := time.Now().Truncate(time.Second)
	old := keys.Entry{JWKS: jwksDoc(t, "old"), FetchedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	if err := keystore.New(db, table, pk).Save(context.Background(), old, bound()); err != nil {
		t.Fatal(err)
	}
	p, _ := provider(t, is, keystore.New(db, table, pk), 2*time.Second)
	// Warm, as a cold start does: it also waits for the write-back.
	if err := p.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Key(context.Background(), "new"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Key(context.Background(), "old"); !errors.Is(err, keys.ErrKeyNotFound) {
		t.Fatalf("old key: %v", err)
	}
	if n := is.hits.Load(); n != 1 {
		t.Fatalf("issuer requests = %d", n)
	}
	e, err := keystore.New(db, table, pk).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !e.FetchedAt.After(old.FetchedAt) || !strings.Contains(string(e.JWKS), `"new"`) {
		t.Fatalf("item not rewritten: %v %s", e.FetchedAt, e.JWKS)
	}
}

func TestConcurrentColdStarts(t *testing.T) {
	db, table := newTable(t)
	is := newIssuer(t, "a", "b")
	pk := keystore.PartitionKey(is.url())
	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, logs := provider(t, is, keystore.New(db, table, pk), 5*time.Second)
			<-start
			for _, kid := range []string{"a", "b"} {
				if _, err := settledKey(p, kid); err != nil {
					t.Errorf("provider %d, kid %s: %v", i, kid, err)
				}
			}
			if strings.Contains(logs.String(), "failed") {
				t.Errorf("provider %d logged a fault: %s", i, logs)
			}
		}()
	}
	close(start)
	wg.Wait()
	e, err := keystore.New(db, table, pk).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwks.ParseSet(e.JWKS)
	if err != nil || s.Len() != 2 || len(s.Dropped) != 0 {
		t.Fatalf("stored set corrupt: %v %s", err, e.JWKS)
	}
	if hits := is.hits.Load(); hits < 1 || hits > n {
		t.Fatalf("issuer requests = %d", hits)
	}
}

func TestIssuerDownFreshItem(t *testing.T) {
	db, table := newTable(t)
	is := newIssuer(t, "a")
	is.down.Store(true)
	pk := keystore.PartitionKey(is.url())
	now := time.Now().Truncate(time.Second)
	if err := keystore.New(db, table, pk).Save(context.Background(), keys.Entry{JWKS: *is.doc.Load(), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}, bound()); err != nil {
		t.Fatal(err)
	}
	p, _ := provider(t, is, keystore.New(db, table, pk), 2*time.Second)
	if _, err := p.Key(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	if is.hits.Load() != 0 {
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
	cfg, err := moto.Start(t).Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(closed) })
	is := newIssuer(t, "a")
	timeout := time.Second
	p, logs := provider(t, is, keystore.New(db, "keys", keystore.PartitionKey(is.url())), timeout)
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
	deadline := time.Now().Add(2*timeout + time.Second)
	for !strings.Contains(logs.String(), "DynamoDB save failed") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := logs.String()
	if !strings.Contains(out, "DynamoDB load failed") || !strings.Contains(out, "DynamoDB save failed") {
		t.Fatalf("faults not logged:\n%s", out)
	}
	if is.hits.Load() != 1 {
		t.Fatalf("issuer requests = %d", is.hits.Load())
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestRotationRefreshesItem: an unknown kid makes one instance refetch and
// rewrite the item; a later cold start gets the rotated set from DynamoDB.
func TestRotationRefreshesItem(t *testing.T) {
	db, table := newTable(t)
	is := newIssuer(t, "k1")
	pk := keystore.PartitionKey(is.url())
	clk := &clock{t: time.Now()}
	newP := func() *keys.Provider {
		o := options(is, keystore.New(db, table, pk))
		o.Now = clk.Now
		p, err := keys.New(o)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := newP()
	if _, err := a.Key(context.Background(), "k1"); err != nil {
		t.Fatal(err)
	}
	rotated := jwksDoc(t, "k2")
	is.doc.Store(&rotated)
	clk.Add(testWindow)
	if _, err := settledKey(a, "k2"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Key(context.Background(), "k1"); !errors.Is(err, keys.ErrKeyNotFound) {
		t.Fatalf("removed key: %v", err)
	}
	if n := is.hits.Load(); n != 2 {
		t.Fatalf("issuer requests = %d", n)
	}
	b := newP()
	if _, err := b.Key(context.Background(), "k2"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Key(context.Background(), "k1"); !errors.Is(err, keys.ErrKeyNotFound) {
		t.Fatalf("removed key on a cold start: %v", err)
	}
	if n := is.hits.Load(); n != 2 {
		t.Fatalf("cold start after rotation called the issuer: %d", n)
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
	db, table := newTable(t)
	ctx := context.Background()
	pk := keystore.PartitionKey("https://issuer.example/jwks")
	st := keystore.New(db, table, pk)
	now := time.Now().Truncate(time.Second)
	forged := time.Unix(1<<40, 0)
	if err := st.Save(ctx, keys.Entry{JWKS: jwksDoc(t, "evil"), FetchedAt: forged, ExpiresAt: forged}, forged); err != nil {
		t.Fatal(err)
	}
	honest := keys.Entry{JWKS: jwksDoc(t, "a"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.Save(ctx, honest, now.Add(testSkew)); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Load(ctx); err != nil || !got.FetchedAt.Equal(now) || !bytes.Equal(got.JWKS, honest.JWKS) {
		t.Fatalf("forged item kept: %v %v", got.FetchedAt, err)
	}
	// Within the bound a later item is honest and wins.
	later := keys.Entry{JWKS: jwksDoc(t, "b"), FetchedAt: now.Add(30 * time.Second), ExpiresAt: now.Add(time.Hour)}
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
	db, table := newTable(t)
	ctx := context.Background()
	pk := keystore.PartitionKey("https://issuer.example/jwks")
	st := keystore.New(db, table, pk)
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
	e := keys.Entry{JWKS: jwksDoc(t, "a"), FetchedAt: now, ExpiresAt: now.Add(time.Hour)}
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
	db, table := newTable(t)
	is := newIssuer(t, "a")
	pk := keystore.PartitionKey(is.url())
	clk := &clock{t: time.Now().Truncate(time.Second)}
	const instances = 6
	fleet := make([]*keys.Provider, instances)
	for i := range fleet {
		o := options(is, keystore.New(db, table, pk))
		o.Now = clk.Now
		p, err := keys.New(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Warm(context.Background()); err != nil {
			t.Fatal(err)
		}
		fleet[i] = p
	}
	if n := is.hits.Load(); n != 1 {
		t.Fatalf("cold starts: issuer requests = %d, want 1", n)
	}
	for w := range 3 {
		clk.Add(testWindow)
		var wg sync.WaitGroup
		for i, p := range fleet {
			for j := range 5 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := p.Key(context.Background(), fmt.Sprintf("forged-%d-%d-%d", w, i, j))
					if !errors.Is(err, keys.ErrKeyNotFound) {
						t.Errorf("instance %d: %v", i, err)
					}
				}()
			}
		}
		wg.Wait()
		for _, p := range fleet {
			_ = p.Warm(context.Background()) // wait for write-backs
		}
		if got, want := is.hits.Load(), int32(1+w+1); got != want {
			t.Fatalf("window %d: issuer requests = %d, want %d", w, got, want)
		}
	}
}
