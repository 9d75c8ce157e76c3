package main_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

func TestMain(m *testing.M) {
	code := m.Run()
	moto.StopShared()
	os.Exit(code)
}

// TestCommand runs the command against an API provisioned in moto
// (authorization NONE, the echo test handler) and checks its output.
func TestCommand(t *testing.T) {
	tmp := t.TempDir()
	emulator, err := rie.FindOrBuild(filepath.Join(tmp, "bin"))
	must(t, err)
	bin := filepath.Join(tmp, "gateway")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	boot, err := rie.BuildFunction("../../test/gateway/testdata/echo", filepath.Join(tmp, "echo"))
	must(t, err)
	pkgs := filepath.Join(tmp, "dist")
	must(t, os.MkdirAll(pkgs, 0o755))
	code := zipOf(t, boot)
	must(t, os.WriteFile(filepath.Join(pkgs, "echo.zip"), code, 0o644))

	srv := moto.Start(t)
	cfg, err := srv.Config(context.Background())
	must(t, err)
	apiID := deploy(t, cfg, code)

	cmd := exec.Command(bin, "-endpoint", srv.Endpoint, "-rest-api-id", apiID, "-stage", "v1",
		"-listen", "127.0.0.1:0", "-packages", pkgs, "-rie", emulator, "-ignore-permissions", "-function-log", "none")
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var url string
	for url == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("command ended: %s", stderr.String())
			}
			if _, after, found := strings.Cut(l, " at http://"); found {
				url = "http://" + after
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no URL printed; stderr: %s", stderr.String())
		}
	}
	resp, err := http.Get(url + "/hello/x?mode=env&var=AWS_REGION")
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != moto.Region {
		t.Fatalf("GET: %d %s", resp.StatusCode, body)
	}
	deadline := time.After(10 * time.Second)
	for found := false; !found; {
		select {
		case l := <-lines:
			found = strings.Contains(l, " GET /v1/hello/x?mode=env&var=AWS_REGION 200 authz-cache=- ")
		case <-deadline:
			t.Fatal("no access log line for the request")
		}
	}
	must(t, cmd.Process.Signal(syscall.SIGINT))
	// At exit, one line sums the metrics the functions wrote (the echo
	// function writes none). Read to the end before Wait closes the pipe.
	summary := ""
	for done := false; !done; {
		select {
		case l, ok := <-lines:
			done = !ok
			if strings.HasPrefix(l, "gateway: metrics: ") {
				summary = l
			}
		case <-time.After(30 * time.Second):
			t.Fatal("stdout not closed after SIGINT")
		}
	}
	if summary != "gateway: metrics: verdicts none; denials none; key loads none" {
		t.Errorf("metrics summary at exit = %q", summary)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v; stderr: %s", err, stderr.String())
	}

	// A taken port is a clear error.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	out, err := exec.Command(bin, "-endpoint", srv.Endpoint, "-rest-api-id", apiID, "-stage", "v1",
		"-listen", l.Addr().String(), "-packages", pkgs, "-rie", emulator, "-ignore-permissions").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "port taken") {
		t.Fatalf("taken port: err %v, output %s", err, out)
	}
}

func deploy(t *testing.T, cfg aws.Config, code []byte) string {
	t.Helper()
	ctx := context.Background()
	suffix := time.Now().Format("150405.000000")
	suffix = strings.ReplaceAll(suffix, ".", "")
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("cmd-" + suffix), AssumeRolePolicyDocument: aws.String("{}"),
	})
	must(t, err)
	arch := lambdatypes.Architecture(rie.HostArchitecture())
	fn, err := lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("cmd-echo-" + suffix), Role: role.Role.Arn, Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Architectures: []lambdatypes.Architecture{arch}, Code: &lambdatypes.FunctionCode{ZipFile: code},
	})
	must(t, err)
	ag := apigateway.NewFromConfig(cfg)
	api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("cmd-" + suffix)})
	must(t, err)
	res, err := ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	must(t, err)
	hello, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: res.Items[0].Id, PathPart: aws.String("hello")})
	must(t, err)
	user, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: hello.Id, PathPart: aws.String("{userId}")})
	must(t, err)
	_, err = ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: user.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	must(t, err)
	_, err = ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{
		RestApiId: api.Id, ResourceId: user.Id, HttpMethod: aws.String("GET"), Type: agtypes.IntegrationTypeAwsProxy,
		IntegrationHttpMethod: aws.String("POST"),
		Uri:                   aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + aws.ToString(fn.FunctionArn) + "/invocations"),
	})
	must(t, err)
	_, err = ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("v1")})
	must(t, err)
	return aws.ToString(api.Id)
}

func zipOf(t *testing.T, bin string) []byte {
	t.Helper()
	data, err := os.ReadFile(bin)
	must(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	must(t, err)
	_, err = w.Write(data)
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
