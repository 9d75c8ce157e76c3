package rie

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Function runs up to N instances of one function, each an emulator process
// started on first use and reused while idle, like Lambda execution
// environments. Safe for concurrent use.
type Function struct {
	cfg  Config
	slot chan struct{} // one token per instance that may run
	mu   sync.Mutex
	idle []*instance
	all  map[*instance]struct{}
	gen  int
	done bool
	seq  int

	invocations, coldStarts, errs, timeouts, processes atomic.Int64
	onInvoke                                           func()

	log logBook
}

// New prepares a function with at most instances concurrent executions
// (minimum 1). No process starts until the first Invoke.
func New(cfg Config, instances int) (*Function, error) {
	if instances < 1 {
		instances = 1
	}
	if cfg.Emulator == "" {
		p, err := Find()
		if err != nil {
			return nil, err
		}
		cfg.Emulator = p
	}
	if !isExec(cfg.Bootstrap) {
		return nil, fmt.Errorf("run %s: bootstrap %q is not an executable file: %w", cfg.Name, cfg.Bootstrap, ErrStart)
	}
	if cfg.Dir == "" {
		cfg.Dir = filepath.Dir(cfg.Bootstrap)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	if cfg.MemoryMB <= 0 {
		cfg.MemoryMB = 128
	}
	if cfg.Name == "" {
		cfg.Name = "function"
	}
	f := &Function{cfg: cfg, slot: make(chan struct{}, instances), all: map[*instance]struct{}{}}
	f.log.init(cfg.Log)
	for range instances {
		f.slot <- struct{}{}
	}
	return f, nil
}

// Name returns the function name.
func (f *Function) Name() string { return f.cfg.Name }

// OnInvoke registers a hook called at the start of every invocation.
func (f *Function) OnInvoke(fn func()) {
	f.mu.Lock()
	f.onInvoke = fn
	f.mu.Unlock()
}

// Stats returns the counters so far.
func (f *Function) Stats() Stats {
	return Stats{
		Invocations: f.invocations.Load(),
		ColdStarts:  f.coldStarts.Load(),
		Errors:      f.errs.Load(),
		Timeouts:    f.timeouts.Load(),
		Processes:   f.processes.Load(),
	}
}

// reportWait bounds the wait for an invocation's REPORT line after its
// response: generous, for a loaded machine.
const reportWait = 30 * time.Second

// Invoke sends payload to an idle instance (starting one if none is idle and
// fewer than N exist; waiting otherwise) and classifies the answer. It
// returns once the emulator's REPORT line of the invocation has been read.
func (f *Function) Invoke(ctx context.Context, payload []byte) (*Result, error) {
	select {
	case <-f.slot:
	case <-ctx.Done():
		return nil, fmt.Errorf("invoke %s: wait for an instance: %w", f.cfg.Name, ctx.Err())
	}
	defer func() { f.slot <- struct{}{} }()

	inst, err := f.acquire()
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	hook := f.onInvoke
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	for attempt := 1; ; attempt++ {
		inits := inst.inits.Load()
		f.invocations.Add(1)
		res, err := inst.invoke(ctx, payload, f.cfg.Timeout)
		if err != nil {
			f.discard(inst)
			return nil, err
		}
		switch {
		case res.TimedOut:
			f.timeouts.Add(1)
		case res.Error != nil:
			f.errs.Add(1)
		}
		// Every invocation ends with one REPORT line, written after the
		// response; an instance whose REPORT does not come is out of step
		// with its log and is dropped.
		select {
		case <-inst.reported:
		case <-inst.logDone:
		case <-ctx.Done():
			f.discard(inst)
			return res, nil
		case <-time.After(reportWait):
			fmt.Fprintf(os.Stderr, "rie: %s: no REPORT line %s after the response: dropping the instance\n", f.cfg.Name, reportWait)
			f.discard(inst)
			return res, nil
		}
		// The emulator, starting several at once on a loaded machine,
		// sometimes execs the runtime before its runtime API accepts
		// connections: the runtime exits before running any of the
		// function's code, and the emulator recovers on the next
		// invocation. That attempt is the emulator's, not the function's:
		// it is not counted, and the invocation is sent again, once.
		if res.Error != nil && inst.apiRefused.Swap(false) && attempt == 1 {
			f.invocations.Add(-1)
			f.errs.Add(-1)
			f.coldStarts.Add(-(inst.inits.Load() - inits))
			inst.takeInit()
			continue
		}
		res.Init = inst.takeInit()
		f.release(inst)
		return res, nil
	}
}

func (f *Function) acquire() (*instance, error) {
	f.mu.Lock()
	if f.done {
		f.mu.Unlock()
		return nil, fmt.Errorf("invoke %s: %w", f.cfg.Name, ErrClosed)
	}
	if n := len(f.idle); n > 0 {
		inst := f.idle[n-1]
		f.idle = f.idle[:n-1]
		f.mu.Unlock()
		return inst, nil
	}
	f.seq++
	seq, gen := f.seq, f.gen
	f.mu.Unlock()

	inst, err := f.start(seq, gen)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		inst.stop()
		return nil, fmt.Errorf("invoke %s: %w", f.cfg.Name, ErrClosed)
	}
	f.all[inst] = struct{}{}
	return inst, nil
}

func (f *Function) release(inst *instance) {
	f.mu.Lock()
	if f.done || inst.gen != f.gen || inst.exited() {
		delete(f.all, inst)
		f.mu.Unlock()
		inst.stop()
		return
	}
	f.idle = append(f.idle, inst)
	f.mu.Unlock()
}

func (f *Function) discard(inst *instance) {
	f.mu.Lock()
	delete(f.all, inst)
	f.mu.Unlock()
	inst.stop()
}

// Restart stops every instance: the next invocation is a cold start in a new
// process. Invocations in flight finish first; their instances are then dropped.
func (f *Function) Restart() {
	f.mu.Lock()
	f.gen++
	idle := f.idle
	f.idle = nil
	for _, inst := range idle {
		delete(f.all, inst)
	}
	f.mu.Unlock()
	for _, inst := range idle {
		inst.stop()
	}
}

// Close stops every instance; later invocations fail with ErrClosed.
func (f *Function) Close() {
	f.mu.Lock()
	f.done = true
	all := make([]*instance, 0, len(f.all))
	for inst := range f.all {
		all = append(all, inst)
	}
	f.all = map[*instance]struct{}{}
	f.idle = nil
	f.mu.Unlock()
	for _, inst := range all {
		inst.stop()
	}
}

// RuntimePIDs returns the process ids of the running bootstraps (the
// emulators' children), e.g. to read their peak memory from /proc.
func (f *Function) RuntimePIDs() ([]int, error) {
	f.mu.Lock()
	var parents []int
	for inst := range f.all {
		if !inst.exited() {
			parents = append(parents, inst.cmd.Process.Pid)
		}
	}
	f.mu.Unlock()
	return childrenOf(parents)
}
