//go:build e2e

package e2e

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/tfmoto"
)

// eventDeadline bounds each wait for an event: generous, for a loaded machine.
const eventDeadline = 30 * time.Second

func TestE2E(t *testing.T) {
	switch target := os.Getenv("E2E_TARGET"); target {
	case "", "local":
		runLocal(t)
	case "aws":
		runAWS(t)
	default:
		t.Fatalf("E2E_TARGET=%q: want local or aws", target)
	}
}

// cognitoUser is a Cognito user with its access token.
type cognitoUser struct {
	name, sub, token string
}

// stack is what the assertions need of a deployed example.
type stack struct {
	baseURL  string // invoke URL of the stage, no trailing slash
	issuer   string
	clientID string
	alice    cognitoUser
	bob      cognitoUser
}

func runLocal(t *testing.T) {
	ctx := context.Background()
	run := newLocalRun(t)
	jwks := countingProxy(t, run.srv.Endpoint)
	s := run.apply(t, "cognito", "e2e", map[string]any{
		"jwks_url":              jwks.url + "/{user_pool_id}/.well-known/jwks.json",
		"authorizer_result_ttl": 300,
	})
	poolID, authzName, table := s.str(t, "user_pool_id"), s.str(t, "authorizer_function_name"), s.str(t, "key_table_name")

	st := stack{issuer: s.str(t, "issuer"), clientID: s.str(t, "user_pool_client_id")}
	idp := cip.NewFromConfig(run.cfg)
	st.alice = createUser(t, idp, poolID, st.clientID, "alice@example.com")
	st.bob = createUser(t, idp, poolID, st.clientID, "bob@example.com")

	gw, base, stop := s.serve(ctx, t)
	st.baseURL = base
	authz := gw.Function(authzName)

	start := time.Now()
	assertPaths(t, st, true)
	t.Logf("timing: path assertions %s", time.Since(start).Round(time.Millisecond))

	t.Run("cache", func(t *testing.T) {
		// The first call for a token invokes the authorizer, the second is served from the cache.
		tok := st.bob.token
		before := gw.AuthorizerInvocations()
		expect(t, st.baseURL, "/hello/"+st.bob.sub, "Bearer "+tok, 200)
		expect(t, st.baseURL, "/hello/"+st.bob.sub, "Bearer "+tok, 200)
		if n := gw.AuthorizerInvocations() - before; n != 1 {
			t.Errorf("authorizer invoked %d times for a new token called twice, want 1 (then cached)", n)
		}
		// The cached policy is evaluated against each method ARN.
		expect(t, st.baseURL, "/hello/"+st.alice.sub, "Bearer "+tok, 403)
		if n := gw.AuthorizerInvocations() - before; n != 1 {
			t.Errorf("authorizer invoked %d times, want the cached policy", n)
		}
	})

	t.Run("cold start reads keys from DynamoDB", func(t *testing.T) {
		// The item is written back right after the keys are published:
		// poll for it (DynamoDB offers no event), generously.
		ddb := dynamodb.NewFromConfig(run.cfg)
		for deadline := time.Now().Add(eventDeadline); ; {
			scan, err := ddb.Scan(ctx, &dynamodb.ScanInput{TableName: &table})
			must(t, err)
			if scan.Count > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("key table %s still empty %v after the first verdicts", table, eventDeadline)
			}
			time.Sleep(50 * time.Millisecond)
		}
		fetches := jwks.count.Load()
		if fetches == 0 {
			t.Errorf("the JWKS endpoint was never called: is jwks_url routed through the proxy?")
		}
		procs := authz.Stats().Processes
		must(t, gw.Restart(authzName))
		gw.FlushCache()
		before := gw.AuthorizerInvocations()
		expect(t, st.baseURL, "/hello/"+st.alice.sub, "Bearer "+st.alice.token, 200)
		if gw.AuthorizerInvocations() == before || authz.Stats().Processes != procs+1 {
			t.Fatalf("no cold start: invocations %d→%d, processes %d→%d", before, gw.AuthorizerInvocations(), procs, authz.Stats().Processes)
		}
		if n := jwks.count.Load(); n != fetches {
			t.Errorf("JWKS requests %d → %d across a cold start: keys should come from the DynamoDB item", fetches, n)
		}
	})
	stop()
	s.finish(ctx, t)
}

