package token

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Keys finds the issuer's public key for a kid. The keys package implements
// it (memory → DynamoDB → issuer); tests use a small fake.
type Keys interface {
	Key(ctx context.Context, kid string) (*jose.JSONWebKey, error)
}

// Config says what a valid token looks like.
type Config struct {
	Issuer         string        // required; "iss" must equal it byte for byte
	Audiences      []string      // when set, "aud" must contain one of them
	ClientIDs      []string      // when set, "client_id" (Cognito) or "cid" (Okta) must be one
	TokenUse       string        // when set, "token_use" must equal it
	RequiredScopes []string      // each must be in "scope" (string) or "scp" (array)
	UserIDClaim    string        // claim holding the user id; default "sub"
	Algorithms     []string      // allow-list; default RS256; none/HS* are refused
	Leeway         time.Duration // clock skew tolerated on exp, nbf and iat
	Now            func() time.Time
}

// Claims are the verified facts the authorizer passes on.
type Claims struct {
	UserID   string // value of Config.UserIDClaim; type-checked only, see policy.ValidUserID
	Issuer   string
	ClientID string // client_id, else cid, else ""
	Scope    string // "scope", else "scp" joined by spaces
}

// Verifier verifies tokens; it is safe for concurrent use.
type Verifier struct {
	cfg       Config
	keys      Keys
	algs      []jose.SignatureAlgorithm
	userClaim string
	leeway    float64
	headers   headerCache // headers go-jose accepted, see fastpath.go

	testHookFullPath func() // tests only: called when go-jose verifies
}

// maxKIDBytes bounds the attacker-chosen kid before it reaches the key
// source and its logs; real kids are thumbprints or short names.
const maxKIDBytes = 256

// maxHeaderBytes bounds the encoded protected header before it is decoded;
// real JOSE headers are under 300 bytes.
const maxHeaderBytes = 2048

// minRSABits refuses keys too weak to trust, whatever the issuer publishes.
const minRSABits = 2048

var supported = map[string]bool{
	"RS256": true, "RS384": true, "RS512": true, "PS256": true, "PS384": true, "PS512": true,
	"ES256": true, "ES384": true, "ES512": true, "EdDSA": true,
}

// NewVerifier checks cfg and returns a verifier reading keys from keys.
func NewVerifier(cfg Config, keys Keys) (*Verifier, error) {
	if cfg.Issuer == "" || keys == nil {
		return nil, fmt.Errorf("create verifier: issuer and keys are required: %w", ErrInvalidInput)
	}
	if len(cfg.Algorithms) == 0 {
		cfg.Algorithms = []string{"RS256"}
	}
	v := &Verifier{cfg: cfg, keys: keys, userClaim: cfg.UserIDClaim, leeway: cfg.Leeway.Seconds()}
	for _, a := range cfg.Algorithms {
		if !supported[a] {
			return nil, fmt.Errorf("create verifier: algorithm %q: %w", a, ErrInvalidInput)
		}
		v.algs = append(v.algs, jose.SignatureAlgorithm(a))
	}
	if v.userClaim == "" {
		v.userClaim = "sub"
	}
	if v.cfg.Now == nil {
		v.cfg.Now = time.Now
	}
	return v, nil
}

// Verify checks a compact JWS (as returned by Extract) and its claims.
func (v *Verifier) Verify(ctx context.Context, raw string) (Claims, error) {
	b := bufPool.Get().(*buffers)
	defer bufPool.Put(b)
	payload, err := v.verifyJWS(ctx, raw, b, true)
	if err != nil {
		return Claims{}, err
	}
	// Claims copies what it keeps, so b can be reused once this returns.
	return v.claims(payload)
}

// buffers hold the decoded segments of one token. They are pooled rather
// than on the stack because the strict JSON reader's callbacks make the
// compiler move any buffer they read to the heap; tokens larger than these
// buffers decode into fresh memory.
type buffers struct {
	hdr     [512]byte
	sig     [512]byte // RSA-4096
	payload [4096]byte
}

var bufPool = sync.Pool{New: func() any { return new(buffers) }}

