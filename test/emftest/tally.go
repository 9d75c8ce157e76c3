package emftest

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Tally is an io.Writer for a function log (the local gateway's
// FunctionLog) that keeps the EMF records of its lines, whatever precedes
// the JSON on a line (test/rie's "[name#n] " prefix), for a summary when the
// session ends. It is safe for concurrent use; a record that breaks a rule
// of the specification is counted as invalid.
type Tally struct {
	mu      sync.Mutex
	partial []byte
	recs    []Record
	invalid int
}

// Write reads p's complete lines.
func (t *Tally) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, p...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := t.partial[:i]
		if j := bytes.IndexByte(line, '{'); j >= 0 {
			rec, err := Parse(line[j:])
			switch {
			case err != nil:
				t.invalid++
			case rec != nil:
				t.recs = append(t.recs, *rec)
			}
		}
		t.partial = t.partial[i+1:]
	}
}

// Summary is one line: verdicts by result, denials by reason, key loads by
// source/outcome, across namespaces. Allows and keys served from memory are
// the counts flushed so far (the function writes them at most every 10 s,
// at an invocation).
func (t *Tally) Summary() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	part := func(metric string, dims ...string) string {
		sums := map[string]float64{}
		for _, rec := range t.recs {
			for _, d := range rec.Directives {
				if !hasMetric(d, metric) || !hasSet(d, dims) {
					continue
				}
				var vals []string
				for _, k := range dims {
					vals = append(vals, fmt.Sprint(rec.Members[k]))
				}
				vs, _ := rec.values(metric)
				for _, v := range vs {
					sums[strings.Join(vals, "/")] += v
				}
			}
		}
		if len(sums) == 0 {
			return "none"
		}
		keys := make([]string, 0, len(sums))
		for k := range sums {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = fmt.Sprintf("%s=%g", k, sums[k])
		}
		return strings.Join(out, " ")
	}
	s := fmt.Sprintf("metrics: verdicts %s; denials %s; key loads %s", part("Verdicts", "Result"), part("Denials", "Reason"), part("KeyLoads", "Source", "Outcome"))
	if t.invalid > 0 {
		s += fmt.Sprintf("; %d invalid EMF records", t.invalid)
	}
	return s
}

func hasMetric(d Directive, name string) bool {
	for _, m := range d.Metrics {
		if m.Name == name {
			return true
		}
	}
	return false
}

// hasSet reports whether d declares exactly the dimension set dims.
func hasSet(d Directive, dims []string) bool {
	for _, set := range d.Dimensions {
		if strings.Join(set, ",") == strings.Join(dims, ",") {
			return true
		}
	}
	return false
}