// assertPaths runs the HTTP assertions shared by both targets.
func assertPaths(t *testing.T, st stack, local bool) {
	t.Run("own path 200", func(t *testing.T) {
		body := expect(t, st.baseURL, "/hello/"+st.alice.sub, "Bearer "+st.alice.token, 200)
		var got map[string]any
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("body %q: %v", body, err)
		}
		want := map[string]any{"message": "Hello, " + st.alice.sub + "!", "userId": st.alice.sub}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("body = %s, want %v", body, want)
		}
	})
	t.Run("other path 403", func(t *testing.T) {
		expect(t, st.baseURL, "/hello/"+st.bob.sub, "Bearer "+st.alice.token, 403)
	})
	t.Run("no header 401", func(t *testing.T) {
		expect(t, st.baseURL, "/hello/"+st.alice.sub, "", 401)
	})
	t.Run("garbage 401", func(t *testing.T) {
		expect(t, st.baseURL, "/hello/"+st.alice.sub, "Bearer garbage", 401)
	})
	claims := claimsOf(t, st.alice.token)
	t.Run("foreign key 401", func(t *testing.T) {
		k := jwttest.NewRSA("dummy", 2048)
		expect(t, st.baseURL, "/hello/"+st.alice.sub, "Bearer "+k.Mint(nil, claims), 401)
	})
	t.Run("expired 401", func(t *testing.T) {
		if !local {
			t.Skip("real Cognito's signing key is not available to mint an expired token")
		}
		k, err := motoSigningKey()
		must(t, err) // moto runs here: its key must be found

		// A genuine token first: the key is the one moto signs with.
		ok := make(map[string]any, len(claims))
		for c, v := range claims {
			ok[c] = v
		}
		ok["exp"] = time.Now().Add(time.Hour).Unix()
		expect(t, st.baseURL, "/hello/"+st.alice.sub, "Bearer "+k.Mint(nil, ok), 200)
		expired := make(map[string]any, len(claims))
		for c, v := range claims {
			expired[c] = v
		}
		expired["iat"] = time.Now().Add(-2 * time.Hour).Unix()
		expired["exp"] = time.Now().Add(-time.Hour).Unix()
		expect(t, st.baseURL, "/hello/"+st.alice.sub, "Bearer "+k.Mint(nil, expired), 401)
	})
}

// expect GETs base+path with the Authorization header auth (none when
// empty), fails the test unless the status is status, and returns the body.
func expect(t *testing.T, base, path, auth string, status int) string {
	t.Helper()
	got, body, _ := send(t, base+path, auth)
	if got != status {
		t.Fatalf("GET %s: %d %s, want %d", path, got, body, status)
	}
	return body
}

// send GETs url with the Authorization header auth (none when empty) and
// returns the status, the body without surrounding space and the headers.
func send(t *testing.T, url, auth string) (int, string, http.Header) {
	t.Helper()
	return sendWith(t, url, auth, nil)
}

// sendWith is send with headers set after auth.
func sendWith(t *testing.T, url, auth string, headers map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	must(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b)), resp.Header
}

// claimsOf returns the claims of a JWT (unverified).
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	must(t, err)
	var c map[string]any
	must(t, json.Unmarshal(b, &c))
	return c
}

// motoSigningKey loads the RSA key moto signs Cognito tokens with (a
// fixed test key shipped in its package) to mint tokens moto would have.
func motoSigningKey() (*jwttest.Key, error) {
	out, err := exec.Command("python3", "-c", "import os, moto.cognitoidp as c; print(os.path.dirname(c.__file__))").Output()
	if err != nil {
		return nil, fmt.Errorf("locate moto: %w", err)
	}
	f, err := os.Open(filepath.Join(strings.TrimSpace(string(out)), "resources", "jwks-private.json.gz"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	// moto's JWK has n, e and d only (go-jose wants the primes): recover them.
	var jwk struct{ Kid, N, E, D string }
	if err := json.Unmarshal(b, &jwk); err != nil || jwk.N == "" {
		var set struct{ Keys []json.RawMessage }
		if err := json.Unmarshal(b, &set); err != nil || len(set.Keys) == 0 {
			return nil, fmt.Errorf("parse moto's key: %v", err)
		}
		if err := json.Unmarshal(set.Keys[0], &jwk); err != nil {
			return nil, fmt.Errorf("parse moto's key: %w", err)
		}
	}
	priv, err := rsaFromNED(jwk.N, jwk.E, jwk.D)
	if err != nil {
		return nil, err
	}
	return &jwttest.Key{KID: jwk.Kid, Alg: "RS256", Private: priv}, nil
}

// rsaFromNED rebuilds an RSA private key from its modulus and exponents
// by factoring n with d (the classic randomized method: d·e−1 is a multiple
// of λ(n), so some g^(k/2^i) is a non-trivial square root of 1 mod n).
func rsaFromNED(n64, e64, d64 string) (*rsa.PrivateKey, error) {
	num := func(s string) (*big.Int, error) {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
		if err != nil {
			return nil, err
		}
		return new(big.Int).SetBytes(b), nil
	}
	n, err := num(n64)
	if err != nil {
		return nil, err
	}
	e, err := num(e64)
	if err != nil {
		return nil, err
	}
	d, err := num(d64)
	if err != nil {
		return nil, err
	}
	one := big.NewInt(1)
	nMinus1 := new(big.Int).Sub(n, one)
	k := new(big.Int).Sub(new(big.Int).Mul(d, e), one)
	r, t := new(big.Int).Set(k), 0
	for r.Bit(0) == 0 {
		r.Rsh(r, 1)
		t++
	}
	for g := int64(2); g < 1000; g++ {
		y := new(big.Int).Exp(big.NewInt(g), r, n)
		if y.Cmp(one) == 0 || y.Cmp(nMinus1) == 0 {
			continue
		}
		for i := 1; i <= t; i++ {
			x := new(big.Int).Exp(y, big.NewInt(2), n)
			if x.Cmp(one) == 0 {
				p := new(big.Int).GCD(nil, nil, new(big.Int).Sub(y, one), n)
				q := new(big.Int).Div(n, p)
				key := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())}, D: d, Primes: []*big.Int{p, q}}
				if err := key.Validate(); err != nil {
					return nil, err
				}
				key.Precompute()
				return key, nil
			}
			if x.Cmp(nMinus1) == 0 {
				break
			}
			y = x
		}
	}
	return nil, errors.New("factor moto's RSA modulus: no witness found")
}

