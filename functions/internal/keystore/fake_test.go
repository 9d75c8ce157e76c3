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

// fakeAPI records the last request and answers with canned values.
type fakeAPI struct {
	item   map[string]types.AttributeValue
	getErr error
	putErr error
	put    *dynamodb.PutItemInput
}

func (f *fakeAPI) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if f.getErr != nil {
		return nil, f.getErr
	}
	return &dynamodb.GetItemOutput{Item: f.item}, nil
}

func (f *fakeAPI) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.put = in
	return &dynamodb.PutItemOutput{}, f.putErr
}

var _ API = (*dynamodb.Client)(nil)

func TestNilStore(t *testing.T) {
	var d *Dynamo
	if _, err := d.Load(context.Background()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("load: %v", err)
	}
	if err := d.Save(context.Background(), keys.Entry{}); err != nil {
		t.Fatalf("save: %v", err)
	}
}

func TestSaveRequest(t *testing.T) {
	f := &fakeAPI{}
	d := New(f, "tbl", PartitionKey("https://x/jwks"))
	at := time.Unix(1_800_000_000, 500)
	if err := d.Save(context.Background(), keys.Entry{JWKS: []byte(`{"keys":[]}`), FetchedAt: at, ExpiresAt: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	in := f.put
	if aws.ToString(in.TableName) != "tbl" || in.ConditionExpression == nil {
		t.Fatalf("request: %+v", in)
	}
	want := map[string]string{AttrPK: "JWKS#https://x/jwks", "jwks": `{"keys":[]}`, "fetched_at": "1800000000", "expires_at": "1800003600"}
	for k, v := range want {
		var got string
		switch a := in.Item[k].(type) {
		case *types.AttributeValueMemberS:
			got = a.Value
		case *types.AttributeValueMemberN:
			got = a.Value
		}
		if got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if _, ok := in.Item["fetched_at"].(*types.AttributeValueMemberN); !ok {
		t.Error("fetched_at is not a number")
	}

	f.putErr = &types.ConditionalCheckFailedException{Message: aws.String("newer")}
	if err := d.Save(context.Background(), keys.Entry{JWKS: []byte("{}"), FetchedAt: at, ExpiresAt: at}); err != nil {
		t.Fatalf("conditional failure must be success: %v", err)
	}
	f.putErr = errors.New("throttled")
	if err := d.Save(context.Background(), keys.Entry{JWKS: []byte("{}"), FetchedAt: at, ExpiresAt: at}); !errors.Is(err, ErrDynamoDB) {
		t.Fatalf("err = %v", err)
	}
	for _, e := range []keys.Entry{
		{},
		{JWKS: make([]byte, MaxJWKSBytes+1), FetchedAt: at, ExpiresAt: at},
		{JWKS: []byte("{}"), FetchedAt: at, ExpiresAt: at.Add(-time.Second)},
	} {
		if err := d.Save(context.Background(), e); !errors.Is(err, ErrInvalidItem) {
			t.Errorf("invalid entry saved: %v", err)
		}
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
		"no jwks":          func(m map[string]types.AttributeValue) { delete(m, "jwks") },
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
		if _, err := d.Load(context.Background()); !errors.Is(err, ErrInvalidItem) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	f.item = nil
	if _, err := d.Load(context.Background()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("miss: %v", err)
	}
	f.getErr = errors.New("boom")
	if _, err := d.Load(context.Background()); !errors.Is(err, ErrDynamoDB) {
		t.Fatalf("get error: %v", err)
	}
}
