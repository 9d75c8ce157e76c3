package gateway_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

var (
	emulator string
	pkgDir   string // zips of the test functions
)

func TestMain(m *testing.M) {
	code := run(m)
	moto.StopShared()
	os.Exit(code)
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "gateway-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if emulator, err = rie.FindOrBuild(filepath.Join(tmp, "bin")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pkgDir = filepath.Join(tmp, "dist")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, name := range []string{"authorizer", "echo"} {
		wg.Go(func() {
			bin, err := rie.BuildFunction("./testdata/"+name, filepath.Join(tmp, "build", name))
			if err == nil {
				err = zipFile(bin, filepath.Join(pkgDir, name+".zip"))
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func zipFile(bin, out string) error {
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// deployed is a REST API provisioned in moto like the module does it.
type deployed struct {
	apiID, stage string
	authz, hello string // function names
}

type deployOpts struct {
	authorization string // CUSTOM (default) or NONE
	ttl           int32
	noPermission  bool
	helloEnv      map[string]string
	helloZip      string
}

func deploy(t *testing.T, cfg aws.Config, o deployOpts) deployed {
	t.Helper()
	ctx := context.Background()
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())
	lc, ag, ic := lambda.NewFromConfig(cfg), apigateway.NewFromConfig(cfg), iam.NewFromConfig(cfg)
	roleName := aws.String("gw-test-" + suffix)
	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 roleName,
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	// The name is ours alone: "already exists" is the SDK's retry of a create
	// that moto carried out but answered badly on a loaded machine.
	if exists := (*iamtypes.EntityAlreadyExistsException)(nil); errors.As(err, &exists) {
		got, gerr := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: roleName})
		must(t, gerr)
		role, err = &iam.CreateRoleOutput{Role: got.Role}, nil
	}
	must(t, err)
	arch := lambdatypes.ArchitectureX8664
	if rie.HostArchitecture() == "arm64" {
		arch = lambdatypes.ArchitectureArm64
	}
	d := deployed{stage: "prod", authz: "authz-" + suffix, hello: "hello-" + suffix}
	mkfn := func(name, zipPath string, timeout int32, env map[string]string) string {
		code, err := os.ReadFile(zipPath)
		must(t, err)
		out, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Role: role.Role.Arn, Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Architectures: []lambdatypes.Architecture{arch},
			Code: &lambdatypes.FunctionCode{ZipFile: code}, Timeout: aws.Int32(timeout),
			Environment: &lambdatypes.Environment{Variables: env},
		})
		must(t, err)
		return aws.ToString(out.FunctionArn)
	}
	helloZip := o.helloZip
	if helloZip == "" {
		helloZip = filepath.Join(pkgDir, "echo.zip")
	}
	authzARN := mkfn(d.authz, filepath.Join(pkgDir, "authorizer.zip"), 1, nil)
	helloARN := mkfn(d.hello, helloZip, 2, o.helloEnv)
	uri := func(arn string) *string {
		return aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arn + "/invocations")
	}
	api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("gw-test-" + suffix)})
	must(t, err)
	d.apiID = aws.ToString(api.Id)
	res, err := ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	must(t, err)
	root := res.Items[0].Id
	hello, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: root, PathPart: aws.String("hello")})
	must(t, err)
	user, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: hello.Id, PathPart: aws.String("{userId}")})
	must(t, err)
	ttl := o.ttl
	az, err := ag.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{
		RestApiId: api.Id, Name: aws.String("jwt"), Type: agtypes.AuthorizerTypeToken,
		AuthorizerUri: uri(authzARN), IdentitySource: aws.String("method.request.header.Authorization"),
		IdentityValidationExpression: aws.String(`[a-z0-9-]+`), AuthorizerResultTtlInSeconds: &ttl,
	})
	must(t, err)
	// moto 5.2.1 drops identityValidationExpression on create (a misspelt
	// keyword argument); it keeps it on update.
	_, err = ag.UpdateAuthorizer(ctx, &apigateway.UpdateAuthorizerInput{RestApiId: api.Id, AuthorizerId: az.Id,
		PatchOperations: []agtypes.PatchOperation{{Op: agtypes.OpReplace, Path: aws.String("/identityValidationExpression"), Value: aws.String(`[a-z0-9-]+`)}}})
	must(t, err)
	authType := o.authorization
	if authType == "" {
		authType = "CUSTOM"
	}
	pm := &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: user.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String(authType)}
	if authType == "CUSTOM" {
		pm.AuthorizerId = az.Id
	}
	_, err = ag.PutMethod(ctx, pm)
	must(t, err)
	_, err = ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{
		RestApiId: api.Id, ResourceId: user.Id, HttpMethod: aws.String("GET"), Type: agtypes.IntegrationTypeAwsProxy,
		IntegrationHttpMethod: aws.String("POST"), Uri: uri(helloARN),
	})
	must(t, err)
	_, err = ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String(d.stage),
		Variables: map[string]string{"color": "blue"}})
	must(t, err)
	if !o.noPermission {
		exec := "arn:aws:execute-api:us-east-1:123456789012:" + d.apiID
		for _, p := range []struct{ fn, src string }{{d.authz, exec + "/authorizers/*"}, {d.hello, exec + "/*/*"}} {
			_, err = lc.AddPermission(ctx, &lambda.AddPermissionInput{
				FunctionName: aws.String(p.fn), StatementId: aws.String("apigw"), Action: aws.String("lambda:InvokeFunction"),
				Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String(p.src),
			})
			must(t, err)
		}
	}
	return d
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type env struct {
	gw        *gateway.Local
	srv       *httptest.Server
	d         deployed
	access    *syncBuf
	functions *syncBuf
}

