package fault

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/faultproxy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

const (
	issuerURL = "https://issuer.fault.test/oauth2/default"
	audience  = "api://fault"
	account   = "123456789012"
	apiPrefix = "arn:aws:execute-api:us-east-1:" + account + ":abcdef1234/prod/GET/hello/"
)

// Signing keys shared by every test (RSA generation is slow on 2 cores).
var k1, k2, k3 = jwttest.NewRSA("k1", 2048), jwttest.NewRSA("k2", 2048), jwttest.NewRSA("k3", 2048)

func TestMain(m *testing.M) {
	if err := setupBinaries(); err != nil {
		fmt.Fprintln(os.Stderr, "fault: build:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(buildDir)
	printTable()
	moto.StopShared()
	os.Exit(code)
}

// ---- the fault table ----------------------------------------------------

type row struct{ scenario, expected, observed, took string }

var (
	tableMu sync.Mutex
	table   []row
)

func record(t *testing.T, expected, observed string, took time.Duration) {
	t.Helper()
	r := row{t.Name(), expected, observed, took.Round(time.Millisecond).String()}
	t.Logf("fault table: %s | %s | %s | %s", r.scenario, r.expected, r.observed, r.took)
	if t.Failed() {
		r.observed = "FAILED: " + r.observed
	}
	tableMu.Lock()
	table = append(table, r)
	tableMu.Unlock()
}

func printTable() {
	tableMu.Lock()
	defer tableMu.Unlock()
	if len(table) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("\n| Scenario | Expected | Observed | Time |\n|---|---|---|---|\n")
	for _, r := range table {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.scenario, r.expected, r.observed, r.took)
	}
	fmt.Print(b.String())
	if p := os.Getenv("FAULT_TABLE"); p != "" {
		_ = os.WriteFile(p, []byte(b.String()), 0o644)
	}
}

// ---- environment -------------------------------------------------------

// env is one isolated world: an issuer and a DynamoDB table, each behind a
// fault proxy.
type env struct {
	t         *testing.T
	moto      *moto.Server
	cfg       aws.Config
	table     string
	iss       *jwttest.Issuer
	jwksProxy *faultproxy.Proxy
	ddbProxy  *faultproxy.Proxy
	direct    *dynamodb.Client // to moto, no proxy
	jwksURL   string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	m := moto.Start(t)
	ctx := context.Background()
	cfg, err := m.Config(ctx)
	must(t, err)
	e := &env{t: t, moto: m, cfg: cfg, iss: jwttest.NewIssuer(k1)}
	t.Cleanup(e.iss.Close)
	e.table, e.direct = m.CreateKeysTable(t, "fault-keys-")
	if e.jwksProxy, err = faultproxy.New(e.iss.URL()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.jwksProxy.Close)
	if e.ddbProxy, err = faultproxy.New(m.Endpoint); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.ddbProxy.Close)
	e.jwksURL = e.jwksProxy.URL() + "/oauth2/default/v1/keys"
	return e
}

// The item's layout is keystore's documented one (functions/internal/keystore):
// PK "JWKS#<jwks url>", jwks (S), fetched_at and expires_at (N, unix seconds).
const (
	attrPK, attrJWKS, attrFetched, attrExpires = "PK", "jwks", "fetched_at", "expires_at"
)

func (e *env) pk() string { return "JWKS#" + e.jwksURL }

func (e *env) seedItem(fetched time.Time, ttl time.Duration, ks ...*jwttest.Key) {
	e.t.Helper()
	f := fetched.Unix()
	_, err := e.direct.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(e.table),
		Item: map[string]ddbtypes.AttributeValue{
			attrPK:      &ddbtypes.AttributeValueMemberS{Value: e.pk()},
			attrJWKS:    &ddbtypes.AttributeValueMemberS{Value: string(jwttest.JWKS(ks...))},
			attrFetched: &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(f, 10)},
			attrExpires: &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(f+int64(ttl/time.Second), 10)},
		},
	})
	must(e.t, err)
}

// item is the stored entry, read directly from moto.
type item struct {
	kids             []string // kids of the stored JWKS, document order
	fetched, expires int64
	raw              string
}

