//go:build !unix

package tfmoto

import "testing"

// lockDir is a no-op where flock is unavailable: run one test per folder.
func lockDir(testing.TB, string) {}
