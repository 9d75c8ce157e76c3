package token

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// The fast path (fastpath.go) must be indistinguishable from the full
// go-jose path: same accept/reject (same sentinel), same payload. These
// tests run every token through both, on one verifier whose header cache is
// warm, and check each acceptance against go-jose on its own as well.

var allAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// fpFixture is a fixed key set (testdata/fastpath_keys.json, created on
// first run) so that fuzz inputs replay the same way in every process.
type fpFixture struct {
	keys   map[string]*jwttest.Key // by kid
	set    keyMap
	tokens []string // valid tokens, one per algorithm and key
}

var (
	fpOnce sync.Once
	fpFix  *fpFixture
	fpErr  error
)

func loadFastPathFixture(t testing.TB) *fpFixture {
	t.Helper()
	fpOnce.Do(func() { fpFix, fpErr = buildFastPathFixture() })
	if fpErr != nil {
		t.Fatal(fpErr)
	}
	return fpFix
}

func buildFastPathFixture() (*fpFixture, error) {
	path := filepath.Join("testdata", "fastpath_keys.json")
	var set jose.JSONWebKeySet
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		set.Keys = []jose.JSONWebKey{
			{Key: jwttest.NewRSA("rsa-a", 2048).Private, KeyID: "rsa-a"},
			{Key: jwttest.NewRSA("rsa-b", 2048).Private, KeyID: "rsa-b"},
			{Key: jwttest.NewEC("ec-256", elliptic.P256()).Private, KeyID: "ec-256"},
			{Key: jwttest.NewEC("ec-384", elliptic.P384()).Private, KeyID: "ec-384"},
			{Key: jwttest.NewEC("ec-521", elliptic.P521()).Private, KeyID: "ec-521"},
			{Key: jwttest.NewEd25519("ed").Private, KeyID: "ed"},
		}
		if b, err = json.MarshalIndent(set, "", "  "); err != nil {
			return nil, err
		}
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(b, &set); err != nil {
			return nil, err
		}
	}
	f := &fpFixture{keys: map[string]*jwttest.Key{}, set: keyMap{}}
	for _, k := range set.Keys {
		jk := &jwttest.Key{KID: k.KeyID, Private: k.Key.(crypto.Signer)}
		switch p := k.Key.(type) {
		case *rsa.PrivateKey:
			jk.Alg = "RS256"
		case *ecdsa.PrivateKey:
			jk.Alg = map[int]string{256: "ES256", 384: "ES384", 521: "ES512"}[p.Curve.Params().BitSize]
		case ed25519.PrivateKey:
			jk.Alg = "EdDSA"
		}
		f.keys[k.KeyID] = jk
		f.set[k.KeyID] = &jose.JSONWebKey{Key: jk.Public(), KeyID: k.KeyID, Use: "sig"}
	}
	claims := jwttest.Claims(iss, "user-1", now)
	claims["scope"] = "read write"
	for _, kid := range []string{"rsa-a", "rsa-b"} {
		for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
			f.tokens = append(f.tokens, f.keys[kid].Mint(jwttest.Header{"alg": alg}, claims))
		}
	}
	for _, kid := range []string{"ec-256", "ec-384", "ec-521", "ed"} {
		f.tokens = append(f.tokens, f.keys[kid].Mint(nil, claims))
	}
	return f, nil
}

