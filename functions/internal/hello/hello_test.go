package hello

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestHandle(t *testing.T) {
	cases := []struct {
		name       string
		authorizer map[string]interface{}
		pathUser   string
		status     int
		body       string
		logLevel   string
	}{
		{"greets", map[string]interface{}{"principalId": "user-1", "userId": "user-1"}, "user-1", 200,
			`{"message":"Hello, user-1!","userId":"user-1"}`, "INFO"},
		{"other user", map[string]interface{}{"principalId": "user-1"}, "user-2", 403, `{"message":"Forbidden"}`, "WARN"},
		{"no path user", map[string]interface{}{"principalId": "user-1"}, "", 403, `{"message":"Forbidden"}`, "WARN"},
		{"no authorizer", nil, "user-1", 500, `{"message":"Internal server error"}`, "ERROR"},
		{"principal not string", map[string]interface{}{"principalId": 7}, "7", 500, `{"message":"Internal server error"}`, "ERROR"},
		{"html escaped", map[string]interface{}{"principalId": "a<b"}, "a<b", 200,
			`{"message":"Hello, a\u003cb!","userId":"a\u003cb"}`, "INFO"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
				var logs bytes.Buffer
				h := New(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: level})), CORS{})
				req := events.APIGatewayProxyRequest{
					HTTPMethod:     "GET",
					Path:           "/hello/" + tc.pathUser,
					PathParameters: map[string]string{"userId": tc.pathUser},
					RequestContext: events.APIGatewayProxyRequestContext{Authorizer: tc.authorizer, RequestID: "req-1"},
				}
				resp, err := h.Handle(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tc.status || resp.Body != tc.body || resp.Headers["Content-Type"] != "application/json" || len(resp.Headers) != 1 {
					t.Fatalf("got %d %q %v", resp.StatusCode, resp.Body, resp.Headers)
				}
				if !json.Valid([]byte(resp.Body)) {
					t.Fatal("body is not JSON")
				}
				// One line at the outcome's level; the principal (personal
				// data) only ever in a DEBUG line.
				outcome := 0
				for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
					var rec map[string]any
					if err := json.Unmarshal([]byte(line), &rec); err != nil {
						t.Fatalf("log: %s", logs.String())
					}
					if _, has := rec["principalId"]; has && rec["level"] != "DEBUG" {
						t.Errorf("principalId logged at %v: %s", rec["level"], line)
					}
					if rec["level"] == tc.logLevel {
						outcome++
					}
				}
				if outcome != 1 {
					t.Fatalf("level %v: want one %s line: %s", level, tc.logLevel, logs.String())
				}
				if level == slog.LevelDebug && tc.status != 500 && !strings.Contains(logs.String(), `"principalId"`) {
					t.Fatalf("principal missing from the debug log: %s", logs.String())
				}
			}
		})
	}
}
