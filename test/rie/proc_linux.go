package rie

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// sysProcAttr puts the emulator in its own process group (so Stop can end it
// with the runtime it spawned) and kills it if this process dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// childrenOf lists, from /proc, the processes whose parent is one of parents.
func childrenOf(parents []int) ([]int, error) {
	want := map[string]bool{}
	for _, p := range parents {
		want[strconv.Itoa(p)] = true
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		s := string(b)
		j := strings.LastIndexByte(s, ')')
		if j < 0 {
			continue
		}
		if f := strings.Fields(s[j+1:]); len(f) > 1 && want[f[1]] {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		return nil, errors.New("list runtime processes: none running")
	}
	return pids, nil
}
