package gateway_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/gateway"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
)

// TestLoadHTTPProxyFromMoto: an HTTP_PROXY integration put into moto the way
// modules/rest-api puts it (path parameters mapped into the URI) is read
// back with its verb and mappings and served to a loopback backend.
func TestLoadHTTPProxyFromMoto(t *testing.T) {
	m := moto.Start(t)
	ctx := context.Background()
	cfg, err := m.Config(ctx)
	must(t, err)
	seen := make(chan string, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Method + " " + r.URL.EscapedPath()
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(backend.Close)

	ag := apigateway.NewFromConfig(cfg)
	api, err := ag.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(fmt.Sprintf("gw-http-%d", time.Now().UnixNano()))})
	must(t, err)
	t.Cleanup(func() {
		_, _ = ag.DeleteRestApi(context.Background(), &apigateway.DeleteRestApiInput{RestApiId: api.Id})
	})
	res, err := ag.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
	must(t, err)
	parent := res.Items[0].Id
	for _, part := range []string{"users", "{userId}", "files", "{proxy+}"} {
		r, err := ag.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: parent, PathPart: aws.String(part)})
		must(t, err)
		parent = r.Id
	}
	_, err = ag.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: parent, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE"),
		RequestParameters: map[string]bool{"method.request.path.userId": true, "method.request.path.proxy": true}})
	must(t, err)
	_, err = ag.PutIntegration(ctx, &apigateway.PutIntegrationInput{
		RestApiId: api.Id, ResourceId: parent, HttpMethod: aws.String("GET"), Type: agtypes.IntegrationTypeHttpProxy,
		IntegrationHttpMethod: aws.String("GET"), Uri: aws.String(backend.URL + "/u/{userId}/f/{proxy}"),
		RequestParameters: map[string]string{
			"integration.request.path.userId": "method.request.path.userId",
			"integration.request.path.proxy":  "method.request.path.proxy",
		},
	})
	must(t, err)
	_, err = ag.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("v1")})
	must(t, err)

	gw, err := gateway.New(ctx, gateway.Options{AWS: cfg, Endpoint: m.Endpoint, RestAPIID: aws.ToString(api.Id), Stage: "v1", Packages: pkgDir, Emulator: emulator})
	must(t, err)
	t.Cleanup(gw.Close)
	var in *gateway.Integration
	for _, r := range gw.API().Resources {
		if r.Path == "/users/{userId}/files/{proxy+}" {
			in = r.Methods["GET"].Integration
		}
	}
	if in == nil || in.Type != "HTTP_PROXY" || in.HTTPMethod != "GET" || in.RequestParameters["integration.request.path.proxy"] != "method.request.path.proxy" {
		t.Fatalf("loaded integration = %+v", in)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/v1/users/u1/files/a/b.txt")
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok" {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
	if got := <-seen; got != "GET /u/u1/f/a/b.txt" {
		t.Errorf("backend got %q", got)
	}
}
