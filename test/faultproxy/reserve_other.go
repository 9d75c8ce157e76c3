//go:build !linux && !darwin

package faultproxy

import "errors"

// reserve is not available here: Refuse then leaves the port unbound while
// it refuses (another process may take it).
func reserve(string) (func(), error) { return nil, errors.New("faultproxy: reserve unsupported") }
