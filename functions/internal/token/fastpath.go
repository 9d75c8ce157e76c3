package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"maps"
	"math/big"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	jose "github.com/go-jose/go-jose/v4"
)

// The header cache: "parse the header once".
//
// go-jose's ParseSignedCompact + Verify spend about as much time on the
// protected header as on everything else but the RSA operation: the header
// is JSON-decoded twice (in parsing, and again inside Verify to compute the
// signing input), sanitized into a Header with its own allocations, and the
// payload is re-encoded to base64 to rebuild the signing input that the
// token already contains. Yet a user pool signs every token with one of a
// handful of headers, byte for byte the same ({"kid":"…","alg":"RS256"}).
//
// So the verifier remembers, per raw header segment, the key and algorithm
// with which go-jose fully accepted a token carrying that header. Only a
// token whose header segment is byte-identical to a remembered one, and whose
// kid still resolves to the very same *jose.JSONWebKey (the keys provider
// hands out new pointers after a rotation or refetch), skips go-jose. For
// such a token everything go-jose derives from the header is already known
// to succeed (parse, algorithm allow-list, sanitizing, the second header
// decode, crit and b64 handling), so only the per-token work is left, done
// with the same primitive go-jose calls for that algorithm (verifySignature):
// decode the signature, hash the signing input as it stands in the token
// (go-jose rebuilds exactly those bytes, see canonical), verify.
//
// Everything else — a new header, a new key pointer, a header that differs
// by one byte — takes the full go-jose path, and only a token that passes
// it records its header. Tokens without a valid signature therefore never
// enter the cache, so an attacker cannot fill or churn it.

// maxCachedHeaders bounds the cache; when full it is emptied and refilled.
// Real issuers use one header per signing key.
const maxCachedHeaders = 64

// maxCachedHeaderBytes keeps odd, large headers out of the cache (they
// simply always take the full path).
const maxCachedHeaderBytes = 1024

type headerEntry struct {
	key *jose.JSONWebKey // the key go-jose verified with, by identity
	alg string           // the algorithm go-jose verified
	kid string           // the header's kid
}

// headerCache is a copy-on-write map: lookups are one atomic load and one
// map read, without locks; writers (rare: once per header and key) copy it.
type headerCache struct {
	m  atomic.Pointer[map[string]headerEntry]
	mu sync.Mutex
}

func (c *headerCache) get(seg string) (headerEntry, bool) {
	if m := c.m.Load(); m != nil {
		e, ok := (*m)[seg]
		return e, ok
	}
	return headerEntry{}, false
}

func (c *headerCache) put(seg string, e headerEntry) {
	if len(seg) > maxCachedHeaderBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var next map[string]headerEntry
	if old := c.m.Load(); old != nil {
		if cur, ok := (*old)[seg]; ok && cur == e {
			return
		}
		if _, ok := (*old)[seg]; ok || len(*old) < maxCachedHeaders {
			next = maps.Clone(*old)
		}
	}
	if next == nil {
		next = make(map[string]headerEntry, 4)
	}
	// Clone: the key must not pin the whole token in memory.
	next[strings.Clone(seg)] = e
	c.m.Store(&next)
}

func (c *headerCache) len() int {
	if m := c.m.Load(); m != nil {
		return len(*m)
	}
	return 0
}

var errVerify = errors.New("signature does not verify")

// verifySignature checks sig over input (the token up to its second dot)
// the way go-jose v4.1.9 does for alg (asymmetric.go, verifyPayload of
// rsaEncrypterVerifier, ecEncrypterVerifier and edEncrypterVerifier): the
// same hash, the same crypto call, the same options and length checks.
// keyFits has already matched the key type and curve to alg.
func verifySignature(key any, alg string, input, sig []byte) error {
	switch k := key.(type) {
	case *rsa.PublicKey:
		var d [64]byte
		h, digest := hashInput(alg, input, &d)
		if h == 0 {
			return errVerify
		}
		switch alg[:2] {
		case "RS":
			return rsa.VerifyPKCS1v15(k, h, digest, sig)
		case "PS":
			// nil options: salt length auto-detected, as go-jose does.
			return rsa.VerifyPSS(k, h, digest, sig, nil)
		}
	case *ecdsa.PublicKey:
		var size int
		switch alg {
		case "ES256":
			size = 32
		case "ES384":
			size = 48
		case "ES512":
			size = 66
		default:
			return errVerify
		}
		// Fixed-size r||s (RFC 7518 3.4), never ASN.1.
		if len(sig) != 2*size {
			return errVerify
		}
		var d [64]byte
		_, digest := hashInput(alg, input, &d)
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		if ecdsa.Verify(k, digest, r, s) {
			return nil
		}
	case ed25519.PublicKey:
		if alg == "EdDSA" && ed25519.Verify(k, input, sig) {
			return nil
		}
	}
	return errVerify
}

// hashInput hashes input with the hash the algorithm's suffix names, into d.
func hashInput(alg string, input []byte, d *[64]byte) (crypto.Hash, []byte) {
	switch alg[2:] {
	case "256":
		*(*[32]byte)(d[:32]) = sha256.Sum256(input)
		return crypto.SHA256, d[:32]
	case "384":
		*(*[48]byte)(d[:48]) = sha512.Sum384(input)
		return crypto.SHA384, d[:48]
	case "512":
		*d = sha512.Sum512(input)
		return crypto.SHA512, d[:64]
	}
	return 0, nil
}

// canonical reports whether a base64url segment (unpadded) has the only
// encoding its bytes have: a length that is not 1 mod 4 and zero unused bits
// in its last character. go-jose decodes leniently and then re-encodes
// header and payload to build the signing input, so a token whose segments
// were re-spelt with other trailing bits verified under go-jose alone; with
// this check (applied before either path) the signing input go-jose rebuilds
// is exactly the token's own bytes, which is what the fast path hashes.
// Other bytes outside the alphabet are left to the decoders, which refuse
// them on both paths.
func canonical(seg string) bool {
	if len(seg) == 0 {
		return false
	}
	last := b64val[seg[len(seg)-1]]
	switch len(seg) % 4 {
	case 1:
		return false
	case 2:
		return last&0x0f == 0
	case 3:
		return last&0x03 == 0
	}
	return last != 0xff
}

// b64val maps the base64url alphabet to its values, every other byte to 0xff.
var b64val = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
		t[c] = byte(i)
	}
	return t
}()

// bytesOf views s as bytes without copying, for the read-only uses below
// (base64 decoding, hashing, signature verification): the token is up to
// 16 KiB, and copying it just to read it would be the largest allocation of
// the request.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
