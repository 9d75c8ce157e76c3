package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/bench/internal/fixture"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/jwttest"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/moto"
	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// IssuerDelay is the round trip the "issuer" proxy adds: about what a cold
// fetch of an Okta or Cognito JWKS costs from a Lambda (DNS, TLS, request).
const IssuerDelay = 100 * time.Millisecond

// KeysTable is the DynamoDB table of the cold-start runs (in moto).
const KeysTable = "bench-jwt-authorizer-keys"

// buildFlags are cmd/package's: the Lambda binaries are built this way.
var buildFlags = []string{"build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w -buildid="}

var buildEnv = []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=-mod=readonly"}

// bootstrap builds (once) and returns the path of an executable:
// "authorizer" and "hello" from cmd/package's x86_64 zips, the bench
// commands with the same flags.
func (s *suite) bootstrap(name string) (string, error) {
	if s.built == nil {
		s.built = map[string]string{}
	}
	if p, ok := s.built[name]; ok {
		return p, nil
	}
	dir := filepath.Join(s.o.out, "bin", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "bootstrap")
	switch name {
	case "authorizer", "hello":
		zipPath, err := s.pack("x86_64", name)
		if err != nil {
			return "", err
		}
		if err := unzipBootstrap(zipPath, bin); err != nil {
			return "", err
		}
	default:
		args := append(append([]string{}, buildFlags...), "-o", bin, "./cmd/"+name)
		if _, err := s.command(s.o.benchDir, buildEnv, "go", args...); err != nil {
			return "", err
		}
	}
	s.built[name] = bin
	return bin, nil
}

// pack runs cmd/package for arch (once) and returns the zip of fn.
func (s *suite) pack(arch, fn string) (string, error) {
	dist := filepath.Join(s.o.out, "dist")
	key := "dist/" + arch
	if _, ok := s.built[key]; !ok {
		if _, err := s.command(s.o.root, nil, "go", "run", "./cmd/package", "-arch", arch, "-out", dist); err != nil {
			return "", err
		}
		s.built[key] = dist
	}
	return filepath.Join(dist, arch, fn+".zip"), nil
}

func unzipBootstrap(zipPath, bin string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "bootstrap" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		out, err := os.OpenFile(bin, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, rc); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
	return fmt.Errorf("%s has no bootstrap", zipPath)
}

// issuer serves the fixture's RS256 JWKS on loopback (test/jwttest's fake
// issuer): directly, with IssuerDelay added to each answer, and over https.
type issuer struct {
	direct, delayed string // JWKS URLs (http)
	tls             string // JWKS URL over https (like-for-like runs)
	caFile          string // PEM of the https issuer's self-signed certificate
	slow            *jwttest.Issuer
}

// bootstrapsAndIssuer builds the named bootstraps, in order, then starts
// the issuers.
func (s *suite) bootstrapsAndIssuer(names ...string) ([]string, *issuer, error) {
	bins := make([]string, len(names))
	for i, name := range names {
		bin, err := s.bootstrap(name)
		if err != nil {
			return nil, nil, err
		}
		bins[i] = bin
	}
	is, err := s.issuer()
	if err != nil {
		return nil, nil, err
	}
	return bins, is, nil
}

func (s *suite) issuer() (*issuer, error) {
	if s.iss != nil {
		return s.iss, nil
	}
	doc, err := s.r.Fixture.f.JWKS("RS256")
	if err != nil {
		return nil, err
	}
	direct, slow := jwttest.NewIssuer(), jwttest.NewIssuer()
	slow.Delay(IssuerDelay)
	// aws-jwt-verify fetches over https only, so the like-for-like runs
	// (both programs) use a TLS issuer whose certificate each trusts
	// through SSL_CERT_FILE / NODE_EXTRA_CA_CERTS.
	secure := jwttest.NewTLSIssuer()
	s.closers = append(s.closers, direct.Close, slow.Close, secure.Close)
	for _, i := range []*jwttest.Issuer{direct, slow, secure} {
		i.PublishJWKS(doc)
	}
	is := &issuer{direct: direct.JWKSURL(), delayed: slow.JWKSURL(), tls: secure.JWKSURL(), slow: slow}
	is.caFile = filepath.Join(s.o.out, "issuer-ca.pem")
	if err := os.WriteFile(is.caFile, secure.CertificatePEM(), 0o644); err != nil {
		return nil, err
	}
	s.iss = is
	return is, nil
}