func createUser(t *testing.T, idp *cip.Client, poolID, clientID, email string) cognitoUser {
	t.Helper()
	ctx := context.Background()
	password := "E2e-" + randomHex(6) + "-Aa1"
	_, err := idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: &poolID, Username: &email, MessageAction: ciptypes.MessageActionTypeSuppress,
		UserAttributes: []ciptypes.AttributeType{{Name: aws.String("email"), Value: &email}, {Name: aws.String("email_verified"), Value: aws.String("true")}},
	})
	must(t, err)
	_, err = idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: &email, Password: &password, Permanent: true})
	must(t, err)
	auth, err := idp.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: &poolID, ClientId: &clientID, AuthFlow: ciptypes.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	must(t, err)
	if auth.AuthenticationResult == nil || aws.ToString(auth.AuthenticationResult.AccessToken) == "" {
		t.Fatalf("no access token for %s (challenge %s)", email, auth.ChallengeName)
	}
	u, err := idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: &email})
	must(t, err)
	user := cognitoUser{name: email, token: aws.ToString(auth.AuthenticationResult.AccessToken)}
	for _, a := range u.UserAttributes {
		if aws.ToString(a.Name) == "sub" {
			user.sub = aws.ToString(a.Value)
		}
	}
	if user.sub == "" {
		t.Fatalf("user %s has no sub", email)
	}
	return user
}

// exampleCopy copies examples/cognito to build/e2e-<random>/ (two levels
// under the root, so its `source = "../../"` still names the module) and
// removes it when the test ends: runs never share a folder, an override file
// or a .terraform with another run.
func exampleCopy(t *testing.T, root string) string {
	t.Helper()
	return exampleCopyOf(t, root, "cognito")
}

// exampleCopyOf is exampleCopy for examples/<example>.
func exampleCopyOf(t *testing.T, root, example string) string {
	t.Helper()
	src := filepath.Join(root, "examples", example)
	dst := filepath.Join(root, "build", "e2e-"+randomHex(4))
	must(t, os.MkdirAll(dst, 0o755))
	t.Cleanup(func() { _ = os.RemoveAll(dst) })
	files, err := filepath.Glob(filepath.Join(src, "*.tf"))
	must(t, err)
	for _, f := range files {
		if strings.HasSuffix(f, "_override.tf") {
			continue
		}
		b, err := os.ReadFile(f)
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644))
	}
	return dst
}

// pluginCache is a provider cache shared by the runs (no copy per run).
func pluginCache(t *testing.T, root string) string {
	t.Helper()
	d := filepath.Join(root, "build", "tf-plugin-cache")
	must(t, os.MkdirAll(d, 0o755))
	return d
}

// packages builds the function zips for arch (E2E_DIST reuses a folder).
func packages(t *testing.T, root, arch string) string {
	t.Helper()
	if d := os.Getenv("E2E_DIST"); d != "" {
		return d
	}
	dist := filepath.Join(root, "dist")
	start := time.Now()
	cmd := exec.Command("go", "run", "./cmd/package", "-arch", arch, "-out", dist)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build packages: %v\n%s", err, out)
	}
	t.Logf("timing: packages %s", time.Since(start).Round(time.Millisecond))
	return dist
}