// itemWhen polls the stored entry until ok accepts it or the deadline
// passes, and returns the last read: the authorizer publishes fetched keys
// first and writes them back to DynamoDB right after, so a read straight
// after a verdict can still see the previous item. (DynamoDB offers no
// event to wait on; the deadline is generous for a loaded machine.)
func (e *env) itemWhen(ok func(item) bool) (item, error) {
	deadline := time.Now().Add(eventDeadline)
	for {
		it, err := e.item()
		if (err == nil && ok(it)) || time.Now().After(deadline) {
			return it, err
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func anyItem(item) bool { return true }

func (e *env) item() (item, error) {
	out, err := e.direct.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(e.table), ConsistentRead: aws.Bool(true),
		Key: map[string]ddbtypes.AttributeValue{attrPK: &ddbtypes.AttributeValueMemberS{Value: e.pk()}},
	})
	if err != nil {
		return item{}, err
	}
	if len(out.Item) == 0 {
		return item{}, errors.New("no item")
	}
	var it item
	s, ok := out.Item[attrJWKS].(*ddbtypes.AttributeValueMemberS)
	if !ok {
		return it, errors.New("jwks is not a string")
	}
	it.raw = s.Value
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(s.Value), &set); err != nil {
		return it, fmt.Errorf("jwks does not parse: %w", err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || !k.Valid() {
			return it, fmt.Errorf("key %q is not a valid public key", k.KeyID)
		}
		it.kids = append(it.kids, k.KeyID)
	}
	for name, dst := range map[string]*int64{attrFetched: &it.fetched, attrExpires: &it.expires} {
		n, ok := out.Item[name].(*ddbtypes.AttributeValueMemberN)
		if !ok {
			return it, fmt.Errorf("%s is not a number", name)
		}
		if *dst, err = strconv.ParseInt(n.Value, 10, 64); err != nil {
			return it, fmt.Errorf("%s: %w", name, err)
		}
	}
	if it.expires <= it.fetched {
		return it, fmt.Errorf("expires_at %d ≤ fetched_at %d", it.expires, it.fetched)
	}
	return it, nil
}

func (e *env) setJWKS(f faultproxy.Fault) { e.t.Helper(); must(e.t, e.jwksProxy.Set(f)) }
func (e *env) setDDB(f faultproxy.Fault)  { e.t.Helper(); must(e.t, e.ddbProxy.Set(f)) }

// ---- the real authorizer binary under the RIE ---------------------------

// The functions/internal packages cannot be imported from test/: every
// scenario runs the real bootstrap (go build of functions/authorizer, as
// cmd/package builds it) under the Lambda Runtime Interface Emulator, so the
// wiring, the configuration parsing and the SDK defaults are production's.
var (
	emulator  string
	bootstrap string
)

func setupBinaries() error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "fault-")
	if err != nil {
		return err
	}
	buildDir = tmp
	if emulator, err = rie.FindOrBuild(filepath.Join(tmp, "bin")); err != nil {
		return err
	}
	bootstrap, err = rie.BuildFunction(filepath.Join(root, "functions", "authorizer"), filepath.Join(tmp, "authorizer"))
	return err
}

var buildDir string

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test folder")
		}
		dir = parent
	}
}

// settings are the authorizer's environment knobs (whole seconds where the
// configuration takes seconds).
type settings struct {
	ttl, window time.Duration // KEYS_CACHE_TTL_SECONDS, JWKS_REFETCH_MIN_INTERVAL_SECONDS
	timeout     time.Duration // JWKS_FETCH_TIMEOUT_MS
	noStore     bool          // no KEYS_TABLE_NAME
	instances   int
}

func (s settings) orDefaults() settings {
	if s.ttl == 0 {
		s.ttl = time.Hour
	}
	if s.window == 0 {
		s.window = time.Second
	}
	if s.timeout == 0 {
		s.timeout = time.Second
	}
	if s.instances == 0 {
		s.instances = 1
	}
	return s
}

func (e *env) functionEnv(s settings) map[string]string {
	m := map[string]string{
		"ISSUER":                            issuerURL,
		"AUDIENCES":                         audience,
		"JWKS_URL":                          e.jwksURL,
		"KEYS_CACHE_TTL_SECONDS":            strconv.Itoa(int(s.ttl / time.Second)),
		"JWKS_REFETCH_MIN_INTERVAL_SECONDS": strconv.Itoa(int(s.window / time.Second)),
		"JWKS_FETCH_TIMEOUT_MS":             strconv.Itoa(int(s.timeout / time.Millisecond)),
		"AWS_REGION":                        moto.Region,
		"AWS_DEFAULT_REGION":                moto.Region,
		"AWS_ACCESS_KEY_ID":                 moto.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":             moto.SecretAccessKey,
		"AWS_ENDPOINT_URL":                  e.moto.Endpoint,
		"AWS_ENDPOINT_URL_DYNAMODB":         e.ddbProxy.URL(),
		"METRICS_NAMESPACE":                 namespace,
	}
	if !s.noStore {
		m["KEYS_TABLE_NAME"] = e.table
	}
	return m
}

// eventDeadline bounds every wait for an event (a log line, an item in
// DynamoDB): generous, for a loaded 2-core machine; a wait ends as soon as
// the event comes.
const eventDeadline = 30 * time.Second