func start(t *testing.T, o deployOpts) *env {
	t.Helper()
	m := moto.Start(t)
	cfg, err := m.Config(context.Background())
	must(t, err)
	d := deploy(t, cfg, o)
	e := &env{d: d, access: &syncBuf{}, functions: &syncBuf{}}
	e.gw, err = gateway.New(context.Background(), gateway.Options{
		AWS: cfg, Endpoint: m.Endpoint, RestAPIID: d.apiID, Stage: d.stage, Packages: pkgDir,
		Emulator: emulator, AccessLog: e.access, FunctionLog: e.functions,
	})
	must(t, err)
	t.Cleanup(e.gw.Close)
	e.srv = httptest.NewServer(e.gw)
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("access log:\n%s\nfunction log:\n%s", e.access, e.functions)
		}
	})
	return e
}

func (e *env) get(t *testing.T, path, token string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+"/"+e.d.stage+path, nil)
	must(t, err)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func check(t *testing.T, e *env, path, token string, status int, body string) string {
	t.Helper()
	code, got, _ := e.get(t, path, token)
	if code != status || (body != "" && got != body) {
		t.Fatalf("GET %s with %q: got %d %s, want %d %s", path, token, code, got, status, body)
	}
	return got
}

// TestAuthorizerSemanticsUnderRIE runs the rules with the real test
// binaries under the emulator, against an API provisioned in moto.
func TestAuthorizerSemanticsUnderRIE(t *testing.T) {
	e := start(t, deployOpts{ttl: 300, helloEnv: map[string]string{"GREETING": "hi"}})
	for _, a := range e.gw.API().Authorizers {
		if a.ValidationExpression != `[a-z0-9-]+` || a.TTL != 300*time.Second || a.Header != "Authorization" {
			t.Errorf("loaded authorizer = %+v", a)
		}
	}
	authz := e.gw.AuthorizerFunction()
	if authz == nil || authz.Name() != e.d.authz {
		t.Fatalf("authorizer function = %v", authz)
	}

	body := check(t, e, "/hello/alice", "allow-alice", 200, "")
	var ev struct {
		Resource       string
		PathParameters map[string]string
		StageVariables map[string]string
		RequestContext struct {
			APIID      string `json:"apiId"`
			Authorizer map[string]any
		}
	}
	must(t, json.Unmarshal([]byte(body), &ev))
	wantARN := "arn:aws:execute-api:us-east-1:123456789012:" + e.d.apiID + "/prod/GET/hello/alice"
	if ev.Resource != "/hello/{userId}" || ev.PathParameters["userId"] != "alice" || ev.StageVariables["color"] != "blue" ||
		ev.RequestContext.APIID != e.d.apiID || ev.RequestContext.Authorizer["principalId"] != "user-alice" ||
		ev.RequestContext.Authorizer["n"] != "42" || ev.RequestContext.Authorizer["methodArn"] != wantARN {
		t.Errorf("event = %s", body)
	}

	t.Run("cache", func(t *testing.T) {
		before := authz.Stats().Invocations
		check(t, e, "/hello/alice", "allow-alice", 200, "")
		check(t, e, "/hello/bob", "allow-alice", 403, `{"message":"User is not authorized to access this resource"}`)
		if n := authz.Stats().Invocations - before; n != 0 {
			t.Errorf("authorizer invoked %d times for a cached token", n)
		}
	})
	t.Run("missing header", func(t *testing.T) {
		check(t, e, "/hello/alice", "", 401, `{"message":"Unauthorized"}`)
	})
	t.Run("validation expression", func(t *testing.T) {
		before := authz.Stats().Invocations
		check(t, e, "/hello/alice", "Bearer allow-alice", 401, `{"message":"Unauthorized"}`)
		if authz.Stats().Invocations != before {
			t.Error("authorizer invoked")
		}
	})
	t.Run("unauthorized", func(t *testing.T) {
		check(t, e, "/hello/alice", "unauthorized", 401, `{"message":"Unauthorized"}`)
	})
	t.Run("deny", func(t *testing.T) {
		check(t, e, "/hello/alice", "deny", 403, `{"message":"User is not authorized to access this resource with an explicit deny"}`)
	})
	for _, tok := range []string{"error", "garbage", "exit", "sleep"} {
		t.Run(tok, func(t *testing.T) {
			check(t, e, "/hello/alice", tok, 500, `{"message":null}`)
		})
	}
	t.Run("after timeout and crash", func(t *testing.T) {
		check(t, e, "/hello/carol", "allow-carol", 200, "")
	})
	t.Run("integration env", func(t *testing.T) {
		for k, want := range map[string]string{"GREETING": "hi", "AWS_ENDPOINT_URL": moto.Start(t).Endpoint, "AWS_REGION": "us-east-1", "AWS_LAMBDA_FUNCTION_NAME": e.d.hello} {
			check(t, e, "/hello/alice?mode=env&var="+k, "allow-alice", 200, want)
		}
	})
	t.Run("integration failures", func(t *testing.T) {
		check(t, e, "/hello/alice?mode=error", "allow-alice", 502, `{"message":"Internal server error"}`)
		check(t, e, "/hello/alice?mode=garbage", "allow-alice", 502, `{"message":"Internal server error"}`)
		check(t, e, "/hello/alice?mode=sleep", "allow-alice", 502, `{"message":"Internal server error"}`)
	})
	t.Run("binary body", func(t *testing.T) {
		code, got, h := e.get(t, "/hello/alice?mode=b64", "allow-alice")
		if code != 201 || got != "bin\x00ary" || h.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("got %d %q %v", code, got, h)
		}
	})
	t.Run("unknown route", func(t *testing.T) {
		check(t, e, "/nope", "allow-alice", 403, `{"message":"Missing Authentication Token"}`)
	})
	t.Run("restart is a cold start", func(t *testing.T) {
		e.gw.FlushCache()
		cold := authz.Stats().Processes
		must(t, e.gw.Restart(authz.Name()))
		check(t, e, "/hello/alice", "allow-alice", 200, "")
		if authz.Stats().Processes != cold+1 {
			t.Errorf("processes %d → %d, want a new one", cold, authz.Stats().Processes)
		}
	})
	if lines := strings.Count(e.access.String(), "\n"); lines < 15 {
		t.Errorf("access log has %d lines", lines)
	}
}

