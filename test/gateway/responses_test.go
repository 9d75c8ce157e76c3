package gateway

import (
	"errors"
	"testing"
	"time"
)

const origin = "http://127.0.0.1:8081"

// corsResponses are the gateway responses modules/rest-api deploys with cors
// on, as moto returns them.
func corsResponses(t *testing.T) map[string]*GatewayResponse {
	t.Helper()
	cors := map[string]string{
		"gatewayresponse.header.Access-Control-Allow-Origin":   "'" + origin + "'",
		"gatewayresponse.header.Access-Control-Expose-Headers": "'WWW-Authenticate'",
		"gatewayresponse.header.Vary":                          "'Origin'",
	}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range cors {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	out := map[string]*GatewayResponse{}
	for _, r := range []struct {
		typ, status string
		params      map[string]string
		body        string
	}{
		{"UNAUTHORIZED", "401", with(map[string]string{"gatewayresponse.header.WWW-Authenticate": `'Bearer realm="orders"'`}), `{"message":"Unauthorized"}`},
		{"ACCESS_DENIED", "403", with(nil), `{"message":"The token is valid but does not grant access to this resource"}`},
		{"MISSING_AUTHENTICATION_TOKEN", "", with(nil), ""},
		{"DEFAULT_4XX", "", with(nil), ""},
		{"DEFAULT_5XX", "", with(nil), ""},
	} {
		gr, err := newGatewayResponse(r.typ, r.status, r.params, map[string]string{"application/json": r.body})
		if err != nil {
			t.Fatal(err)
		}
		out[r.typ] = gr
	}
	return out
}

func corsFixture(t *testing.T) *fixture {
	f := newFixture(t, time.Minute)
	f.g.api.GatewayResponses = corsResponses(t)
	return f
}

func expectCORS(t *testing.T, r response) {
	t.Helper()
	if r.header.Get("Access-Control-Allow-Origin") != origin || r.header.Get("Access-Control-Expose-Headers") != "WWW-Authenticate" ||
		r.header.Get("Vary") != "Origin" || r.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("CORS headers = %v", r.header)
	}
}