// moto starts (or finds) moto and creates the keys table.
func (s *suite) moto() (*moto.Server, error) {
	if s.motoSrv != nil {
		return s.motoSrv, nil
	}
	// A private moto: a shared one (MOTO_ENDPOINT, which the Makefile
	// exports) may be reset by concurrent tests in the middle of the runs.
	os.Unsetenv("MOTO_ENDPOINT")
	m, err := moto.Ensure()
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, m.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := m.Config(ctx)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(cfg)
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(KeysTable),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return nil, fmt.Errorf("create table %s: %w", KeysTable, err)
	}
	s.motoSrv, s.db = m, db
	return m, nil
}

// authorizerEnv is the function configuration of the cold-start runs.
func (s *suite) authorizerEnv(jwksURL string, table bool) []string {
	f := s.r.Fixture
	env := []string{
		"ISSUER=" + f.Issuer, "JWKS_URL=" + jwksURL, "AUDIENCES=" + f.Audience,
		"CLIENT_IDS=" + f.ClientID, "REQUIRED_SCOPES=" + f.RequiredScope,
		"ALLOWED_ROUTES=" + fixture.Route,
	}
	if table {
		env = append(env, "KEYS_TABLE_NAME="+KeysTable)
		env = append(env, s.motoSrv.Env()...)
	}
	return env
}

func (s *suite) event(i int) []byte {
	f := s.r.Fixture.f
	b, _ := json.Marshal(map[string]string{
		"type":               "TOKEN",
		"authorizationToken": "Bearer " + f.RS256.Tokens[i%len(f.RS256.Tokens)],
		"methodArn":          fixture.MethodARNPrefix + "user",
	})
	return b
}

type coldCase struct {
	name, label string
	bootstrap   string
	env         []string
	want        string // substring of a correct response
	v           *ColdVariant
}

func (s *suite) cold() error {
	emu, err := rie.Find()
	if err != nil {
		return err
	}
	bins, is, err := s.bootstrapsAndIssuer("lambdafloor", "authorizer")
	if err != nil {
		return err
	}
	floor, authz := bins[0], bins[1]
	if _, err := s.moto(); err != nil {
		return err
	}
	cases := []*coldCase{
		{name: "floor", label: "bare Go Lambda returning a constant (floor)", bootstrap: floor, want: `"floor"`},
		{name: "ours-dynamodb", label: "ours, keys from the DynamoDB item (moto)", bootstrap: authz,
			env: s.authorizerEnv(is.delayed, true), want: `"Allow"`},
		{name: "ours-issuer", label: fmt.Sprintf("ours, JWKS from the issuer (+%d ms round trip)", IssuerDelay.Milliseconds()), bootstrap: authz,
			env: s.authorizerEnv(is.delayed, false), want: `"Allow"`},
	}
	c := &s.r.Cold
	c.Runs = s.o.coldRuns
	c.BinBytes = map[string]int64{}
	for name, p := range map[string]string{"floor": floor, "authorizer": authz} {
		if st, err := os.Stat(p); err == nil {
			c.BinBytes[name] = st.Size()
		}
	}
	c.Variants = make([]ColdVariant, len(cases))
	for i, cc := range cases {
		c.Variants[i] = ColdVariant{Name: cc.name, Label: cc.label}
		cc.v = &c.Variants[i]
	}

	// Pre-write the DynamoDB item with one run: the cold start misses the
	// item, fetches from the issuer and stores it.
	before := is.slow.Fetches()
	if _, _, _, err := s.coldRun(emu, cases[1], 0); err != nil {
		return fmt.Errorf("pre-write the DynamoDB item: %w", err)
	}
	if err := s.checkItem(); err != nil {
		return err
	}
	c.Notes = append(c.Notes, fmt.Sprintf("DynamoDB item pre-written by one authorizer run (%d issuer fetch)", is.slow.Fetches()-before))

	if ms, err := s.motoGetItem(); err == nil {
		c.MotoGetItemMs = ms
	} else {
		logf("moto GetItem timing: %v", err)
	}

	for _, b := range []struct{ name, path string }{{"bare Go Lambda", floor}, {"authorizer", authz}} {
		it, err := initTrace(b.path)
		if err != nil {
			logf("inittrace %s: %v", b.name, err)
			continue
		}
		it.Binary = b.name
		c.InitTrace = append(c.InitTrace, it)
	}

	issuerHits := map[string]int64{}
	for run := 0; run < s.o.coldRuns; run++ {
		for _, cc := range cases {
			before := is.slow.Fetches()
			ms, initMs, resp, err := s.coldRun(emu, cc, run+1)
			issuerHits[cc.name] += is.slow.Fetches() - before
			if err != nil {
				cc.v.Errors++
				logf("cold %s run %d: %v", cc.name, run, err)
				if s.o.smoke {
					return fmt.Errorf("%s: %w", cc.name, err)
				}
				continue
			}
			cc.v.Samples = append(cc.v.Samples, ms)
			if initMs > 0 {
				cc.v.InitMs = append(cc.v.InitMs, initMs)
			}
			if cc.v.Response == "" {
				cc.v.Response = trim(resp, 300)
			}
		}
	}
	for _, cc := range cases {
		v := cc.v
		v.Median, v.Min, v.P90 = median(v.Samples), percentile(v.Samples, 0), percentile(v.Samples, 0.9)
		if len(v.InitMs) > 0 {
			v.InitMed = median(v.InitMs)
		}
		if cc.name != "floor" {
			v.Note = fmt.Sprintf("issuer fetches during the runs: %d", issuerHits[cc.name])
		}
		logf("cold %-14s median %7.1f ms (min %.1f, p90 %.1f, init %.1f ms, %d errors) %s", v.Name, v.Median, v.Min, v.P90, v.InitMed, v.Errors, v.Note)
	}
	if err := s.coldSteps(is); err != nil {
		logf("cold steps: %v", err)
	}
	if issuerHits["ours-dynamodb"] != 0 {
		return fmt.Errorf("the DynamoDB variant reached the issuer %d times: its figures are not keys-from-DynamoDB", issuerHits["ours-dynamodb"])
	}
	return nil
}