func TestNoneAuthorizationServedUnauthenticated(t *testing.T) {
	e := start(t, deployOpts{authorization: "NONE"})
	check(t, e, "/hello/anyone", "", 200, "")
	if n := e.gw.AuthorizerInvocations(); n != 0 {
		t.Errorf("authorizer invocations = %d", n)
	}
}

func TestMissingPermissionIs500(t *testing.T) {
	e := start(t, deployOpts{noPermission: true, ttl: 0})
	check(t, e, "/hello/alice", "allow-alice", 500, `{"message":null}`)
}

func TestRefusesZipNotDeployed(t *testing.T) {
	m := moto.Start(t)
	cfg, err := m.Config(context.Background())
	must(t, err)
	d := deploy(t, cfg, deployOpts{})
	// The packages folder lacks the deployed hello zip.
	only := t.TempDir()
	b, err := os.ReadFile(filepath.Join(pkgDir, "authorizer.zip"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(only, "authorizer.zip"), b, 0o644))
	_, err = gateway.New(context.Background(), gateway.Options{AWS: cfg, RestAPIID: d.apiID, Stage: d.stage, Packages: only, Emulator: emulator})
	if !errors.Is(err, gateway.ErrPackage) || !strings.Contains(err.Error(), d.hello) {
		t.Fatalf("err = %v, want ErrPackage naming %s", err, d.hello)
	}
	// An explicit zip whose hash differs is refused too.
	_, err = gateway.New(context.Background(), gateway.Options{AWS: cfg, RestAPIID: d.apiID, Stage: d.stage, Packages: pkgDir, Emulator: emulator,
		Zips: map[string]string{d.hello: filepath.Join(pkgDir, "authorizer.zip")}})
	if !errors.Is(err, gateway.ErrPackage) || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("err = %v, want refusal", err)
	}
	sum := sha256.Sum256(b)
	if !strings.Contains(err.Error(), base64.StdEncoding.EncodeToString(sum[:])) {
		t.Errorf("err = %v, want the zip's hash", err)
	}
}