// denyLine marks the authorizer's log line of each denial (functions/
// internal/authorizer). The init invocation is denied after the cold start's
// key load ends, so its deny line follows every line of the cold start in
// the function's log.
const denyLine = `"msg":"deny"`

type authz struct {
	fn       *rie.Function
	warmErr  bool // the cold start logged "warm keys" (no keys held after init)
	warmTook time.Duration
}

// coldStart starts one authorizer process and runs its init (Warm included)
// with a first, key-less invocation (an empty token), whose duration is the
// cold start.
func (e *env) coldStart(s settings) *authz {
	e.t.Helper()
	return e.coldStartWith(s, true)
}

func (e *env) coldStartWith(s settings, init bool) *authz {
	e.t.Helper()
	s = s.orDefaults()
	fn, err := rie.New(rie.Config{
		Name: "authz-" + randHex(4), Emulator: emulator, Bootstrap: bootstrap,
		Env: e.functionEnv(s), Timeout: 10 * time.Second,
	}, s.instances)
	must(e.t, err)
	e.t.Cleanup(fn.Close)
	a := &authz{fn: fn}
	e.t.Cleanup(func() {
		if e.t.Failed() {
			e.t.Logf("authorizer log:\n%s", fn.Log())
		}
	})
	if !init {
		return a
	}
	start := time.Now()
	res, err := fn.Invoke(context.Background(), event("", "nobody"))
	must(e.t, err)
	a.warmTook = time.Since(start)
	if res.Error == nil || res.Error.Message != "Unauthorized" {
		e.t.Fatalf("init invocation: %s", res.Payload)
	}
	// The function's lines trail its response: wait for the init's deny
	// line, after which the cold start's lines have all been read.
	a.waitLog(e.t, denyLine, 1)
	a.warmErr = a.count(`"msg":"warm keys"`) > 0
	return a
}

// waitLog waits until the function's log holds n lines with substr.
func (a *authz) waitLog(t testing.TB, substr string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), eventDeadline)
	defer cancel()
	if err := a.fn.WaitLog(ctx, substr, n); err != nil {
		t.Fatal(err)
	}
}

// count is the number of lines with substr read so far.
func (a *authz) count(substr string) int { return strings.Count(a.fn.Log(), substr) }

func event(tok, user string) []byte {
	auth := ""
	if tok != "" {
		auth = "Bearer " + tok
	}
	b, _ := json.Marshal(events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: auth, MethodArn: apiPrefix + user})
	return b
}

// claims is a valid claim set of user at now.
func claims(user string, now time.Time) map[string]any {
	c := jwttest.Claims(issuerURL, user, now)
	c["aud"] = audience
	return c
}

// mint returns a valid token of user signed by k.
func mint(k *jwttest.Key, user string) string {
	return k.Mint(nil, claims(user, time.Now()))
}

type verdict struct {
	allowed      bool
	unauthorized bool // the function error is exactly "Unauthorized"
	took         time.Duration
	payload      string
}

// call sends one TOKEN event for user's own path.
func (a *authz) call(tok, user string) verdict {
	start := time.Now()
	res, err := a.fn.Invoke(context.Background(), event(tok, user))
	v := verdict{took: time.Since(start)}
	if err != nil {
		v.payload = err.Error()
		return v
	}
	v.payload = string(res.Payload)
	if res.Error != nil {
		v.unauthorized = res.Error.Message == "Unauthorized" && !res.TimedOut
		return v
	}
	var resp events.APIGatewayCustomAuthorizerResponse
	if json.Unmarshal(res.Payload, &resp) == nil && resp.PrincipalID == user &&
		len(resp.PolicyDocument.Statement) == 1 && resp.PolicyDocument.Statement[0].Effect == "Allow" {
		v.allowed = true
	}
	return v
}

// mustAllow / mustDeny check the contract: an allow names the user, a deny
// is exactly "Unauthorized" and nothing else.
func (a *authz) mustAllow(t *testing.T, tok, user string) verdict {
	t.Helper()
	v := a.call(tok, user)
	if !v.allowed {
		t.Fatalf("valid token of %s refused: %s", user, v.payload)
	}
	return v
}

func (a *authz) mustDeny(t *testing.T, tok, user string) verdict {
	t.Helper()
	v := a.call(tok, user)
	if !v.unauthorized {
		t.Fatalf("want exactly Unauthorized, got %s", v.payload)
	}
	return v
}

// noCrash: one process, one init, no timeout.
func (a *authz) noCrash(t *testing.T) {
	t.Helper()
	st := a.fn.Stats()
	if st.Processes != int64(1) || st.ColdStarts != 1 || st.Timeouts != 0 {
		t.Errorf("process stats %+v: want one process, one init, no timeout", st)
	}
}

// ---- small helpers -----------------------------------------------------

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p)
	return s[i]
}