func newFastPathVerifier(t testing.TB, keys Keys) *Verifier {
	t.Helper()
	v, err := NewVerifier(Config{Issuer: iss, Algorithms: allAlgs, Now: func() time.Time { return now }}, keys)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sentinels are the classes two paths must agree on.
var sentinels = []error{ErrMalformed, ErrHeader, ErrAlgorithm, ErrKey, ErrSignature}

func class(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

// differ runs tok through the cached path and the full go-jose path of v
// and fails on any difference; it reports whether the cached call skipped
// go-jose (a header-cache hit that reached the signature check).
func differ(t testing.TB, v *Verifier, keys keyMap, tok string) (fast bool) {
	t.Helper()
	var full atomic.Int32
	v.testHookFullPath = func() { full.Add(1) }
	defer func() { v.testHookFullPath = nil }()
	ctx := context.Background()
	pc, errC := v.verifyJWS(ctx, tok, new(buffers), true)
	usedFull := full.Load() > 0
	pf, errF := v.verifyJWS(ctx, tok, new(buffers), false)
	if class(errC) != class(errF) || !bytes.Equal(pc, pf) {
		t.Fatalf("paths disagree on %q:\ncached: %v %q\nfull:   %v %q", tok, errC, pc, errF, pf)
	}
	if errC == nil {
		// An acceptance is also go-jose's on its own, with the same payload.
		jws, err := jose.ParseSignedCompact(tok, v.algs)
		if err != nil {
			t.Fatalf("accepted what go-jose cannot parse: %q: %v", tok, err)
		}
		kid := jws.Signatures[0].Header.KeyID
		p, err := jws.Verify(keys[kid].Key)
		if err != nil || !bytes.Equal(p, pc) {
			t.Fatalf("accepted what go-jose does not verify: %q: %v", tok, err)
		}
	}
	return !usedFull && (errC == nil || errors.Is(errC, ErrSignature))
}

// warm verifies every fixture token once, filling the header cache.
func warm(t testing.TB, v *Verifier, f *fpFixture) {
	t.Helper()
	for _, tok := range f.tokens {
		if _, err := v.verifyJWS(context.Background(), tok, new(buffers), true); err != nil {
			t.Fatalf("fixture token rejected: %v", err)
		}
	}
	if n := v.headers.len(); n != len(f.tokens) {
		t.Fatalf("cache holds %d headers, want %d", n, len(f.tokens))
	}
}

// mutations derives the tokens the differential test tries from one valid
// token: every byte replaced (a sample of positions, all near segment ends),
// truncations, segments swapped with another token's, a re-signature under
// every other key, the alg changed with and without re-signing, and
// re-spelt base64 tails.
func mutations(f *fpFixture, tok string, other string) []string {
	var out []string
	p := jwttest.Parts(tok)
	d1, d2 := len(p[0]), len(p[0])+1+len(p[1])
	near := func(i int) bool {
		for _, edge := range []int{0, d1, d2, len(tok)} {
			if i >= edge-4 && i <= edge+4 {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(tok); i++ {
		if i%23 != 0 && !near(i) {
			continue
		}
		for _, c := range []byte{'A', 'B', '_', '-', '=', '.', '+', '/', ' ', 0, tok[i] ^ 1} {
			if c != tok[i] {
				out = append(out, tok[:i]+string(c)+tok[i+1:])
			}
		}
		out = append(out, tok[:i], tok[:i]+tok[i+1:], tok[:i]+"A"+tok[i:])
	}
	q := jwttest.Parts(other)
	out = append(out,
		p[0]+"."+q[1]+"."+p[2], p[0]+"."+p[1]+"."+q[2], q[0]+"."+p[1]+"."+p[2],
		p[0]+"."+p[1]+"."+p[2]+p[2], p[0]+"."+p[1]+p[1]+"."+p[2],
		p[0]+"."+p[1]+"."+p[2][:len(p[2])-4], p[0]+"."+p[1][:len(p[1])-4]+"."+p[2],
		p[0]+"."+p[1]+"."+p[2]+"."+p[2], p[0]+".."+p[2], tok+".",
	)
	hdr, _ := decodeSegment(nil, p[0])
	payload, _ := decodeSegment(nil, p[1])
	var h map[string]any
	_ = json.Unmarshal(hdr, &h)
	alg, _ := h["alg"].(string)
	for _, k := range f.keys {
		for _, a := range allAlgs {
			if !signs(k, a) {
				continue
			}
			// The same header bytes signed by another key (or with
			// another algorithm's signature).
			out = append(out, p[0]+"."+p[1]+"."+jwttest.Encode(k.Signature(a, []byte(p[0]+"."+p[1]))))
		}
	}
	for _, a := range append(allAlgs, "none", "HS256", "RS256 ", "rs256") {
		if a == alg {
			continue
		}
		h2 := map[string]any{}
		for k, v := range h {
			h2[k] = v
		}
		h2["alg"] = a
		hb, _ := json.Marshal(h2)
		out = append(out, jwttest.Encode(hb)+"."+p[1]+"."+p[2])
		if k := f.keys[h["kid"].(string)]; signs(k, a) {
			out = append(out, k.SignRaw(a, hb, payload))
		}
	}
	// Re-spelt tails: the same bytes under go-jose's lenient decoder.
	for _, seg := range []int{1, 2} {
		s := p[seg]
		last := b64val[s[len(s)-1]]
		for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
			if b64val[c]&^0x0f == last&^0x0f && c != s[len(s)-1] {
				r := append([]string(nil), p...)
				r[seg] = s[:len(s)-1] + string(c)
				out = append(out, strings.Join(r, "."))
				break
			}
		}
	}
	return out
}

func signs(k *jwttest.Key, alg string) bool {
	switch k.Private.(type) {
	case *rsa.PrivateKey:
		return alg[:2] == "RS" || alg[:2] == "PS"
	case *ecdsa.PrivateKey, ed25519.PrivateKey:
		return alg == k.Alg
	}
	return false
}

// TestFastPathMatchesGoJose is the differential test over all algorithms.
func TestFastPathMatchesGoJose(t *testing.T) {
	f := loadFastPathFixture(t)
	v := newFastPathVerifier(t, f.set)
	warm(t, v, f)
	var total, fast, accepted int
	for i, tok := range f.tokens {
		if !differ(t, v, f.set, tok) {
			t.Fatalf("fixture token %d did not take the fast path", i)
		}
		other := f.tokens[(i+1)%len(f.tokens)]
		for _, m := range mutations(f, tok, other) {
			total++
			if differ(t, v, f.set, m) {
				fast++
			}
			if _, err := v.verifyJWS(context.Background(), m, new(buffers), false); err == nil {
				accepted++
			}
		}
		if testing.Short() && i >= 2 {
			break
		}
	}
	t.Logf("%d mutated tokens, %d decided on the fast path, %d accepted (re-signed)", total, fast, accepted)
	if fast < total/4 {
		t.Fatalf("only %d of %d mutations reached the fast path; the test lost its point", fast, total)
	}
}

// FuzzFastPathMatchesGoJose: a valid token (from the seeds, or any string)
// with one structured mutation applied must get the same verdict and
// payload from the fast path and the full go-jose path, and an acceptance
// must be go-jose's too.
func FuzzFastPathMatchesGoJose(f *testing.F) {
	fx := loadFastPathFixture(f)
	v := newFastPathVerifier(f, fx.set)
	warm(f, v, fx)
	for i, tok := range fx.tokens {
		for op := uint8(0); op < 8; op++ {
			f.Add(tok, op, uint16(i*37), byte(i))
		}
	}
	kids := []string{"rsa-a", "rsa-b", "ec-256", "ec-384", "ec-521", "ed"}
	f.Fuzz(func(t *testing.T, tok string, op uint8, pos uint16, val byte) {
		p := strings.Split(tok, ".")
		switch op % 8 {
		case 1: // replace a byte
			if len(tok) > 0 {
				i := int(pos) % len(tok)
				tok = tok[:i] + string(val) + tok[i+1:]
			}
		case 2: // truncate
			if len(tok) > 0 {
				tok = tok[:int(pos)%len(tok)]
			}
		case 3: // re-sign the same header and payload with another key
			if len(p) == 3 {
				k := fx.keys[kids[int(val)%len(kids)]]
				a := allAlgs[int(pos)%len(allAlgs)]
				if signs(k, a) {
					tok = p[0] + "." + p[1] + "." + jwttest.Encode(k.Signature(a, []byte(p[0]+"."+p[1])))
				}
			}
		case 4: // a segment from another valid token
			if len(p) == 3 {
				q := strings.Split(fx.tokens[int(val)%len(fx.tokens)], ".")
				i := int(pos) % 3
				p[i] = q[i]
				tok = strings.Join(p, ".")
			}
		case 5: // change alg, keep the signature
			if len(p) == 3 {
				if hb, err := decodeSegment(nil, p[0]); err == nil {
					a := allAlgs[int(val)%len(allAlgs)]
					hb = bytes.Replace(hb, []byte(`"alg":"`), []byte(`"alg":"`+a+`","x":"`), 1)
					tok = jwttest.Encode(hb) + "." + p[1] + "." + p[2]
				}
			}
		case 6: // flip one bit of the signature
			if len(p) == 3 {
				if sig, err := decodeSegment(nil, p[2]); err == nil && len(sig) > 0 {
					sig[int(pos)%len(sig)] ^= 1 << (val % 8)
					tok = p[0] + "." + p[1] + "." + jwttest.Encode(sig)
				}
			}
		case 7: // flip one bit of the payload
			if len(p) == 3 {
				if pl, err := decodeSegment(nil, p[1]); err == nil && len(pl) > 0 {
					pl[int(pos)%len(pl)] ^= 1 << (val % 8)
					tok = p[0] + "." + jwttest.Encode(pl) + "." + p[2]
				}
			}
		}
		differ(t, v, fx.set, tok)
	})
}

// TestFastPathBadSignature: a cached header does not vouch for anything but
// itself; a bad signature under it is refused, on the fast path.
func TestFastPathBadSignature(t *testing.T) {
	f := loadFastPathFixture(t)
	v := newFastPathVerifier(t, f.set)
	warm(t, v, f)
	for _, tok := range f.tokens {
		p := jwttest.Parts(tok)
		sig, _ := decodeSegment(nil, p[2])
		sig[len(sig)/2] ^= 0x40
		bad := p[0] + "." + p[1] + "." + jwttest.Encode(sig)
		forged := p[0] + "." + jwttest.Encode([]byte(`{"iss":"`+iss+`","sub":"admin","exp":4102444800}`)) + "." + p[2]
		for _, b := range []string{bad, forged} {
			if !differ(t, v, f.set, b) {
				t.Fatal("not decided on the fast path")
			}
			if _, err := v.Verify(context.Background(), b); !errors.Is(err, ErrSignature) {
				t.Fatalf("err = %v, want ErrSignature", err)
			}
		}
	}
	if n := v.headers.len(); n != len(f.tokens) {
		t.Fatalf("cache holds %d headers, want %d", n, len(f.tokens))
	}
}

// rotatingKeys is a Keys whose key set can be replaced, as keys.Provider's
// is after a refetch: new *jose.JSONWebKey values, same kids.
type rotatingKeys struct{ m atomic.Pointer[keyMap] }

func (r *rotatingKeys) Key(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	return (*r.m.Load()).Key(ctx, kid)
}

func (r *rotatingKeys) set(kid string, k *jwttest.Key) {
	r.m.Store(&keyMap{kid: {Key: k.Public(), KeyID: kid, Use: "sig"}})
}

// TestFastPathRotation: the cache entry is bound to the key pointer, so a
// rotation (same kid, new key) or a refetch (same key, new pointer) sends
// the next token through go-jose again.
func TestFastPathRotation(t *testing.T) {
	a, b := jwttest.NewRSA("k", 2048), jwttest.NewRSA("k", 2048)
	keys := &rotatingKeys{}
	keys.set("k", a)
	v := newFastPathVerifier(t, keys)
	var full atomic.Int32
	v.testHookFullPath = func() { full.Add(1) }
	claims := jwttest.Claims(iss, "user-1", now)
	tokA, tokB := a.Mint(nil, claims), b.Mint(nil, claims)
	if jwttest.Parts(tokA)[0] != jwttest.Parts(tokB)[0] {
		t.Fatal("want identical headers")
	}
	verify := func(tok string, wantErr error, wantFull int32) {
		t.Helper()
		full.Store(0)
		_, err := v.Verify(context.Background(), tok)
		if !errors.Is(err, wantErr) || full.Load() != wantFull {
			t.Fatalf("err = %v (want %v), go-jose calls %d (want %d)", err, wantErr, full.Load(), wantFull)
		}
	}
	verify(tokA, nil, 1) // miss: go-jose, recorded
	verify(tokA, nil, 0) // hit
	keys.set("k", b)     // rotation
	verify(tokA, ErrSignature, 1)
	verify(tokB, nil, 1) // new pointer: go-jose, re-recorded
	verify(tokB, nil, 0)
	verify(tokA, ErrSignature, 0) // refused on the fast path too
	keys.set("k", b)              // refetch: same key, new pointer
	verify(tokB, nil, 1)
	verify(tokB, nil, 0)
}

// TestFastPathHeaderBytes: only the exact header segment hits. One more
// space is a new header (go-jose, then cached); headers our checks or
// go-jose refuse never reach or never enter the cache.
func TestFastPathHeaderBytes(t *testing.T) {
	k := jwttest.NewRSA("k", 2048)
	keys := keyMap{"k": {Key: k.Public(), KeyID: "k", Use: "sig"}} // no "alg": RS384 fits too
	v := newFastPathVerifier(t, keys)
	var full atomic.Int32
	v.testHookFullPath = func() { full.Add(1) }
	payload := mustJSON(jwttest.Claims(iss, "user-1", now))
	verify := func(hdr string, wantErr error, wantFull int32, wantCached int) {
		t.Helper()
		alg := "RS256"
		if strings.Contains(hdr, "RS384") {
			alg = "RS384"
		}
		tok := k.SignRaw(alg, []byte(hdr), payload)
		full.Store(0)
		_, err := v.Verify(context.Background(), tok)
		if !errors.Is(err, wantErr) || full.Load() != wantFull || v.headers.len() != wantCached {
			t.Fatalf("%s: err = %v (want %v), go-jose calls %d (want %d), cached %d (want %d)",
				hdr, err, wantErr, full.Load(), wantFull, v.headers.len(), wantCached)
		}
	}
	verify(`{"alg":"RS256","kid":"k"}`, nil, 1, 1)
	verify(`{"alg":"RS256","kid":"k"}`, nil, 0, 1)
	verify(`{"alg":"RS256", "kid":"k"}`, nil, 1, 2)
	verify(`{"alg":"RS256", "kid":"k"}`, nil, 0, 2)
	verify(`{"alg":"RS256","kid":"k","jku":"https://x"}`, ErrHeader, 0, 2)
	verify(`{"alg":"RS256","kid":"k","kid":"k"}`, ErrHeader, 0, 2)
	verify(`{"alg":"RS384","kid":"k"}`, nil, 1, 3) // allowed here; its own entry
	verify(`{"alg":"none","kid":"k"}`, ErrAlgorithm, 0, 3)
	// go-jose refuses a non-string nonce; our reader does not look at it.
	verify(`{"alg":"RS256","kid":"k","nonce":5}`, ErrMalformed, 0, 3)
	verify(`{"alg":"RS256","kid":"k","nonce":5}`, ErrMalformed, 0, 3)
	// A header go-jose accepts but signed by another key is not recorded.
	other := jwttest.NewRSA("k", 2048)
	tok := other.SignRaw("RS256", []byte(`{"alg":"RS256","kid":"k","typ":"JWT"}`), payload)
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrSignature) || v.headers.len() != 3 {
		t.Fatalf("err = %v, cached %d", err, v.headers.len())
	}
}

// TestNonCanonicalBase64: go-jose alone accepts a token whose payload or
// signature segment is re-spelt with other unused bits (it decodes
// leniently and re-encodes); the verifier refuses it on both paths.
func TestNonCanonicalBase64(t *testing.T) {
	f := loadFastPathFixture(t)
	v := newFastPathVerifier(t, f.set)
	warm(t, v, f)
	tok := f.tokens[0]
	p := jwttest.Parts(tok)
	for seg := 1; seg <= 2; seg++ {
		s := p[seg]
		if len(s)%4 == 0 {
			continue
		}
		r := append([]string(nil), p...)
		r[seg] = s[:len(s)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[b64val[s[len(s)-1]]|1])
		bad := strings.Join(r, ".")
		jws, err := jose.ParseSignedCompact(bad, v.algs)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jws.Verify(f.set["rsa-a"].Key); err != nil {
			t.Fatalf("go-jose alone refuses it too (the test lost its point): %v", err)
		}
		differ(t, v, f.set, bad)
		if _, err := v.Verify(context.Background(), bad); !errors.Is(err, ErrMalformed) {
			t.Fatalf("segment %d: err = %v", seg, err)
		}
	}
}

// TestHeaderCacheBounded: the cache never holds more than maxCachedHeaders
// entries, and concurrent use is race-free.
func TestHeaderCacheBounded(t *testing.T) {
	var c headerCache
	k := &jose.JSONWebKey{}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				seg := strings.Repeat("h", 1+(g*500+i)%200)
				c.put(seg, headerEntry{key: k, alg: "RS256"})
				c.get(seg)
				if n := c.len(); n > maxCachedHeaders {
					t.Errorf("cache holds %d", n)
					return
				}
			}
		}()
	}
	wg.Wait()
	c.put(strings.Repeat("x", maxCachedHeaderBytes+1), headerEntry{key: k})
	if _, ok := c.get(strings.Repeat("x", maxCachedHeaderBytes+1)); ok {
		t.Fatal("oversized header cached")
	}
}

