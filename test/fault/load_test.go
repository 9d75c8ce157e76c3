package fault

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// Load settings: 200 requests/s for 30 s through the local gateway (test/gateway:
// the REST API as deployed into moto, the real authorizer and hello packages
// under the RIE, several instances each), from a bounded open-loop generator.
const (
	loadRate      = 200
	loadDuration  = 30 * time.Second
	loadInstances = 4
	loadInFlight  = 64 // the generator's bound; a request that would exceed it is counted as shed
)

// TestLoadThroughGateway: zero 5xx, every answer right for its token, p50/p99
// latency reported.
func TestLoadThroughGateway(t *testing.T) {
	if testing.Short() || os.Getenv("FAULT_SHORT") != "" {
		t.Skip("load test skipped (-short or FAULT_SHORT)")
	}
	e := newEnv(t)
	ctx := context.Background()
	root, err := repoRoot()
	must(t, err)
	dist := t.TempDir()
	arch := rie.HostArchitecture()
	cmd := exec.Command("go", "run", "./cmd/package", "-arch", arch, "-out", dist)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("package: %v\n%s", err, out)
	}
	zips := filepath.Join(dist, arch)

	// Provision the API the way the module does, through the SDK.
	api := provision(t, e, zips, arch)
	gw, err := gateway.New(ctx, gateway.Options{
		AWS: e.cfg, Endpoint: e.moto.Endpoint, RestAPIID: api, Stage: "v1", Packages: zips,
		Emulator: emulator, Instances: loadInstances,
	})
	must(t, err)
	t.Cleanup(gw.Close)
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			log := gw.AuthorizerFunction().Log()
			if len(log) > 20000 {
				log = log[len(log)-20000:]
			}
			t.Logf("function log (tail):\n%s", log)
		}
	})

	// The token mix, each with its expected status.
	type shot struct {
		path, auth string
		want       int
		user       string
	}
	var shots []shot
	for i := range 40 {
		u := fmt.Sprintf("user-%02d", i)
		tok := "Bearer " + mint(k1, u)
		shots = append(shots,
			shot{"/v1/hello/" + u, tok, 200, u}, shot{"/v1/hello/" + u, tok, 200, u},
			shot{"/v1/hello/" + u, tok, 200, u}, shot{"/v1/hello/" + u, tok, 200, u},
			shot{"/v1/hello/" + u, tok, 200, u}, shot{"/v1/hello/" + u, tok, 200, u},
			shot{"/v1/hello/" + u, tok, 200, u},
			shot{"/v1/hello/someone-else", tok, 403, u})
		expired := k1.Mint(nil, claims(u, time.Now().Add(-3*time.Hour)))
		forged := k3.Mint(jwttest.Header{"kid": "k1"}, claims(u, time.Now()))
		shots = append(shots, shot{"/v1/hello/" + u, "Bearer " + expired, 401, u}, shot{"/v1/hello/" + u, "Bearer " + forged, 401, u})
	}
	// Warm every instance once (cold starts are not what this measures).
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: loadInFlight}}
	var wg sync.WaitGroup
	for i := range 2 * loadInstances {
		wg.Go(func() {
			s := shots[i%len(shots)]
			req, _ := http.NewRequest("GET", srv.URL+s.path, nil)
			req.Header.Set("Authorization", s.auth)
			if resp, err := client.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()

	var (
		mu                        sync.Mutex
		lat                       []time.Duration
		byStatus                  = map[int]int{}
		wrong, fiveXX, errs, shed int
		inFlight                  atomic.Int64
		firstWrong                string
	)
	total := int(loadRate * loadDuration / time.Second)
	interval := time.Second / loadRate
	start := time.Now()
	for i := range total {
		// Open loop: request i leaves at start + i×interval, whatever the
		// answers before it did.
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		if inFlight.Load() >= loadInFlight {
			shed++
			continue
		}
		s := shots[i%len(shots)]
		inFlight.Add(1)
		wg.Go(func() {
			defer inFlight.Add(-1)
			req, _ := http.NewRequest("GET", srv.URL+s.path, nil)
			req.Header.Set("Authorization", s.auth)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				mu.Lock()
				errs++
				mu.Unlock()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			d := time.Since(t0)
			ok := resp.StatusCode == s.want
			if ok && s.want == 200 {
				var g struct{ UserID string }
				ok = json.Unmarshal(body, &g) == nil && g.UserID == s.user
			}
			mu.Lock()
			lat = append(lat, d)
			byStatus[resp.StatusCode]++
			if resp.StatusCode >= 500 {
				fiveXX++
			}
			if !ok {
				wrong++
				if firstWrong == "" {
					firstWrong = fmt.Sprintf("%s want %d got %d %s", s.path, s.want, resp.StatusCode, body)
				}
			}
			mu.Unlock()
		})
	}
	sent := time.Since(start)
	wg.Wait()
	elapsed := time.Since(start)
	done := len(lat)
	p50, p99, pmax := percentile(lat, .5), percentile(lat, .99), percentile(lat, 1)
	rps := float64(done) / elapsed.Seconds()
	st := gw.AuthorizerFunction().Stats()
	summary := fmt.Sprintf("%d requests in %v (%.0f rps offered, %.1f rps answered), statuses %v, 5xx %d, wrong %d, transport errors %d, shed %d; latency p50 %v p99 %v max %v; authorizer: %d invocations, %d cold starts, %d instances",
		done, elapsed.Round(time.Millisecond), float64(total)/sent.Seconds(), rps, byStatus, fiveXX, wrong, errs, shed,
		p50.Round(time.Microsecond), p99.Round(time.Microsecond), pmax.Round(time.Microsecond), st.Invocations, st.ColdStarts, loadInstances)
	t.Logf("load: %s", summary)
	if fiveXX != 0 || wrong != 0 || errs != 0 {
		t.Errorf("load: %d 5xx, %d wrong answers (first: %s), %d transport errors", fiveXX, wrong, firstWrong, errs)
	}
	if shed > total/100 {
		t.Errorf("load: the generator shed %d of %d requests (in-flight bound %d reached): the system is not keeping up", shed, total, loadInFlight)
	}
	record(t, "200 rps × 30 s through the local gateway: zero 5xx, every answer right", summary, elapsed)
}

// provision creates, in moto, what the module deploys: the key table (the
// env's), a role, the authorizer and hello functions from the real zips, the
// REST API with GET /hello/{userId} behind a TOKEN authorizer (result cache
// off, so every request runs the authorizer), the stage and the permissions.
func provision(t *testing.T, e *env, zips, arch string) string {
	t.Helper()
	ctx := context.Background()
	suffix := randHex(4)
	lc, ag, ic := lambda.NewFromConfig(e.cfg), apigateway.NewFromConfig(e.cfg), iam.NewFromConfig(e.cfg)
	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("fault-load-" + suffix),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	must(t, err)
	la := lambdatypes.ArchitectureX8664
	if arch == "arm64" {
		la = lambdatypes.ArchitectureArm64
	}
	mkfn := func(name, zip string, env map[string]string) string {
		code, err := os.ReadFile(filepath.Join(zips, zip))
		must(t, err)
		out, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Role: role.Role.Arn, Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Architectures: []lambdatypes.Architecture{la},
			Code: &lambdatypes.FunctionCode{ZipFile: code}, Timeout: aws.Int32(5), MemorySize: aws.Int32(256),
			Environment: &lambdatypes.Environment{Variables: env},
		})
		must(t, err)
		return aws.ToString(out.FunctionArn)
	}
	authzName, helloName := "fault-authz-"+suffix, "fault-hello-"+suffix
	authzARN := mkfn(authzName, "authorizer.zip", map[string]string{
		"ISSUER": issuerURL, "AUDIENCES": audience, "JWKS_URL": e.jwksURL, "KEYS_TABLE_NAME": e.table,
	})
	helloARN := mkfn(helloName, "hello.zip", nil)
	uri := func(arn string) *string {
		return aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arn + "/invocations")
	}
	api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("fault-load-" + suffix)})
	must(t, err)
	res, err := ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	must(t, err)
	hello, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: res.Items[0].Id, PathPart: aws.String("hello")})
	must(t, err)
	user, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: hello.Id, PathPart: aws.String("{userId}")})
	must(t, err)
	var ttl int32
	az, err := ag.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{
		RestApiId: api.Id, Name: aws.String("jwt"), Type: agtypes.AuthorizerTypeToken,
		AuthorizerUri: uri(authzARN), IdentitySource: aws.String("method.request.header.Authorization"),
		AuthorizerResultTtlInSeconds: &ttl,
	})
	must(t, err)
	_, err = ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: user.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("CUSTOM"), AuthorizerId: az.Id})
	must(t, err)
	_, err = ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{
		RestApiId: api.Id, ResourceId: user.Id, HttpMethod: aws.String("GET"), Type: agtypes.IntegrationTypeAwsProxy,
		IntegrationHttpMethod: aws.String("POST"), Uri: uri(helloARN),
	})
	must(t, err)
	_, err = ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("v1")})
	must(t, err)
	exec := "arn:aws:execute-api:us-east-1:" + account + ":" + aws.ToString(api.Id)
	for _, p := range []struct{ fn, src string }{{authzName, exec + "/authorizers/*"}, {helloName, exec + "/*/GET/hello/*"}} {
		_, err = lc.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String(p.fn), StatementId: aws.String("apigw"), Action: aws.String("lambda:InvokeFunction"),
			Principal: aws.String("apigateway.amazonaws.com"), SourceArn: aws.String(p.src),
		})
		must(t, err)
	}
	return aws.ToString(api.Id)
}
