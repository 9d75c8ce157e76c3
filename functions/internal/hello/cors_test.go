package hello

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestCORSFromEnv(t *testing.T) {
	cases := []struct {
		value string
		want  string
		err   error
	}{
		{"", "", nil},
		{"http://127.0.0.1:8081", "http://127.0.0.1:8081", nil},
		{"https://app.example.com", "https://app.example.com", nil},
		{"https://app.example.com/", "", ErrBadOrigin},
		{"https://app.example.com/login", "", ErrBadOrigin},
		{"*", "", ErrBadOrigin},
		{"https://a.example.com,https://b.example.com", "", ErrBadOrigin},
		{"https://a.example.com https://b.example.com", "", ErrBadOrigin},
		{"ftp://app.example.com", "", ErrBadOrigin},
		{"https://user@app.example.com", "", ErrBadOrigin},
		{"https://app.example.com?x=1", "", ErrBadOrigin},
		{"app.example.com", "", ErrBadOrigin},
		{"null", "", ErrBadOrigin},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			c, err := CORSFromEnv(func(k string) string {
				if k == "CORS_ALLOW_ORIGIN" {
					return tc.value
				}
				return ""
			})
			if !errors.Is(err, tc.err) || c.AllowOrigin != tc.want {
				t.Fatalf("got %q, %v; want %q, %v", c.AllowOrigin, err, tc.want, tc.err)
			}
		})
	}
}

// Every answer, the refusals included, is readable by the allowed origin.
func TestHandleCORS(t *testing.T) {
	h := New(nil, CORS{AllowOrigin: "http://127.0.0.1:8081"})
	for _, tc := range []struct {
		name       string
		authorizer map[string]interface{}
		status     int
	}{
		{"greets", map[string]interface{}{"principalId": "user-1"}, 200},
		{"other user", map[string]interface{}{"principalId": "user-2"}, 403},
		{"no authorizer", nil, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := h.Handle(context.Background(), events.APIGatewayProxyRequest{
				PathParameters: map[string]string{"userId": "user-1"},
				RequestContext: events.APIGatewayProxyRequestContext{Authorizer: tc.authorizer},
			})
			if err != nil || resp.StatusCode != tc.status {
				t.Fatalf("got %d, %v", resp.StatusCode, err)
			}
			want := map[string]string{
				"Content-Type":                  "application/json",
				"Access-Control-Allow-Origin":   "http://127.0.0.1:8081",
				"Access-Control-Expose-Headers": "WWW-Authenticate",
				"Vary":                          "Origin",
			}
			if len(resp.Headers) != len(want) {
				t.Fatalf("headers %v", resp.Headers)
			}
			for k, v := range want {
				if resp.Headers[k] != v {
					t.Errorf("%s = %q, want %q", k, resp.Headers[k], v)
				}
			}
			if _, ok := resp.Headers["Access-Control-Allow-Credentials"]; ok {
				t.Error("credentials mode must stay off")
			}
		})
	}
}