// verifyJWS checks everything but the claims and returns the verified
// payload (in b when it fits). With cached false it never consults or
// fills the header cache: the full go-jose path, which the tests compare the
// fast path against.
func (v *Verifier) verifyJWS(ctx context.Context, raw string, b *buffers, cached bool) ([]byte, error) {
	if len(raw) > MaxTokenBytes {
		return nil, fmt.Errorf("parse token: too long: %w", ErrMalformed)
	}
	// Shape first, cheaply: three non-empty segments, no CR/LF (which the
	// base64 decoder would skip). This refuses JWE (five parts), the JSON
	// serialization and unsigned tokens.
	d1, d2, ok := segments(raw)
	if !ok {
		return nil, fmt.Errorf("parse token: not a compact JWS: %w", ErrMalformed)
	}
	if d1 > maxHeaderBytes {
		return nil, fmt.Errorf("check header: longer than %d bytes: %w", maxHeaderBytes, ErrHeader)
	}
	hdr, err := decodeSegment(b.hdr[:0], raw[:d1])
	if err != nil {
		return nil, fmt.Errorf("decode header: %w", ErrMalformed)
	}
	alg, kidb, err := readHeader(hdr)
	if err != nil {
		return nil, fmt.Errorf("check header: %w", err)
	}
	if !v.allowed(alg) {
		return nil, fmt.Errorf("check algorithm: %w", ErrAlgorithm)
	}
	if len(kidb) == 0 || len(kidb) > maxKIDBytes {
		return nil, fmt.Errorf("check header: kid missing or too long: %w", ErrHeader)
	}
	// One spelling per signed byte string (see canonical); the header was
	// decoded strictly above.
	if !canonical(raw[d1+1:d2]) || !canonical(raw[d2+1:]) {
		return nil, fmt.Errorf("parse token: non-canonical base64url: %w", ErrMalformed)
	}
	// A header go-jose has already accepted (fastpath.go) needs only the
	// per-token decoding; anything else is parsed by go-jose. Either way
	// malformed tokens are refused before they reach the key source.
	var (
		jws     *jose.JSONWebSignature
		payload []byte
		sig     []byte
	)
	ent, hit := headerEntry{}, false
	if cached {
		ent, hit = v.headers.get(raw[:d1])
	}
	// The kid of a cached header is that entry's string: no allocation.
	kid := ent.kid
	if !hit || string(kidb) != kid {
		hit, kid = false, string(kidb)
	}
	if hit && ent.alg == alg {
		if sig, err = decodeSegment(b.sig[:0], raw[d2+1:]); err != nil {
			return nil, fmt.Errorf("decode signature: %w", ErrMalformed)
		}
		if payload, err = decodeSegment(b.payload[:0], raw[d1+1:d2]); err != nil {
			return nil, fmt.Errorf("decode payload: %w", ErrMalformed)
		}
	} else {
		hit = false
		// go-jose parses and, below, verifies. Its allow-list is ours, so
		// the algorithm is pinned twice, independently.
		if jws, err = v.parse(raw, alg); err != nil {
			return nil, err
		}
	}
	jwk, err := v.keys.Key(ctx, kid)
	if err != nil {
		return nil, fmt.Errorf("find key: %w: %w", ErrKey, err)
	}
	if err := keyFits(jwk, alg); err != nil {
		return nil, fmt.Errorf("check key: %w", err)
	}
	if hit && ent.key == jwk {
		if verifySignature(jwk.Key, alg, bytesOf(raw[:d2]), sig) != nil {
			return nil, fmt.Errorf("verify signature: %w", ErrSignature)
		}
		return payload, nil
	}
	if v.testHookFullPath != nil {
		v.testHookFullPath()
	}
	if jws == nil {
		// The header was cached for another key (rotation): full path.
		if jws, err = v.parse(raw, alg); err != nil {
			return nil, err
		}
	}
	payload, err = jws.Verify(jwk.Key)
	if err != nil {
		return nil, fmt.Errorf("verify signature: %w", ErrSignature)
	}
	if cached {
		v.headers.put(raw[:d1], headerEntry{key: jwk, alg: alg, kid: kid})
	}
	return payload, nil
}

func (v *Verifier) parse(raw, alg string) (*jose.JSONWebSignature, error) {
	jws, err := jose.ParseSignedCompact(raw, v.algs)
	if err != nil {
		return nil, fmt.Errorf("parse token: %w", ErrMalformed)
	}
	if len(jws.Signatures) != 1 || string(jws.Signatures[0].Header.Algorithm) != alg {
		return nil, fmt.Errorf("parse token: %w", ErrMalformed)
	}
	return jws, nil
}

// internAlg returns the constant for a known algorithm name (no allocation
// per request), or a copy for an unknown one, which allowed will refuse.
func internAlg(b []byte) string {
	for _, a := range knownAlgs {
		if string(b) == a {
			return a
		}
	}
	return string(b)
}

var knownAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

func (v *Verifier) allowed(alg string) bool {
	for _, a := range v.algs {
		if string(a) == alg {
			return true
		}
	}
	return false
}