func TestUnauthorizedResponseCarriesWWWAuthenticate(t *testing.T) {
	f := corsFixture(t)
	for _, tok := range []string{"", "Bearer allow-a", "unauthorized"} { // missing, failing the expression, refused by the authorizer
		r := f.do(t, "GET", "/prod/hello/a", tok)
		expect(t, r, 401, bodyUnauthorized)
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="orders"` {
			t.Errorf("token %q: WWW-Authenticate = %q", tok, got)
		}
		expectCORS(t, r)
	}
}

func TestAccessDeniedResponseBody(t *testing.T) {
	f := corsFixture(t)
	for _, tok := range []string{"allow-b", "deny"} { // no applicable Allow, explicit Deny
		r := f.do(t, "GET", "/prod/hello/a", tok)
		expect(t, r, 403, `{"message":"The token is valid but does not grant access to this resource"}`)
		if r.header.Get("WWW-Authenticate") != "" || r.header.Get("x-amzn-ErrorType") != "AccessDeniedException" {
			t.Errorf("headers = %v", r.header)
		}
		expectCORS(t, r)
	}
}

func TestMissingTokenResponseKeepsItsWording(t *testing.T) {
	f := corsFixture(t)
	r := f.do(t, "GET", "/prod/nope", "allow-a")
	expect(t, r, 403, bodyMissing)
	expectCORS(t, r)
}

func TestDefault5XXResponseCarriesCORS(t *testing.T) {
	f := corsFixture(t)
	r := f.do(t, "GET", "/prod/hello/a", "error") // AUTHORIZER_CONFIGURATION_ERROR falls back to DEFAULT_5XX
	expect(t, r, 500, bodyNull)
	expectCORS(t, r)
	r = f.do(t, "GET", "/prod/hello/a?mode=error", "allow-a") // integration failure
	expect(t, r, 502, bodyInternal)
	expectCORS(t, r)
}

func TestDefault4XXResponseCarriesCORS(t *testing.T) {
	f := newFixture(t, time.Minute)
	f.g.api.GatewayResponses = map[string]*GatewayResponse{"DEFAULT_4XX": corsResponses(t)["DEFAULT_4XX"]}
	for _, tok := range []string{"", "allow-b"} { // UNAUTHORIZED, ACCESS_DENIED not customised: DEFAULT_4XX applies
		r := f.do(t, "GET", "/prod/hello/a", tok)
		expectCORS(t, r)
		if r.header.Get("WWW-Authenticate") != "" {
			t.Errorf("WWW-Authenticate from DEFAULT_4XX: %v", r.header)
		}
	}
	expect(t, f.do(t, "GET", "/prod/hello/a", ""), 401, bodyUnauthorized)
	expect(t, f.do(t, "GET", "/prod/hello/a", "allow-b"), 403, bodyNotAllowed)
	if r := f.do(t, "GET", "/prod/hello/a", "error"); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a 5XX took DEFAULT_4XX's headers: %v", r.header)
	}
}

func TestSpecificResponseWinsOverDefault(t *testing.T) {
	f := newFixture(t, time.Minute)
	f.g.api.GatewayResponses = map[string]*GatewayResponse{
		"DEFAULT_4XX":  {Type: "DEFAULT_4XX", Headers: map[string]string{"X-From": "default"}},
		"UNAUTHORIZED": {Type: "UNAUTHORIZED", StatusCode: 418, Headers: map[string]string{"X-From": "unauthorized"}, Template: `{"why":$context.error.messageString,"raw":"$context.error.message"}`},
	}
	r := f.do(t, "GET", "/prod/hello/a", "")
	expect(t, r, 418, `{"why":"Unauthorized","raw":"Unauthorized"}`)
	if r.header.Get("X-From") != "unauthorized" {
		t.Errorf("headers = %v", r.header)
	}
}

func TestNoGatewayResponsesKeepsAPIGatewayDefaults(t *testing.T) {
	f := newFixture(t, time.Minute)
	r := f.do(t, "GET", "/prod/hello/a", "")
	expect(t, r, 401, bodyUnauthorized)
	if r.header.Get("WWW-Authenticate") != "" || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("headers = %v", r.header)
	}
}

func TestGatewayResponseRefusesWhatItCannotServe(t *testing.T) {
	cases := []struct {
		name      string
		status    string
		params    map[string]string
		templates map[string]string
	}{
		{"header from the request", "", map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin"}, nil},
		{"unquoted value", "", map[string]string{"gatewayresponse.header.X": "x"}, nil},
		{"not a header", "", map[string]string{"gatewayresponse.querystring.x": "'x'"}, nil},
		{"VTL in the body", "", nil, map[string]string{"application/json": `{"id":"$context.requestId"}`}},
		{"VTL directive", "", nil, map[string]string{"application/json": `#set($x = 1)`}},
		{"status", "4xx", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := newGatewayResponse("DEFAULT_4XX", tc.status, tc.params, tc.templates); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("err = %v, want ErrUnsupported", err)
			}
		})
	}
}

func TestResponseTypes(t *testing.T) {
	for e, want := range map[gwError]string{
		errMissingToken: "MISSING_AUTHENTICATION_TOKEN",
		errUnauthorized: "UNAUTHORIZED",
		errExplicitDeny: "ACCESS_DENIED",
		errNotAllowed:   "ACCESS_DENIED",
		errAuthorizer:   "AUTHORIZER_CONFIGURATION_ERROR",
		errConfig:       "API_CONFIGURATION_ERROR",
		errTimeout:      "INTEGRATION_TIMEOUT",
		errIntegration:  "", // a bad proxy answer has no type of its own: DEFAULT_5XX
	} {
		if got := responseType(e); got != want {
			t.Errorf("%s %d: %q, want %q", e.errType, e.status, got, want)
		}
	}
}
