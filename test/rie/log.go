package rie

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxLog caps what a Function keeps of its log for Log and WaitLog.
const maxLog = 16 << 20

// logBook keeps a function's log lines, across its instances, and wakes
// whoever waits for a line.
type logBook struct {
	out io.Writer // Config.Log, or nil

	mu      sync.Mutex
	text    strings.Builder
	changed chan struct{} // closed and replaced on every kept line
}

func (b *logBook) init(out io.Writer) {
	b.out = out
	b.changed = make(chan struct{})
}

func (b *logBook) add(line string) {
	b.mu.Lock()
	if b.text.Len() < maxLog {
		b.text.WriteString(line)
		b.text.WriteByte('\n')
	}
	if b.out != nil {
		fmt.Fprintln(b.out, line)
	}
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

// Log returns the log lines so far (emulator and function, every instance,
// each prefixed "[name#n] "), up to 16 MiB.
func (f *Function) Log() string {
	f.log.mu.Lock()
	defer f.log.mu.Unlock()
	return f.log.text.String()
}

// WaitLog waits until the log holds at least n occurrences of substr, or
// ctx ends. A function's own lines may trail its response (see the package
// documentation); a line the function writes after another one is read
// after it.
func (f *Function) WaitLog(ctx context.Context, substr string, n int) error {
	for {
		f.log.mu.Lock()
		seen := strings.Count(f.log.text.String(), substr)
		changed := f.log.changed
		f.log.mu.Unlock()
		if seen >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d log lines with %q in %s (saw %d): %w", n, substr, f.cfg.Name, seen, ctx.Err())
		}
	}
}

// invocationEnd reports whether line is the emulator's last line of an
// invocation: REPORT, or, when the runtime crashed, "Invoke DONE failed".
func invocationEnd(line string) bool {
	return strings.HasPrefix(line, "REPORT RequestId:") || strings.Contains(line, "(rapid) Invoke DONE failed")
}

var initReport = regexp.MustCompile(`INIT REPORT\(.*durationMs: ([0-9.]+)`)

// readLog reads one instance's stdout and stderr (the emulator's lines and,
// through its relay, the function's).
func (f *Function) readLog(inst *instance, r io.Reader, prefix string) {
	defer close(inst.logDone)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		// The emulator logs INIT START for every runtime init, including
		// the re-init after a timeout or crash; its other info lines are
		// noise, not kept.
		initStart := strings.Contains(line, "(rapid) INIT START")
		if initStart {
			f.coldStarts.Add(1)
			inst.inits.Add(1)
		}
		if strings.Contains(line, "failed to get the next invoke") && strings.Contains(line, "connection refused") {
			inst.apiRefused.Store(true)
		}
		if m := initReport.FindStringSubmatch(line); m != nil {
			if ms, err := strconv.ParseFloat(m[1], 64); err == nil {
				inst.setInit(time.Duration(ms * float64(time.Millisecond)))
			}
		}
		if initStart || !strings.Contains(line, "[INFO] (rapid)") {
			f.log.add(prefix + line)
		}
		// Signal the end of an invocation after its line is kept.
		if invocationEnd(line) {
			select {
			case inst.reported <- struct{}{}:
			default:
			}
		}
	}
	_, _ = io.Copy(io.Discard, r)
}
