package main

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/test/rie"
)

// footprint: cmd/package's zips for both architectures, and the peak RSS
// (VmHWM) of the authorizer's process under the emulator after
// s.o.verdicts verdicts over the fixture's tokens.
func (s *suite) footprint() error {
	fp := &s.r.Footprint
	fp.Packages = fp.Packages[:0]
	archs := []string{"arm64", "x86_64"}
	if s.o.smoke {
		archs = archs[1:] // the emulator's; CI builds arm64 elsewhere
	}
	for _, arch := range archs {
		for _, fn := range []string{"authorizer", "hello"} {
			zipPath, err := s.pack(arch, fn)
			if err != nil {
				return err
			}
			st, err := os.Stat(zipPath)
			if err != nil {
				return err
			}
			zr, err := zip.OpenReader(zipPath)
			if err != nil {
				return err
			}
			var bin int64
			for _, f := range zr.File {
				bin += int64(f.UncompressedSize64)
			}
			zr.Close()
			fp.Packages = append(fp.Packages, Package{Function: fn, Arch: arch, ZipBytes: st.Size(), BinBytes: bin})
			logf("footprint %s %s: zip %d bytes, binary %d bytes", fn, arch, st.Size(), bin)
		}
	}

	bins, is, err := s.bootstrapsAndIssuer("authorizer")
	if err != nil {
		return err
	}
	authz := bins[0]
	fn, err := rie.New(rie.Config{
		Name: "bench", Bootstrap: authz, Env: envMap(s.authorizerEnv(is.direct, false)),
		Timeout: 10 * time.Second, MemoryMB: 1024,
	}, 1)
	if err != nil {
		return err
	}
	defer fn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for i := 0; i < s.o.verdicts; i++ {
		res, err := fn.Invoke(ctx, s.event(i))
		if err != nil {
			return fmt.Errorf("verdict %d: %w", i, err)
		}
		if i == 0 && (res.Failed() || !strings.Contains(string(res.Payload), `"Allow"`)) {
			return fmt.Errorf("unexpected verdict %s", trim(string(res.Payload), 300))
		}
	}
	pids, err := fn.RuntimePIDs()
	if err != nil {
		return err
	}
	kib, err := vmHWM(pids[0])
	if err != nil {
		return err
	}
	fp.RSSKiB, fp.RSSVerdicts = kib, s.o.verdicts
	fp.RSSHow = "VmHWM of the authorizer's bootstrap process (x86_64 zip) under aws-lambda-rie, read from /proc/<pid>/status after the verdicts; keys from the local JWKS server, memory only"
	logf("footprint: peak RSS %d KiB after %d verdicts", kib, s.o.verdicts)
	return nil
}

// vmHWM returns the peak resident set size of pid in KiB.
func vmHWM(pid int) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, errors.New("no VmHWM in /proc/" + strconv.Itoa(pid) + "/status")
}
