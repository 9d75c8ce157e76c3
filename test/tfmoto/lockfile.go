package tfmoto

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// LockFile is the dependency lock file terraform init writes into the
// configuration folder itself (TF_DATA_DIR does not move it).
const LockFile = ".terraform.lock.hcl"

// keepLockFile puts dir's lock file back as the test found it when the test
// ends. Runs init with -upgrade, so a lock left by another provider version
// (5.100.0 from `make test`, 6.47.1 from `make test-provider6`) never makes
// init fail with "the previously-selected version is no longer available";
// restoring it keeps this run's choice from reaching the next tool that
// reads the folder (terraform-checks inits without -upgrade).
func keepLockFile(t testing.TB, dir string) {
	t.Helper()
	p := filepath.Join(dir, LockFile)
	before, err := os.ReadFile(p)
	existed := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("read %s: %v", p, err)
	}
	t.Cleanup(func() {
		if existed {
			err = os.WriteFile(p, before, 0o644)
		} else {
			err = os.Remove(p)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("restore %s: %v", p, err)
		}
	})
}
