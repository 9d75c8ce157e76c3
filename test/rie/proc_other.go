//go:build !linux

package rie

import (
	"errors"
	"syscall"
)

// sysProcAttr puts the emulator in its own process group (so Stop can end it
// with the runtime it spawned).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

func childrenOf([]int) ([]int, error) {
	return nil, errors.New("list runtime processes: needs Linux's /proc")
}
