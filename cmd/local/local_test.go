package main

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

var update = flag.Bool("update", false, "rewrite docs/local.md's override block")

const (
	docsFile    = "../../docs/local.md"
	beginMarker = "<!-- override:begin -->\n"
	endMarker   = "<!-- override:end -->"
)

// docsOverride is the block docs/local.md shows: what up writes, for moto
// on its default port and a root folder named by placeholder.
func docsOverride() string {
	return "```hcl\n" + Override("http://127.0.0.1:5000", "", "/path/to/your/root/.local/terraform.tfstate") + "```\n"
}

// The provider block of docs/local.md is the one up writes.
func TestDocsOverride(t *testing.T) {
	b, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, beginMarker), strings.Index(doc, endMarker)
	if i < 0 || j < i {
		t.Fatalf("%s: no %q … %q section", docsFile, beginMarker, endMarker)
	}
	got, want := doc[i+len(beginMarker):j], docsOverride()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(docsFile, []byte(doc[:i+len(beginMarker)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("%s shows another override than up writes (go test ./cmd/local -run TestDocsOverride -update):\n%s\nwant:\n%s", docsFile, got, want)
}

// The override routes all nine services to moto (apigateway through the
// proxy when one is given) and moves the state under .local.
func TestOverride(t *testing.T) {
	o := Override("http://127.0.0.1:5000", "http://127.0.0.1:6000", "/r/.local/terraform.tfstate")
	for _, want := range []string{
		`path = "/r/.local/terraform.tfstate"`,
		`apigateway = "http://127.0.0.1:6000"`,
		`lambda     = "http://127.0.0.1:5000"`,
		`skip_requesting_account_id  = false`,
		`access_key                  = "testing"`,
	} {
		if !strings.Contains(o, want) {
			t.Errorf("override lacks %s:\n%s", want, o)
		}
	}
	if n := strings.Count(o, `= "http://127.0.0.1:`); n != 9 {
		t.Errorf("%d endpoints, want 9:\n%s", n, o)
	}
}

func TestMint(t *testing.T) {
	k := jwttest.NewRSA(KeyID, 2048)
	p := paths{root: t.TempDir()}
	if err := os.MkdirAll(p.dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeKey(p.key(), k); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(p.key()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	back, err := readKey(p.key())
	if err != nil {
		t.Fatal(err)
	}
	if !back.Private.Public().(*rsa.PublicKey).Equal(k.Public()) {
		t.Fatal("key read back differs")
	}
	now := time.Unix(1_800_000_000, 0)
	tok := mint(back, "http://127.0.0.1:9", "local", "alice", []string{"orders/read", "profile/read"}, []string{"admins"}, now, time.Hour)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %s", tok)
	}
	var hdr, claims map[string]any
	for i, v := range []*map[string]any{&hdr, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(b, v) != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	if hdr["kid"] != KeyID || hdr["alg"] != "RS256" {
		t.Errorf("header %v", hdr)
	}
	want := map[string]any{
		"iss": "http://127.0.0.1:9", "sub": "alice", "aud": "local", "scope": "orders/read profile/read",
		"iat": float64(now.Unix()), "exp": float64(now.Add(time.Hour).Unix()),
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("%s = %v, want %v", k, claims[k], v)
		}
	}
	if g, _ := claims["groups"].([]any); len(g) != 1 || g[0] != "admins" {
		t.Errorf("groups = %v", claims["groups"])
	}
	if _, has := mintClaims(t, mint(back, "i", "a", "s", nil, nil, now, time.Hour))["scope"]; has {
		t.Error("scope claim without -scope")
	}
}

func mintClaims(t *testing.T, tok string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReadKeyRefuses(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"missing":   "",
		"not PEM":   "garbage",
		"not a key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			if content != "" {
				if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := readKey(p); !errors.Is(err, ErrKey) {
				t.Fatalf("readKey: %v, want ErrKey", err)
			}
		})
	}
}

func TestExamplePath(t *testing.T) {
	for in, want := range map[string]string{
		"/health":                    "/health",
		"/users/{userId}/orders":     "/users/alice/orders",
		"/projects/{projectId}/x":    "/projects/example/x",
		"/docs/{proxy+}":             "/docs/any/path",
		"/a/{b}/{c}":                 "/a/example/example",
		"/users/{userId}/items/{id}": "/users/alice/items/example",
	} {
		if got := examplePath(in); got != want {
			t.Errorf("examplePath(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestNextAddr(t *testing.T) {
	for _, c := range []struct {
		listen string
		i      int
		want   string
	}{
		{"127.0.0.1:8080", 1, "127.0.0.1:8081"},
		{"127.0.0.1:8080", 3, "127.0.0.1:8083"},
		{"127.0.0.1:0", 2, "127.0.0.1:0"},
		{"localhost:x", 1, "localhost:0"},
	} {
		if got := nextAddr(c.listen, c.i); got != c.want {
			t.Errorf("nextAddr(%s, %d) = %s, want %s", c.listen, c.i, got, c.want)
		}
	}
}

// down puts the lock file back as up found it: removed when there was none.
func TestRestoreLock(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".terraform.lock.hcl")
	none, err := readLock(p)
	if err != nil || none.Existed {
		t.Fatalf("readLock of nothing: %+v, %v", none, err)
	}
	if err := os.WriteFile(p, []byte("init's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := restoreLock(p, none); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("lock file left: %v", err)
	}
	if err := os.WriteFile(p, []byte("theirs"), 0o644); err != nil {
		t.Fatal(err)
	}
	theirs, err := readLock(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("init's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := restoreLock(p, theirs); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "theirs" {
		t.Fatalf("lock file %q, want theirs", b)
	}
}

// A failed step names itself, its log and what to run again.
func TestStepError(t *testing.T) {
	cause := errors.New("exit status 1")
	err := error(&stepError{step: "terraform apply", log: "/r/.local/logs/terraform.log", rerun: "local up -chdir /r", err: cause})
	want := "step \"terraform apply\" failed: exit status 1\n  log:   /r/.local/logs/terraform.log\n  rerun: local up -chdir /r"
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is not wrapped")
	}
}

// token and down without a run say so.
func TestNotUp(t *testing.T) {
	p := paths{root: t.TempDir()}
	if _, err := p.load(); !errors.Is(err, ErrNotUp) {
		t.Fatalf("load: %v, want ErrNotUp", err)
	}
	if err := os.MkdirAll(p.dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	st := &state{Root: p.root, UpPID: 0, IssuerURL: "http://127.0.0.1:9", Audience: "local"}
	if err := p.save(st); err != nil {
		t.Fatal(err)
	}
	back, err := p.load()
	if err != nil || back.IssuerURL != st.IssuerURL || back.Audience != "local" {
		t.Fatalf("load: %+v, %v", back, err)
	}
	if err := tokenCommand([]string{"-chdir", p.root}); !errors.Is(err, ErrNotUp) {
		t.Fatalf("token with up not running: %v, want ErrNotUp", err)
	}
}
