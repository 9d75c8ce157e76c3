package rie

import "syscall"

// sysProcAttr puts the emulator in its own process group (so Stop can end it
// with the runtime it spawned) and kills it if this process dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