// jwksProxy forwards to moto and counts JWKS document requests.
type jwksProxy struct {
	url   string
	count atomic.Int64
}

func countingProxy(t *testing.T, target string) *jwksProxy {
	t.Helper()
	u, err := url.Parse(target)
	must(t, err)
	p := &jwksProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/.well-known/jwks.json") {
			p.count.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	p.url = hs.URL
	return p
}

func assertNothingLeft(ctx context.Context, t *testing.T, cfg aws.Config, poolID, apiID, table string, functions ...string) {
	t.Helper()
	if _, err := cip.NewFromConfig(cfg).DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID}); err == nil {
		t.Errorf("user pool %s still exists", poolID)
	}
	if _, err := apigateway.NewFromConfig(cfg).GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &apiID}); err == nil {
		t.Errorf("rest api %s still exists", apiID)
	}
	if _, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table}); err == nil {
		t.Errorf("table %s still exists", table)
	}
	lc := lambda.NewFromConfig(cfg)
	for _, fn := range functions {
		if _, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(fn)}); err == nil {
			t.Errorf("function %s still exists", fn)
		}
	}
}

// runAWS runs against real AWS: E2E_TARGET=aws with credentials.
func runAWS(t *testing.T) {
	ctx := context.Background()
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		t.Skipf("E2E_TARGET=aws: no AWS configuration: %v", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		t.Skipf("E2E_TARGET=aws: no AWS credentials: %v", err)
	}
	root, err := tfmoto.RepoRoot(".")
	must(t, err)
	arch := os.Getenv("E2E_ARCH")
	if arch == "" {
		arch = "arm64"
	}
	dist := packages(t, root, arch)
	dir := exampleCopy(t, root)
	name := "jwtauthz-e2e-" + randomHex(4)
	// The state lives in a temporary folder.
	override := filepath.Join(dir, "e2e_override.tf")
	state := filepath.Join(t.TempDir(), "terraform.tfstate")
	must(t, os.WriteFile(override, []byte(fmt.Sprintf("terraform {\n  backend \"local\" {\n    path = %q\n  }\n}\n", filepath.ToSlash(state))), 0o644))
	t.Cleanup(func() { _ = os.Remove(override) })
	env := map[string]string{"TF_IN_AUTOMATION": "1", "TF_PLUGIN_CACHE_DIR": pluginCache(t, root)}
	if rc, err := tfmoto.CLIConfig(dir); err == nil {
		env["TF_CLI_CONFIG_FILE"] = rc
	}
	opts := &terraform.Options{
		TerraformDir: dir, NoColor: true, Reconfigure: true, EnvVars: env,
		Vars: map[string]any{
			"name": name, "region": region, "architecture": arch,
			"authorizer_package": filepath.Join(dist, arch, "authorizer.zip"),
			"hello_package":      filepath.Join(dist, arch, "hello.zip"),
		},
	}
	opts.Upgrade = true // a lock file of another provider version never breaks the run
	t.Cleanup(func() { tfmoto.LogProviders(t, filepath.Join(dir, ".terraform")) })
	defer terraform.Destroy(t, opts)
	start := time.Now()
	terraform.InitAndApply(t, opts)
	t.Logf("timing: apply %s", time.Since(start).Round(time.Millisecond))
	out := terraform.OutputAll(t, opts)
	s := func(k string) string { v, _ := out[k].(string); return v }
	st := stack{baseURL: strings.TrimRight(s("invoke_url"), "/"), issuer: s("issuer"), clientID: s("user_pool_client_id")}
	idp := cip.NewFromConfig(cfg)
	st.alice = createUser(t, idp, s("user_pool_id"), st.clientID, "alice+"+name+"@example.com")
	st.bob = createUser(t, idp, s("user_pool_id"), st.clientID, "bob+"+name+"@example.com")

	// A new deployment takes a while to answer everywhere.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		req, _ := http.NewRequest(http.MethodGet, st.baseURL+"/hello/"+st.alice.sub, nil)
		req.Header.Set("Authorization", "Bearer "+st.alice.token)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("invoke URL %s never answered 200 (last: %v %v)", st.baseURL, resp, err)
		}
		time.Sleep(5 * time.Second)
	}
	assertPaths(t, st, false)
	if code := terraform.PlanExitCode(t, opts); code != 0 {
		t.Errorf("terraform plan exit code %d, want 0", code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
