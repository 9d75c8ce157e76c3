package hello

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestCORSFromEnv(t *testing.T) {
	// Accepted: the value is the one origin sent back.
	for _, v := range []string{"", "http://127.0.0.1:8081", "https://app.example.com"} {
		if c, err := corsFrom(v); err != nil || c.AllowOrigin != v {
			t.Errorf("%q: got %q, %v", v, c.AllowOrigin, err)
		}
	}
	// Refused: anything but one bare origin (no path, list, wildcard, userinfo).
	for _, v := range []string{
		"https://app.example.com/", "https://app.example.com/login", "*",
		"https://a.example.com,https://b.example.com", "https://a.example.com https://b.example.com",
		"ftp://app.example.com", "https://user@app.example.com", "https://app.example.com?x=1",
		"app.example.com", "null",
	} {
		if c, err := corsFrom(v); !errors.Is(err, ErrBadOrigin) || c.AllowOrigin != "" {
			t.Errorf("%q: got %q, %v; want ErrBadOrigin", v, c.AllowOrigin, err)
		}
	}
}

// corsFrom reads CORS_ALLOW_ORIGIN=v.
func corsFrom(v string) (CORS, error) {
	return CORSFromEnv(func(k string) string {
		if k == "CORS_ALLOW_ORIGIN" {
			return v
		}
		return ""
	})
}

// Every answer, the refusals included, is readable by the allowed origin.
func TestHandleCORS(t *testing.T) {
	h := New(nil, nil, CORS{AllowOrigin: "http://127.0.0.1:8081"})
	for _, tc := range []struct {
		name       string
		authorizer map[string]interface{}
		status     int
	}{
		{"greets", map[string]interface{}{"principalId": "user-1"}, 200},
		{"other user", map[string]interface{}{"principalId": "user-2"}, 403},
		{"no authorizer", nil, 401},
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
			if tc.status == 401 {
				want["WWW-Authenticate"] = "Bearer"
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