// coldRun starts a fresh emulator, waits until it listens, and times the
// first invocation: the emulator execs the bootstrap on it, so this is
// process start → first verdict.
func (s *suite) coldRun(emu string, cc *coldCase, i int) (ms, initMs float64, resp string, err error) {
	fn, err := rie.New(rie.Config{
		Name: "bench", Emulator: emu, Bootstrap: cc.bootstrap, Env: envMap(cc.env),
		Timeout: 10 * time.Second, MemoryMB: 1024,
	}, 1)
	if err != nil {
		return 0, 0, "", err
	}
	defer fn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := fn.Invoke(ctx, s.event(i))
	if err != nil {
		return 0, 0, "", fmt.Errorf("%w\n%s", err, tail(fn.Log(), 1500))
	}
	if res.Failed() || !strings.Contains(string(res.Payload), cc.want) {
		return 0, 0, "", fmt.Errorf("unexpected response %s\n%s", trim(string(res.Payload), 300), tail(fn.Log(), 1500))
	}
	return float64(res.Duration.Microseconds()) / 1000, float64(res.Init.Microseconds()) / 1000, string(res.Payload), nil
}

// envMap turns KEY=value pairs into rie's environment map.
func envMap(kvs []string) map[string]string {
	env := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}

func (s *suite) checkItem() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := s.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(KeysTable)})
	if err != nil {
		return fmt.Errorf("scan %s: %w", KeysTable, err)
	}
	if len(out.Items) == 0 {
		return fmt.Errorf("the authorizer wrote no item to %s", KeysTable)
	}
	return nil
}

// initTrace starts bin 10 times with GODEBUG=inittrace=1 and no Lambda
// environment (so it exits right after init) and sums, per package, the
// fastest init seen.
func initTrace(bin string) (InitTrace, error) {
	best := map[string]PackageInit{}
	for range 10 {
		cmd := exec.Command(bin)
		cmd.Env = []string{"GODEBUG=inittrace=1", "PATH=/usr/bin:/bin"}
		out, _ := cmd.CombinedOutput() // exits non-zero: no settings, no runtime API
		for _, line := range strings.Split(string(out), "\n") {
			// init <pkg> @0.5 ms, 0.012 ms clock, 1234 bytes, 5 allocs
			f := strings.Fields(line)
			if len(f) < 8 || f[0] != "init" {
				continue
			}
			ms, err1 := strconv.ParseFloat(f[4], 64)
			by, err2 := strconv.ParseInt(f[7], 10, 64)
			if err1 != nil || err2 != nil {
				continue
			}
			if b, ok := best[f[1]]; !ok || ms < b.Ms {
				best[f[1]] = PackageInit{Package: f[1], Ms: ms, Bytes: by}
			}
		}
	}
	if len(best) == 0 {
		return InitTrace{}, fmt.Errorf("no inittrace lines")
	}
	var it InitTrace
	for _, b := range best {
		it.TotalMs += b.Ms
		it.Top = append(it.Top, b)
	}
	sort.Slice(it.Top, func(i, j int) bool { return it.Top[i].Ms > it.Top[j].Ms })
	if len(it.Top) > 6 {
		it.Top = it.Top[:6]
	}
	return it, nil
}

