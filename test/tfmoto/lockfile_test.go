package tfmoto

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestKeepLockFile: whatever init writes during a test, the folder's lock
// file is as before when the test ends (absent stays absent).
func TestKeepLockFile(t *testing.T) {
	const old = "# lock of 5.100.0\n"
	tests := []struct {
		name   string
		before *string
	}{
		{"lock file present", ptr(old)},
		{"no lock file", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, LockFile)
			if tt.before != nil {
				if err := os.WriteFile(p, []byte(*tt.before), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Run("run", func(t *testing.T) {
				keepLockFile(t, dir)
				if err := os.WriteFile(p, []byte("# lock of 6.47.1\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			})
			b, err := os.ReadFile(p)
			switch {
			case tt.before == nil && !errors.Is(err, fs.ErrNotExist):
				t.Errorf("lock file left behind: %q, %v", b, err)
			case tt.before != nil && (err != nil || string(b) != *tt.before):
				t.Errorf("lock file = %q, %v; want %q restored", b, err, *tt.before)
			}
		})
	}
}

func ptr(s string) *string { return &s }
