package main

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jwtauthz/terraform-aws-jwt-authorizer/functions/bench/internal/lambdarun"
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

	emu, err := lambdarun.Emulator(s.o.root)
	if err != nil {
		return err
	}
	authz, err := s.bootstrap("authorizer")
	if err != nil {
		return err
	}
	is, err := s.issuer()
	if err != nil {
		return err
	}
	inst, err := lambdarun.Start(emu, authz, s.authorizerEnv(is.direct, false))
	if err != nil {
		return err
	}
	defer inst.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for i := 0; i < s.o.verdicts; i++ {
		body, _, err := inst.Invoke(ctx, s.event(i))
		if err != nil {
			return fmt.Errorf("verdict %d: %w", i, err)
		}
		if i == 0 && !strings.Contains(string(body), `"Allow"`) {
			return fmt.Errorf("unexpected verdict %s", trim(string(body), 300))
		}
	}
	pid, err := inst.FunctionPID()
	if err != nil {
		return err
	}
	kib, err := lambdarun.VmHWM(pid)
	if err != nil {
		return err
	}
	fp.RSSKiB, fp.RSSVerdicts = kib, s.o.verdicts
	fp.RSSHow = "VmHWM of the authorizer's bootstrap process (x86_64 zip) under aws-lambda-rie, read from /proc/<pid>/status after the verdicts; keys from the local JWKS server, memory only"
	logf("footprint: peak RSS %d KiB after %d verdicts", kib, s.o.verdicts)
	return nil
}
