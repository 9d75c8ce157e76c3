package keystore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/keys"
)

// fakeAPI records the last update and answers with canned values.
type fakeAPI struct {
	item      map[string]types.AttributeValue
	getErr    error
	updateErr error
	update    *dynamodb.UpdateItemInput
}

func (f *fakeAPI) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if f.getErr != nil {
		return nil, f.getErr
	}
	return &dynamodb.GetItemOutput{Item: f.item}, nil
}

func (f *fakeAPI) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.update = in
	return &dynamodb.UpdateItemOutput{}, f.updateErr
}

var _ API = (*dynamodb.Client)(nil)

func value(t *testing.T, a types.AttributeValue) string {
	t.Helper()
	switch a := a.(type) {
	case *types.AttributeValueMemberS:
		return "S:" + a.Value
	case *types.AttributeValueMemberN:
		return "N:" + a.Value
	}
	t.Fatalf("attribute %#v", a)
	return ""
}

func TestNilStore(t *testing.T) {
	var d *Dynamo
	if _, err := d.Load(context.Background()); !errors.Is(err, keys.ErrNoEntry) {
		t.Fatalf("load: %v", err)
	}
	if err := d.Save(context.Background(), keys.Entry{}, time.Time{}); err != nil {
		t.Fatalf("save: %v", err)
	}
}

func TestSaveRequest(t *testing.T) {
	f := &fakeAPI{}
	d := New(f, "tbl", PartitionKey("https://x/jwks"))
	at := time.Unix(1_800_000_000, 500)
	ctx := context.Background()
	if err := d.Save(ctx, keys.Entry{JWKS: []byte(`{"keys":[]}`), FetchedAt: at, ExpiresAt: at.Add(time.Hour)}, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	in := f.update
	if aws.ToString(in.TableName) != "tbl" || value(t, in.Key[AttrPK]) != "S:JWKS#https://x/jwks" {
		t.Fatalf("request: %+v", in)
	}
	vals := map[string]string{}
	for k, v := range in.ExpressionAttributeValues {
		vals[k] = value(t, v)
	}
	want := map[string]string{":j": `S:{"keys":[]}`, ":f": "N:1800000000", ":x": "N:1800003600", ":max": "N:1800000060", ":n": "S:N"}
	for k, v := range want {
		if vals[k] != v {
			t.Errorf("%s = %q, want %q", k, vals[k], v)
		}
	}
	if aws.ToString(in.ConditionExpression) != "attribute_not_exists(#f) OR NOT attribute_type(#f, :n) OR #f < :f OR #f > :max" ||
		in.ExpressionAttributeNames["#f"] != AttrFetchedAt {
		t.Errorf("condition %q %v", aws.ToString(in.ConditionExpression), in.ExpressionAttributeNames)
	}

	f.updateErr = &types.ConditionalCheckFailedException{Message: aws.String("newer")}
	if err := d.Save(ctx, keys.Entry{JWKS: []byte("{}"), FetchedAt: at, ExpiresAt: at}, at); err != nil {
		t.Fatalf("conditional failure must be success: %v", err)
	}
	f.updateErr = errors.New("throttled")
	if err := d.Save(ctx, keys.Entry{JWKS: []byte("{}"), FetchedAt: at, ExpiresAt: at}, at); !errors.Is(err, ErrDynamoDB) {
		t.Fatalf("err = %v", err)
	}
	for _, e := range []keys.Entry{
		{},
		{JWKS: make([]byte, MaxJWKSBytes+1), FetchedAt: at, ExpiresAt: at},
		{JWKS: []byte("{}"), FetchedAt: at, ExpiresAt: at.Add(-time.Second)},
	} {
		if err := d.Save(ctx, e, at); !errors.Is(err, keys.ErrInvalidEntry) {
			t.Errorf("invalid entry saved: %v", err)
		}
	}
}

func TestLeaseRequest(t *testing.T) {
	f := &fakeAPI{}
	d := New(f, "tbl", "p")
	now := time.Unix(1_800_000_000, 900_000_000)
	won, err := d.Lease(context.Background(), now, now.Add(10*time.Second), now.Add(70*time.Second))
	if err != nil || !won {
		t.Fatalf("lease: %v %v", won, err)
	}
	vals := map[string]string{}
	for k, v := range f.update.ExpressionAttributeValues {
		vals[k] = value(t, v)
	}
	// The lease never ends early: its end is rounded up to the second.
	want := map[string]string{":until": "N:1800000011", ":now": "N:1800000000", ":max": "N:1800000070", ":n": "S:N"}
	for k, v := range want {
		if vals[k] != v {
			t.Errorf("%s = %q, want %q", k, vals[k], v)
		}
	}
	if f.update.ExpressionAttributeNames["#r"] != AttrRefetchAfter {
		t.Errorf("names %v", f.update.ExpressionAttributeNames)
	}
	f.updateErr = &types.ConditionalCheckFailedException{Message: aws.String("held")}
	if won, err := d.Lease(context.Background(), now, now, now); err != nil || won {
		t.Fatalf("held lease: %v %v", won, err)
	}
	f.updateErr = errors.New("throttled")
	if _, err := d.Lease(context.Background(), now, now, now); !errors.Is(err, ErrDynamoDB) {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadDecode(t *testing.T) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	n := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	good := func() map[string]types.AttributeValue {
		return map[string]types.AttributeValue{AttrPK: s("p"), "jwks": s("{}"), "fetched_at": n("100"), "expires_at": n("3700")}
	}
	f := &fakeAPI{item: good()}
	d := New(f, "tbl", "p")
	e, err := d.Load(context.Background())
	if err != nil || string(e.JWKS) != "{}" || e.FetchedAt.Unix() != 100 || e.ExpiresAt.Unix() != 3700 {
		t.Fatalf("load: %+v %v", e, err)
	}
	f.item["fetched_at"] = n("100.75") // a number written by someone else
	if e, err := d.Load(context.Background()); err != nil || e.FetchedAt.Unix() != 100 {
		t.Fatalf("fractional: %+v %v", e, err)
	}
	for name, mutate := range map[string]func(map[string]types.AttributeValue){
		"empty jwks":       func(m map[string]types.AttributeValue) { m["jwks"] = s("") },
		"jwks not string":  func(m map[string]types.AttributeValue) { m["jwks"] = n("1") },
		"no fetched_at":    func(m map[string]types.AttributeValue) { delete(m, "fetched_at") },
		"string expires":   func(m map[string]types.AttributeValue) { m["expires_at"] = s("3700") },
		"negative":         func(m map[string]types.AttributeValue) { m["expires_at"] = n("-1") },
		"not a number":     func(m map[string]types.AttributeValue) { m["expires_at"] = n("NaN") },
		"absurdly far out": func(m map[string]types.AttributeValue) { m["expires_at"] = n("1e300") },
	} {
		f.item = good()
		mutate(f.item)
		if _, err := d.Load(context.Background()); !errors.Is(err, keys.ErrInvalidEntry) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	for name, item := range map[string]map[string]types.AttributeValue{
		"no item":    nil,
		"lease only": {AttrPK: s("p"), AttrRefetchAfter: n("100"), AttrExpiresAt: n("100")},
	} {
		f.item = item
		if _, err := d.Load(context.Background()); !errors.Is(err, keys.ErrNoEntry) {
			t.Fatalf("%s: %v", name, err)
		}
	}
	f.getErr = errors.New("boom")
	if _, err := d.Load(context.Background()); !errors.Is(err, ErrDynamoDB) {
		t.Fatalf("get error: %v", err)
	}
}