// TestVerifyConcurrent: many goroutines, fast and full paths mixed.
func TestVerifyConcurrent(t *testing.T) {
	f := loadFastPathFixture(t)
	v := newFastPathVerifier(t, f.set)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				for _, tok := range f.tokens {
					if c, err := v.Verify(context.Background(), tok); err != nil || c.UserID != "user-1" || c.Scope != "read write" {
						t.Errorf("%+v %v", c, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// TestSpecialMatchesPlain: the eight-bytes-at-a-time test of str agrees with
// the byte table, for every byte value in every lane and random words.
func TestSpecialMatchesPlain(t *testing.T) {
	check := func(b [8]byte) {
		want := false
		for _, c := range b {
			want = want || !plain[c]
		}
		if got := special(binary.LittleEndian.Uint64(b[:])); got != want {
			t.Fatalf("%q: special = %v", b, got)
		}
	}
	for lane := 0; lane < 8; lane++ {
		for c := 0; c < 256; c++ {
			b := [8]byte{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'}
			b[lane] = byte(c)
			check(b)
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 200000; i++ {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], r.Uint64())
		for j := range b {
			if r.IntN(3) > 0 {
				b[j] = byte(0x20 + r.IntN(0x60))
			}
		}
		check(b)
	}
}

// TestDuplicateKeys: the duplicate check (offsets for plain keys, a map for
// escaped ones and beyond 24) agrees with a plain map, whatever the mix.
func TestDuplicateKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 20000; i++ {
		n := 1 + r.IntN(40)
		seen := map[string]bool{}
		dup := false
		var b strings.Builder
		b.WriteString("{")
		for j := 0; j < n; j++ {
			k := string(rune('a'+r.IntN(3))) + strings.Repeat("b", r.IntN(3+n/8)) + string(rune('a'+r.IntN(3)))
			dup = dup || seen[k]
			seen[k] = true
			if j > 0 {
				b.WriteString(",")
			}
			enc := k
			if r.IntN(4) == 0 { // spell the first letter as an escape
				enc = `\u00` + strings.ToLower(string("0123456789ABCDEF"[k[0]>>4])) + string("0123456789ABCDEF"[k[0]&15]) + k[1:]
			}
			b.WriteString(`"` + enc + `":1`)
		}
		b.WriteString("}")
		rd := reader{b: []byte(b.String())}
		err := rd.object(func([]byte) error { return rd.skip() })
		if (err == errDuplicate) != dup || err != nil && err != errDuplicate {
			t.Fatalf("%s: err = %v, duplicate = %v", b.String(), err, dup)
		}
	}
}
