package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/policy"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/internal/token"
)

// invokeBoth runs one event payload through the aws-lambda-go runtime's
// handler wrapper for Handle and for HandleJSON and fails unless the bytes
// (and errors) the runtime would send are identical.
func invokeBoth(t *testing.T, h *Handler, payload []byte) []byte {
	t.Helper()
	ctx := context.Background()
	old, errOld := lambda.NewHandler(h.Handle).Invoke(ctx, payload)
	got, errNew := lambda.NewHandler(h.HandleJSON).Invoke(ctx, payload)
	if (errOld == nil) != (errNew == nil) || errOld != nil && errOld.Error() != errNew.Error() {
		t.Fatalf("errors differ: Handle %v, HandleJSON %v", errOld, errNew)
	}
	if !bytes.Equal(old, got) {
		t.Fatalf("runtime output differs:\nHandle     %s\nHandleJSON %s", old, got)
	}
	return got
}

// TestHandleJSONGolden: for every golden event the Lambda runtime sends the
// same bytes for HandleJSON as it did for Handle, and allowed ones decode
// to the golden policy.
func TestHandleJSONGolden(t *testing.T) {
	f := loadFixture(t)
	handlers := map[string]*Handler{}
	for name := range configs() {
		handlers[name] = newHandler(t, f, name, io.Discard)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if len(files) == 0 {
		t.Fatal("no golden events")
	}
	for _, file := range files {
		base := filepath.Base(file)
		payload, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got := invokeBoth(t, handlers[strings.SplitN(base, "_", 2)[0]], payload)
		if !strings.Contains(base, "_allow_") {
			continue
		}
		want, err := os.ReadFile(filepath.Join("testdata", "policies", base))
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil {
			t.Fatalf("%s: not JSON", base)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("%s:\n got %s\nwant %s", base, got, want)
		}
	}
}

// claimsVerifier returns fixed claims, whatever the token.
type claimsVerifier struct{ c token.Claims }

func (v claimsVerifier) Verify(context.Context, string) (token.Claims, error) { return v.c, nil }

// TestHandleJSONAnyClaims: claims may hold any string (quotes, control
// bytes, "<&>", U+2028, invalid UTF-8); the runtime output still matches.
func TestHandleJSONAnyClaims(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pieces := []string{"a", "\"", "\\", "<", ">", "&", "\x00", "\x1f", "\x7f", "é", "\u2028", "\u2029", "\xff", "\xe2\x80", "read write", "/"}
	rnd := func() string {
		var b strings.Builder
		for i := r.IntN(8); i > 0; i-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	b, err := policy.NewBuilder([]string{"GET/hello/{userId}", "POST/users/{userId}/items"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		c := token.Claims{UserID: "user-" + strings.Repeat("x", r.IntN(5)), Issuer: rnd(), ClientID: rnd(), Scope: rnd()}
		h := New(claimsVerifier{c}, b, newJSONLogger(io.Discard))
		ev, _ := json.Marshal(events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer x", MethodArn: defaultARN})
		invokeBoth(t, h, ev)
	}
}

// TestResponsePassthrough: the runtime's own encoding of a *Response is
// "{}", which is what makes it send the reader as it is (aws-lambda-go:
// "TOut may also implement io.Reader to return raw response data").
func TestResponsePassthrough(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	r := &Response{b: []byte(`{"x":1}`)}
	//lint:ignore SA9005 the point: this is how the runtime encodes a *Response, pinned here.
	if err := enc.Encode(r); err != nil || buf.String() != "{}\n" {
		t.Fatalf("runtime encodes *Response as %q, %v", buf.String(), err)
	}
	if r.ContentType() != "application/json" {
		t.Fatal(r.ContentType())
	}
	all, err := io.ReadAll(r)
	if err != nil || string(all) != `{"x":1}` || string(r.Bytes()) != `{"x":1}` {
		t.Fatalf("%q %v", all, err)
	}
}

// TestLogLevels: at Info (the function's default) an allow logs nothing and
// a deny one Warn line; at Debug the allow line appears.
func TestLogLevels(t *testing.T) {
	f := loadFixture(t)
	ok := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: bearer(f.rsa.Mint(nil, cognitoClaims())), MethodArn: defaultARN}
	bad := ok
	bad.AuthorizationToken = "Bearer x.y.z"
	var logs bytes.Buffer
	h := newHandlerLevel(t, f, "cognito", &logs, slog.LevelInfo)
	if _, err := h.HandleJSON(context.Background(), ok); err != nil || logs.Len() != 0 {
		t.Fatalf("allow at Info: %v, logged %q", err, logs.String())
	}
	if _, err := h.HandleJSON(context.Background(), bad); err == nil || !strings.Contains(logs.String(), `"level":"WARN","msg":"deny"`) {
		t.Fatalf("deny at Info: %v, logged %q", err, logs.String())
	}
	logs.Reset()
	h = newHandlerLevel(t, f, "cognito", &logs, slog.LevelDebug)
	if _, err := h.HandleJSON(context.Background(), ok); err != nil || !strings.Contains(logs.String(), `"msg":"allow","userId":"user-1"`) {
		t.Fatalf("allow at Debug: %v, logged %q", err, logs.String())
	}
}
