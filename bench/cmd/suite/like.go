package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/bench/internal/fixture"
)

// like is the like-for-like cold start without the emulator: each program
// starts, loads the keys from the local JWKS server (no added delay),
// verifies one token and prints its verdict; the time is from exec to the
// verdict line on stdout. The JWKS is served over https (aws-jwt-verify
// refuses http), so both pay one loopback TLS handshake.
func (s *suite) like() error {
	bins, is, err := s.bootstrapsAndIssuer("verdictonce")
	if err != nil {
		return err
	}
	goBin := bins[0]
	f := s.r.Fixture
	base := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"SSL_CERT_FILE=" + is.caFile, "NODE_EXTRA_CA_CERTS=" + is.caFile,
		"ISSUER=" + f.Issuer, "JWKS_URL=" + is.tls, "AUDIENCES=" + f.Audience,
		"CLIENT_IDS=" + f.ClientID, "REQUIRED_SCOPES=" + f.RequiredScope,
		"ALLOWED_ROUTES=" + fixture.Route, "METHOD_ARN=" + fixture.MethodARNPrefix + "user",
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	nodeDir := filepath.Join(s.o.benchDir, "node")
	cases := []struct {
		name, label string
		argv        []string
		dir         string
		want        string
	}{
		{"go", "ours: Go program (config → keys → verdict)", []string{goBin}, filepath.Dir(goBin), `"Allow"`},
		{"node", "aws-jwt-verify 5.2.1 on Node " + s.r.Machine.Node, []string{node, "verdict-once.mjs"}, nodeDir, `"principalId"`},
		{"node-bare", "for reference: Node printing one line and nothing else (`node -e`)", []string{node, "-e", `process.stdout.write("{}\n")`}, nodeDir, `{}`},
	}
	s.r.Commands = append(s.r.Commands,
		"(cd build/bench/bin/verdictonce && ISSUER=… SSL_CERT_FILE=… JWKS_URL=https://127.0.0.1:<port>/jwks.json AUDIENCES=… CLIENT_IDS=… REQUIRED_SCOPES=… TOKEN=… METHOD_ARN=… ./bootstrap)",
		"(cd bench/node && NODE_EXTRA_CA_CERTS=… ISSUER=… SSL_CERT_FILE=… JWKS_URL=https://127.0.0.1:<port>/jwks.json AUDIENCES=… CLIENT_IDS=… REQUIRED_SCOPES=… TOKEN=… node verdict-once.mjs)")
	l := &s.r.Like
	l.Runs = s.o.coldRuns
	l.Variants = make([]ColdVariant, len(cases))
	for i, c := range cases {
		l.Variants[i] = ColdVariant{Name: c.name, Label: c.label}
	}
	// One untimed run each warms the page cache.
	for run := -1; run < s.o.coldRuns; run++ {
		for i, c := range cases {
			env := append(append([]string{}, base...), "TOKEN="+f.f.RS256.Tokens[(run+1)%len(f.f.RS256.Tokens)])
			ms, line, err := timeToLine(c.argv, c.dir, env)
			v := &l.Variants[i]
			if err == nil && !strings.Contains(line, c.want) {
				err = fmt.Errorf("unexpected verdict %q", trim(line, 200))
			}
			if err != nil {
				v.Errors++
				logf("like %s run %d: %v", c.name, run, err)
				if s.o.smoke {
					return fmt.Errorf("%s: %w", c.name, err)
				}
				continue
			}
			if run < 0 {
				continue
			}
			v.Samples = append(v.Samples, ms)
			if v.Response == "" {
				v.Response = trim(line, 300)
			}
		}
	}
	for i := range l.Variants {
		v := &l.Variants[i]
		v.Median, v.Min, v.P90 = median(v.Samples), percentile(v.Samples, 0), percentile(v.Samples, 0.9)
		logf("like %-5s median %7.1f ms (min %.1f, p90 %.1f, %d errors)", v.Name, v.Median, v.Min, v.P90, v.Errors)
	}
	return nil
}

func timeToLine(argv []string, dir string, env []string) (float64, string, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, "", err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, "", err
	}
	line, rerr := bufio.NewReader(out).ReadString('\n')
	d := time.Since(start)
	werr := cmd.Wait()
	if rerr != nil || werr != nil {
		return 0, "", fmt.Errorf("%s: %v %v: %s", argv[0], rerr, werr, trim(stderr.String(), 500))
	}
	return float64(d.Microseconds()) / 1000, line, nil
}
