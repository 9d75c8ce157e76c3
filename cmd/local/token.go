package main

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
)

// ErrKey is returned when the issuer's key in .local cannot be read.
var ErrKey = errors.New("issuer key unreadable")

// list is a repeatable flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, " ") }
func (l *list) Set(v string) error { *l = append(*l, strings.Fields(v)...); return nil }

func tokenCommand(args []string) error {
	fs := flag.NewFlagSet("token", flag.ExitOnError)
	chdir := fs.String("chdir", ".", "the configuration folder up runs")
	sub := fs.String("sub", "alice", "the user id (sub)")
	aud := fs.String("aud", "", "the audience (default: up's -aud)")
	ttl := fs.Duration("ttl", time.Hour, "lifetime of the token")
	var scopes, groups list
	fs.Var(&scopes, "scope", "a scope the token carries (repeatable; space-separated lists too)")
	fs.Var(&groups, "group", "a group in the token's groups claim (repeatable)")
	p, st, err := openRun(fs, args, chdir)
	if err != nil {
		return err
	}
	if !st.Ready || !alive(st.UpPID) {
		return fmt.Errorf("mint token: %w (state in %s, up not running)", ErrNotUp, p.state())
	}
	key, err := readKey(p.key())
	if err != nil {
		return err
	}
	if *aud == "" {
		*aud = st.Audience
	}
	fmt.Println(mint(key, st.IssuerURL, *aud, *sub, scopes, groups, time.Now(), *ttl))
	return nil
}

// mint signs an access token of the loopback issuer: iss, sub, aud, iat,
// exp, scope (one space-separated string, as OAuth 2.0 servers send it)
// and groups.
func mint(key *jwttest.Key, issuer, aud, sub string, scopes, groups []string, now time.Time, ttl time.Duration) string {
	c := jwttest.Claims(issuer, sub, now)
	c["aud"] = aud
	c["exp"] = now.Add(ttl).Unix()
	if len(scopes) > 0 {
		c["scope"] = strings.Join(scopes, " ")
	}
	if len(groups) > 0 {
		c["groups"] = groups
	}
	return key.Mint(nil, c)
}

func readKey(path string) (*jwttest.Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, ErrKey)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("read %s: no PEM block: %w", path, ErrKey)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read %s: %v: %w", path, err, ErrKey)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("read %s: not a signing key: %w", path, ErrKey)
	}
	return &jwttest.Key{KID: KeyID, Alg: "RS256", Private: signer}, nil
}