// stepNames are cmd/coldsteps' steps in order, with what they cover.
var stepNames = []struct{ key, label string }{
	{"before_main", "exec → main (runtime start, package init; by difference)"},
	{"settings", "settings (config.FromEnv)"},
	{"sdk_config", "AWS SDK configuration (awsenv.FromEnv)"},
	{"setup", "authorizer.FromConfig: key providers, keystore client, verifier, policy builder"},
	{"warm_keys_getitem", "keys from DynamoDB (warm: GetItem to moto, JWKS parse)"},
	{"first_verdict", "first verdict (verify, policy, runtime JSON encoding)"},
}

// coldSteps runs cmd/coldsteps as a fresh process s.o.coldRuns times.
func (s *suite) coldSteps(is *issuer) error {
	bin, err := s.bootstrap("coldsteps")
	if err != nil {
		return err
	}
	env := append([]string{"PATH=/usr/bin:/bin", "METHOD_ARN=" + fixture.MethodARNPrefix + "user"}, s.authorizerEnv(is.delayed, true)...)
	s.r.Commands = append(s.r.Commands, "(cd build/bench/bin/coldsteps && ISSUER=… JWKS_URL=… KEYS_TABLE_NAME="+KeysTable+" AWS_ENDPOINT_URL=<moto> AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AUDIENCES=… CLIENT_IDS=… REQUIRED_SCOPES=… TOKEN=… METHOD_ARN=… ./bootstrap)  # × cold-runs")
	all := map[string][]float64{}
	for i := 0; i < s.o.coldRuns; i++ {
		ms, line, err := timeToLine([]string{bin}, filepath.Dir(bin), append(env, "TOKEN="+s.r.Fixture.f.RS256.Tokens[i%len(s.r.Fixture.f.RS256.Tokens)]))
		if err != nil {
			return err
		}
		var steps map[string]float64
		if err := json.Unmarshal([]byte(line), &steps); err != nil {
			return fmt.Errorf("parse %q: %w", line, err)
		}
		sum := 0.0
		for k, v := range steps {
			all[k] = append(all[k], v)
			sum += v
		}
		all["before_main"] = append(all["before_main"], ms-sum)
		all["total"] = append(all["total"], ms)
	}
	s.r.Cold.Steps = nil
	for _, st := range stepNames {
		s.r.Cold.Steps = append(s.r.Cold.Steps, Step{Name: st.label, Ms: median(all[st.key])})
	}
	s.r.Cold.Steps = append(s.r.Cold.Steps, Step{Name: "total, exec → verdict printed (no emulator)", Ms: median(all["total"])})
	for _, st := range s.r.Cold.Steps {
		logf("cold step %-60s %6.2f ms", st.Name, st.Ms)
	}
	return nil
}

// motoGetItem times GetItem of the keys item on a fresh client (new TCP
// connection) each time, as a cold start does; median of 11.
func (s *suite) motoGetItem() (float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := s.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(KeysTable)})
	if err != nil || len(out.Items) == 0 {
		return 0, fmt.Errorf("scan: %v", err)
	}
	pk := out.Items[0]["PK"]
	cfg, err := s.motoSrv.Config(ctx)
	if err != nil {
		return 0, err
	}
	var xs []float64
	for range 11 {
		db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			o.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		})
		t0 := time.Now()
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(KeysTable), Key: map[string]types.AttributeValue{"PK": pk}}); err != nil {
			return 0, err
		}
		xs = append(xs, float64(time.Since(t0).Microseconds())/1000)
	}
	return median(xs), nil
}

func trim(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
