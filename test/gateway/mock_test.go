package gateway

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// preflight is the MOCK integration modules/rest-api puts on OPTIONS.
func preflight(t *testing.T) *Mock {
	t.Helper()
	m, err := newMock(map[string]string{"application/json": `{"statusCode":204}`}, map[string]agtypes.IntegrationResponse{
		"204": {StatusCode: aws.String("204"), ResponseParameters: map[string]string{
			"method.response.header.Access-Control-Allow-Origin":  "'" + origin + "'",
			"method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
			"method.response.header.Access-Control-Allow-Headers": "'Authorization,Content-Type'",
			"method.response.header.Access-Control-Max-Age":       "'600'",
			"method.response.header.Vary":                         "'Origin'",
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func withPreflight(t *testing.T) *fixture {
	f := corsFixture(t)
	for _, r := range f.g.api.Resources {
		if r.Path == "/hello/{userId}" {
			r.Methods["OPTIONS"] = &Method{HTTPMethod: "OPTIONS", AuthorizationType: "NONE", Integration: &Integration{Type: "MOCK", Mock: preflight(t)}}
		}
	}
	return f
}

func TestPreflightAnsweredByMockWithoutAuthorizer(t *testing.T) {
	f := withPreflight(t)
	r := f.do(t, "OPTIONS", "/prod/hello/a", "")
	expect(t, r, 204, "")
	for k, v := range map[string]string{
		"Access-Control-Allow-Origin":  origin,
		"Access-Control-Allow-Methods": "GET,OPTIONS",
		"Access-Control-Allow-Headers": "Authorization,Content-Type",
		"Access-Control-Max-Age":       "600",
		"Vary":                         "Origin",
	} {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if f.authz.calls.Load() != 0 || f.echo.calls.Load() != 0 {
		t.Fatal("a preflight invoked a function")
	}
}

func TestPreflightOnPathWithoutOptionsIsMissingToken(t *testing.T) {
	f := corsFixture(t) // no OPTIONS method: the browser's preflight fails on the 403
	r := f.do(t, "OPTIONS", "/prod/hello/a", "")
	expect(t, r, 403, bodyMissing)
	if r.header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("headers = %v", r.header)
	}
}

func TestMockRefusesWhatItCannotServe(t *testing.T) {
	ok204 := map[string]agtypes.IntegrationResponse{"204": {StatusCode: aws.String("204")}}
	cases := []struct {
		name      string
		templates map[string]string
		responses map[string]agtypes.IntegrationResponse
	}{
		{"no request template", nil, ok204},
		{"VTL request template", map[string]string{"application/json": `{"statusCode": $input.params('s')}`}, ok204},
		{"status out of range", map[string]string{"application/json": `{"statusCode": 99}`}, ok204},
		{"no integration response", map[string]string{"application/json": `{"statusCode": 200}`}, ok204},
		{"selection pattern", map[string]string{"application/json": `{"statusCode": 204}`},
			map[string]agtypes.IntegrationResponse{"204": {StatusCode: aws.String("204"), SelectionPattern: aws.String("2\\d{2}")}}},
		{"header from the request", map[string]string{"application/json": `{"statusCode": 204}`},
			map[string]agtypes.IntegrationResponse{"204": {StatusCode: aws.String("204"), ResponseParameters: map[string]string{"method.response.header.Access-Control-Allow-Origin": "method.request.header.Origin"}}}},
		{"VTL response template", map[string]string{"application/json": `{"statusCode": 204}`},
			map[string]agtypes.IntegrationResponse{"204": {StatusCode: aws.String("204"), ResponseTemplates: map[string]string{"application/json": `$input.json('$')`}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := newMock(tc.templates, tc.responses); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("err = %v, want ErrUnsupported", err)
			}
		})
	}
}

func TestMockStaticBody(t *testing.T) {
	m, err := newMock(map[string]string{"application/json": `{"statusCode": 200}`}, map[string]agtypes.IntegrationResponse{
		"200": {StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"ok":true}`}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, time.Minute)
	f.g.api.Resources[0].Methods = map[string]*Method{"GET": {HTTPMethod: "GET", AuthorizationType: "NONE", Integration: &Integration{Type: "MOCK", Mock: m}}}
	r := f.do(t, "GET", "/prod/", "")
	expect(t, r, 200, `{"ok":true}`)
	if r.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", r.header)
	}
}