// segments finds the two separators of a compact JWS. It checks only the
// header segment's alphabet here: go-jose decodes payload and signature with
// the base64url decoder, which rejects every other byte except CR and LF, and
// those are refused below, so a full byte loop over the token would be
// redundant work on the hot path.
func segments(raw string) (d1, d2 int, ok bool) {
	d1 = strings.IndexByte(raw, '.')
	if d1 < 1 {
		return 0, 0, false
	}
	rest := raw[d1+1:]
	i := strings.IndexByte(rest, '.')
	if i < 1 || i == len(rest)-1 || strings.IndexByte(rest[i+1:], '.') >= 0 {
		return 0, 0, false
	}
	d2 = d1 + 1 + i
	if strings.IndexByte(raw, '\n') >= 0 || strings.IndexByte(raw, '\r') >= 0 {
		return 0, 0, false
	}
	for j := 0; j < d1; j++ {
		if !b64url[raw[j]] {
			return 0, 0, false
		}
	}
	return d1, d2, true
}

// b64url marks the base64url alphabet.
var b64url = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = true
	}
	return t
}()

// strictB64 refuses padding and non-zero unused bits; CR and LF, which
// every encoding/base64 decoder skips, are refused by segments.
var strictB64 = base64.RawURLEncoding.Strict()

func decodeSegment(dst []byte, s string) ([]byte, error) {
	n := strictB64.DecodedLen(len(s))
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	m, err := strictB64.Decode(dst, bytesOf(s))
	return dst[:m], err
}

// forbiddenHeaders either let the token pick its own key (jwk, jku, x5u,
// x5c), change how the payload is read (b64, zip, cty: nested JWTs) or
// demand extensions we do not implement (crit), or belong to JWE (enc).
var forbiddenHeaders = []string{"jwk", "jku", "x5u", "x5c", "crit", "b64", "zip", "cty", "enc"}

// readHeader returns alg (interned) and kid, which may alias b.
func readHeader(b []byte) (alg string, kid []byte, err error) {
	r := reader{b: b}
	err = r.object(func(key []byte) error {
		switch string(key) {
		case "alg":
			s, err := r.str()
			alg = internAlg(s)
			return err
		case "kid":
			s, err := r.str()
			kid = s
			return err
		case "typ":
			_, err := r.str()
			return err
		}
		for _, f := range forbiddenHeaders {
			if string(key) == f {
				return fmt.Errorf("%s present: %w", f, ErrHeader)
			}
		}
		return r.skip()
	})
	if err == nil {
		err = r.end()
	}
	if err != nil && !errors.Is(err, ErrHeader) {
		err = fmt.Errorf("%v: %w", err, ErrHeader)
	}
	return alg, kid, err
}

