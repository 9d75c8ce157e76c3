package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"
)

// ErrStillRunning is returned by down when up does not end in time.
var ErrStillRunning = errors.New("up did not stop")

// downWait bounds how long down waits for up to destroy and stop.
var downWait = 15 * time.Minute

func downCommand(args []string) error {
	fs := flag.NewFlagSet("down", flag.ExitOnError)
	chdir := fs.String("chdir", ".", "the configuration folder up runs")
	p, st, err := openRun(fs, args, chdir)
	if err != nil {
		return err
	}
	if alive(st.UpPID) && st.UpPID != os.Getpid() {
		// up tears down itself, as on Ctrl-C; its output says what it does.
		say("asking up (pid %d) to destroy and stop", st.UpPID)
		if err := syscall.Kill(st.UpPID, syscall.SIGTERM); err != nil {
			return fmt.Errorf("signal up: %w", err)
		}
		if !waitGone(st.UpPID, downWait) {
			return fmt.Errorf("%w in %s (pid %d); its logs are in %s", ErrStillRunning, downWait, st.UpPID, p.logs())
		}
		if _, err := os.Stat(p.state()); err == nil {
			return fmt.Errorf("up stopped but did not finish tearing down: run down again (logs in %s)", p.logs())
		}
		say("down")
		return nil
	}
	// up is gone (killed, machine restarted): tear down from the state.
	say("up is not running: destroying from %s", p.state())
	var tf *terraform
	if st.LocalRun != nil {
		if tf, err = newTerraform(p, st.MotoEndpoint, *st.LocalRun); err != nil {
			return err
		}
	}
	if err := cleanup(context.Background(), p, st, tf, false); err != nil {
		return err
	}
	say("down")
	return nil
}
