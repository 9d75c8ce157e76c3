//go:build unix

package tfmoto

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// lockDir serialises runs on one configuration folder across processes: the
// override file is per folder, so a second run would redirect the first.
// The lock is released when the test ends, after the override is removed.
func lockDir(t testing.TB, dir string) {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(abs))
	p := filepath.Join(os.TempDir(), "tfmoto-"+hex.EncodeToString(sum[:6])+".lock")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("lock %s: %v", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Logf("tfmoto: %s is in use by another run; waiting for it (lock %s)", dir, p)
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			t.Fatal(fmt.Errorf("lock %s: %w", dir, err))
		}
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}