// keyFits makes the key agree with the token: a published "use" must be
// "sig", a published "alg" must be the token's, and the key type and curve
// must be the ones the algorithm is defined for (no RSA key for ES256).
func keyFits(jwk *jose.JSONWebKey, alg string) error {
	if jwk == nil {
		return fmt.Errorf("nil key: %w", ErrKey)
	}
	if jwk.Use != "" && jwk.Use != "sig" {
		return fmt.Errorf("key use is not sig: %w", ErrKey)
	}
	if jwk.Algorithm != "" && jwk.Algorithm != alg {
		return fmt.Errorf("key alg differs from token alg: %w", ErrKey)
	}
	ok := false
	switch k := jwk.Key.(type) {
	case *rsa.PublicKey:
		ok = (alg[0] == 'R' || alg[0] == 'P') && k != nil && k.N != nil && k.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		if k == nil {
			break
		}
		switch alg {
		case "ES256":
			ok = k.Curve == elliptic.P256()
		case "ES384":
			ok = k.Curve == elliptic.P384()
		case "ES512":
			ok = k.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		ok = alg == "EdDSA" && len(k) == ed25519.PublicKeySize
	}
	if !ok {
		return fmt.Errorf("key type does not fit %s: %w", alg, ErrKey)
	}
	return nil
}

// claimSet is the payload decoded once; byte slices alias the payload.
type claimSet struct {
	iss, clientID, cid, tokenUse, scope, userID []byte
	scp                                         [][]byte
	exp, nbf, iat                               float64
	hasIss, hasExp, hasNbf, hasIat, hasUser     bool
	hasClientID, hasCID, hasTokenUse, hasScope  bool
	audMatch                                    bool
}

func (v *Verifier) claims(payload []byte) (Claims, error) {
	var c claimSet
	var scpBuf [8][]byte
	c.scp = scpBuf[:0]
	r := reader{b: payload}
	err := r.object(func(key []byte) error {
		var err error
		start := r.i
		switch string(key) {
		case "iss":
			c.iss, err = r.str()
			c.hasIss = true
		case "exp":
			c.exp, err = r.number()
			c.hasExp = true
		case "nbf":
			c.nbf, err = r.number()
			c.hasNbf = true
		case "iat":
			c.iat, err = r.number()
			c.hasIat = true
		case "aud":
			err = r.strings(func(a []byte) {
				for _, want := range v.cfg.Audiences {
					if string(a) == want {
						c.audMatch = true
					}
				}
			})
		case "client_id":
			c.clientID, err = r.str()
			c.hasClientID = true
		case "cid":
			c.cid, err = r.str()
			c.hasCID = true
		case "token_use":
			c.tokenUse, err = r.str()
			c.hasTokenUse = true
		case "scope":
			c.scope, err = r.str()
			c.hasScope = true
		case "scp":
			err = r.array(func() error {
				s, err := r.str()
				c.scp = append(c.scp, s)
				return err
			})
		default:
			err = r.skip()
		}
		if err == nil && string(key) == v.userClaim {
			// The user claim may be any claim (sub, uid, even one read
			// above); re-read its raw value, which must be a string.
			u := reader{b: r.b[start:r.i]}
			if c.userID, err = u.str(); err != nil {
				return fmt.Errorf("%s: %w", v.userClaim, ErrUserIDClaim)
			}
			c.hasUser = true
		}
		if err == errType {
			return fmt.Errorf("claim %s: %w", key, errType)
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		if errors.Is(err, ErrUserIDClaim) {
			return Claims{}, fmt.Errorf("read claims: %w", err)
		}
		return Claims{}, fmt.Errorf("read claims: %v: %w", err, ErrClaims)
	}
	return v.validate(&c)
}

func (v *Verifier) validate(c *claimSet) (Claims, error) {
	if !c.hasIss || string(c.iss) != v.cfg.Issuer {
		return Claims{}, fmt.Errorf("check iss: %w", ErrIssuer)
	}
	now := float64(v.cfg.Now().UnixNano()) / 1e9
	if !c.hasExp {
		return Claims{}, fmt.Errorf("check exp: missing: %w", ErrClaims)
	}
	if now >= c.exp+v.leeway {
		return Claims{}, fmt.Errorf("check exp: %w", ErrExpired)
	}
	if c.hasNbf && now+v.leeway < c.nbf {
		return Claims{}, fmt.Errorf("check nbf: %w", ErrNotYetValid)
	}
	if c.hasIat && now+v.leeway < c.iat {
		return Claims{}, fmt.Errorf("check iat: in the future: %w", ErrNotYetValid)
	}
	if len(v.cfg.Audiences) > 0 && !c.audMatch {
		return Claims{}, fmt.Errorf("check aud: %w", ErrAudience)
	}
	clientID := c.clientID
	if !c.hasClientID {
		clientID = c.cid
	}
	if len(v.cfg.ClientIDs) > 0 {
		// Each client id claim present must be allowed, so a token cannot
		// carry a good cid next to a bad client_id.
		if !c.hasClientID && !c.hasCID ||
			c.hasClientID && !contains(v.cfg.ClientIDs, c.clientID) ||
			c.hasCID && !contains(v.cfg.ClientIDs, c.cid) {
			return Claims{}, fmt.Errorf("check client id: %w", ErrClientID)
		}
	}
	if v.cfg.TokenUse != "" && (!c.hasTokenUse || string(c.tokenUse) != v.cfg.TokenUse) {
		return Claims{}, fmt.Errorf("check token_use: %w", ErrTokenUse)
	}
	for _, want := range v.cfg.RequiredScopes {
		if !hasScope(c, want) {
			return Claims{}, fmt.Errorf("check scope: %w", ErrScope)
		}
	}
	if !c.hasUser {
		return Claims{}, fmt.Errorf("read %s: %w", v.userClaim, ErrUserIDClaim)
	}
	// One allocation holds the three strings; they are slices of it.
	var b strings.Builder
	b.Grow(len(c.userID) + len(clientID) + len(c.scope) + 16*len(c.scp))
	b.Write(c.userID)
	b.Write(clientID)
	if c.hasScope {
		b.Write(c.scope)
	} else {
		for i, s := range c.scp {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.Write(s)
		}
	}
	all := b.String()
	u, id := len(c.userID), len(c.userID)+len(clientID)
	return Claims{UserID: all[:u], Issuer: v.cfg.Issuer, ClientID: all[u:id], Scope: all[id:]}, nil
}

func contains(list []string, b []byte) bool {
	for _, s := range list {
		if string(b) == s {
			return true
		}
	}
	return false
}

func hasScope(c *claimSet, want string) bool {
	rest := c.scope
	for len(rest) > 0 {
		var field []byte
		if i := bytes.IndexByte(rest, ' '); i >= 0 {
			field, rest = rest[:i], rest[i+1:]
		} else {
			field, rest = rest, nil
		}
		if string(field) == want {
			return true
		}
	}
	for _, s := range c.scp {
		if string(s) == want {
			return true
		}
	}
	return false
}
