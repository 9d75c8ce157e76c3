//go:build moto

package module

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// oktaIssuer is an Okta-shaped issuer on loopback: the default custom
// authorization server at /oauth2/default, its discovery document naming
// that issuer and its keys at /oauth2/default/v1/keys, served by a
// jwttest.Issuer behind it.
type oktaIssuer struct {
	*jwttest.Issuer
	srv         *httptest.Server
	discoveries atomic.Int64
}

func newOktaIssuer(t *testing.T, keys ...*jwttest.Key) *oktaIssuer {
	t.Helper()
	o := &oktaIssuer{Issuer: jwttest.NewIssuer(keys...)}
	t.Cleanup(o.Issuer.Close)
	backend, err := url.Parse(o.Issuer.URL())
	if err != nil {
		t.Fatal(err)
	}
	keySet := httputil.NewSingleHostReverseProxy(backend)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth2/default/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		o.discoveries.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": o.URL(), "jwks_uri": o.URL() + "/v1/keys"})
	})
	mux.Handle("GET /oauth2/default/v1/keys", keySet)
	o.srv = httptest.NewServer(mux)
	t.Cleanup(o.srv.Close)
	return o
}

// Discoveries counts the discovery document's requests.
func (o *oktaIssuer) Discoveries() int64 { return o.discoveries.Load() }

// URL is the issuer identifier, http://127.0.0.1:PORT/oauth2/default.
func (o *oktaIssuer) URL() string { return o.srv.URL + "/oauth2/default" }

// TestModuleOkta applies examples/okta to moto against a loopback
// Okta-shaped issuer, checks the authorizer's configuration, then runs the
// deployed package under the RIE with the environment moto holds: an access
// token of that issuer (aud api://default, the user in uid) is allowed on
// its own /hello/{uid} and nowhere else, and one for another audience is
// refused. Then a second plan is empty, destroy leaves nothing.
func TestModuleOkta(t *testing.T) {
	ctx := context.Background()
	fx := newFixture(t)
	key := jwttest.NewRSA("okta-key-1", 2048)
	issuer := newOktaIssuer(t, key)
	s := fx.exampleStack(t, "okta", "to", map[string]any{
		"okta_domain":   "dev-123456.okta.com",
		"issuer":        issuer.URL(),
		"hello_package": fx.zip("hello"),
	})
	str := func(k string) string { return s.str(t, k) }
	if got := str("issuer"); got != issuer.URL() {
		t.Errorf("issuer output = %q, want %q", got, issuer.URL())
	}
	authorizerFn, helloFn, execARN := str("authorizer_function_name"), str("hello_function_name"), str("rest_api_execution_arn")
	lc := lambda.NewFromConfig(fx.cfg)
	f, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &authorizerFn})
	if err != nil {
		t.Fatal(err)
	}
	env := f.Configuration.Environment.Variables
	checkEnvironment(t, env, map[string]any{
		"ISSUERS": []any{map[string]any{
			"name": "okta", "issuer": issuer.URL(), "audiences": []any{"api://default"}, "client_ids": []any{}, "user_id_claim": "uid",
		}},
		"ROUTES":            []any{map[string]any{"route": "GET/hello/{userId}", "scopes": []any{}, "issuers": []any{}}},
		"METRICS_NAMESPACE": "JWTAuthorizer/" + authorizerFn,
		"KEYS_TABLE_NAME":   str("key_table_name"),
	})
	for fn, want := range map[string]string{
		authorizerFn: execARN + "/authorizers/*", // the body's authorizer: any of this API
		helloFn:      execARN + "/v1/GET/hello/*",
	} {
		if got := strings.Join(permissionSources(ctx, t, lc, fn), " "); got != want {
			t.Errorf("%s permission sources = %s, want %s", fn, got, want)
		}
	}

	t.Run("verdicts", func(t *testing.T) {
		// The deployed package, with the environment moto holds, under the RIE.
		fnEnv := map[string]string{}
		for k, v := range env {
			fnEnv[k] = v
		}
		for _, kv := range fx.srv.Env() {
			k, v, _ := strings.Cut(kv, "=")
			fnEnv[k] = v
		}
		fn, err := rie.New(rie.Config{
			Name:      authorizerFn,
			Bootstrap: unzipBootstrap(t, fx.zip("authorizer")),
			Env:       fnEnv,
			Timeout:   time.Duration(aws.ToInt32(f.Configuration.Timeout)) * time.Second,
		}, 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fn.Close)
		const uid = "00u1a2b3c4d5e6f7g8h9"
		now := time.Now()
		claims := func(aud string) map[string]any {
			c := jwttest.Claims(issuer.URL(), "alice@example.com", now)
			c["aud"], c["uid"], c["cid"], c["scp"] = aud, uid, "0oa1b2c3d4e5f6g7h8i9", []string{"openid"}
			return c
		}
		methodARN := execARN + "/v1/GET/hello/" + uid
		invoke := func(token string) *rie.Result {
			payload, _ := json.Marshal(map[string]string{"type": "TOKEN", "authorizationToken": "Bearer " + token, "methodArn": methodARN})
			ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			res, err := fn.Invoke(ictx, payload)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}

		res := invoke(key.Mint(nil, claims("api://default")))
		var resp struct {
			PrincipalID    string `json:"principalId"`
			PolicyDocument struct {
				Statement []struct {
					Effect   string
					Resource any
				}
			} `json:"policyDocument"`
			Context map[string]any `json:"context"`
		}
		if res.Failed() || json.Unmarshal(res.Payload, &resp) != nil {
			t.Fatalf("Okta token: %s\n%s", res.Payload, fn.Log())
		}
		if resp.PrincipalID != uid || len(resp.PolicyDocument.Statement) != 1 || resp.PolicyDocument.Statement[0].Effect != "Allow" ||
			strings.Join(strs(resp.PolicyDocument.Statement[0].Resource), " ") != methodARN {
			t.Errorf("Okta token: %s, want Allow on %s only for %s", res.Payload, methodARN, uid)
		}
		if resp.Context["issuer"] != issuer.URL() || resp.Context["issuerName"] != "okta" {
			t.Errorf("context = %v, want issuer %s (okta)", resp.Context, issuer.URL())
		}
		if issuer.Discoveries() == 0 || issuer.Fetches() == 0 {
			t.Errorf("discoveries %d, key set fetches %d: want the keys found through the issuer's discovery document", issuer.Discoveries(), issuer.Fetches())
		}

		// A token of the same issuer for another API is refused
		// (Unauthorized: API Gateway's 401).
		res = invoke(key.Mint(nil, claims("api://payroll")))
		if !res.Failed() || res.Error == nil || !strings.Contains(res.Error.Message, "Unauthorized") {
			t.Errorf("token for api://payroll: %s, want the Unauthorized error", res.Payload)
		}
	})

	s.destroy(t)
}

// unzipBootstrap extracts the package's bootstrap into a temporary folder
// and returns its path.
func unzipBootstrap(t *testing.T, pkg string) string {
	t.Helper()
	zr, err := zip.OpenReader(pkg)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "bootstrap" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		p := filepath.Join(t.TempDir(), "bootstrap")
		w, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Fatalf("%s holds no bootstrap", pkg)
	return ""
}
