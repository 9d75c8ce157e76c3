package emftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Record is one EMF log line.
type Record struct {
	Timestamp  int64
	Directives []Directive
	Members    map[string]any // every top-level member, _aws included
}

// Directive is one entry of _aws.CloudWatchMetrics.
type Directive struct {
	Namespace  string
	Dimensions [][]string
	Metrics    []Metric
}

// Metric is one MetricDefinition.
type Metric struct {
	Name string
	Unit string
}

// Units are the units CloudWatch accepts.
var Units = []string{
	"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
	"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}

// Limits of the specification (and of CloudWatch's PutMetricData).
const (
	MaxDimensions = 30
	MaxMetrics    = 100
	MaxValues     = 100
	MaxNameLen    = 255
	MaxValueLen   = 1024
)

// Parse decodes one log line. It returns nil and no error for a line that
// is not an EMF record (no _aws member), and an error naming the first rule
// an EMF record breaks.
func Parse(line []byte) (*Record, error) {
	line = bytes.TrimSpace(line)
	if !bytes.HasPrefix(line, []byte("{")) || !bytes.Contains(line, []byte(`"_aws"`)) {
		return nil, nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(line, &members); err != nil {
		return nil, fmt.Errorf("emf: not one JSON object: %w", err)
	}
	raw, ok := members["_aws"]
	if !ok {
		return nil, nil
	}
	var meta struct {
		Timestamp         *json.Number
		CloudWatchMetrics *[]json.RawMessage
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&meta); err != nil {
		return nil, fmt.Errorf("emf: _aws is not an object: %w", err)
	}
	rec := &Record{Members: map[string]any{}}
	if meta.Timestamp == nil {
		return nil, fmt.Errorf("emf: _aws.Timestamp missing")
	}
	ts, err := meta.Timestamp.Int64()
	if err != nil || ts <= 0 {
		return nil, fmt.Errorf("emf: _aws.Timestamp %q is not a positive integer of milliseconds", *meta.Timestamp)
	}
	rec.Timestamp = ts
	if meta.CloudWatchMetrics == nil || len(*meta.CloudWatchMetrics) == 0 {
		return nil, fmt.Errorf("emf: _aws.CloudWatchMetrics missing or empty")
	}
	for k, v := range members {
		var x any
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		if err := d.Decode(&x); err != nil {
			return nil, err
		}
		rec.Members[k] = x
	}
	for i, r := range *meta.CloudWatchMetrics {
		var d Directive
		if err := json.Unmarshal(r, &d); err != nil {
			return nil, fmt.Errorf("emf: directive %d: %w", i, err)
		}
		if err := rec.check(d); err != nil {
			return nil, fmt.Errorf("emf: directive %d: %w", i, err)
		}
		rec.Directives = append(rec.Directives, d)
	}
	return rec, nil
}

func (rec *Record) check(d Directive) error {
	switch {
	case d.Namespace == "" || len(d.Namespace) > MaxNameLen:
		return fmt.Errorf("namespace %q: 1-%d characters", d.Namespace, MaxNameLen)
	case strings.HasPrefix(d.Namespace, "AWS/"):
		return fmt.Errorf("namespace %q: AWS/ is reserved", d.Namespace)
	case d.Dimensions == nil:
		return fmt.Errorf("dimensions missing")
	case len(d.Metrics) == 0 || len(d.Metrics) > MaxMetrics:
		return fmt.Errorf("%d metrics: 1-%d", len(d.Metrics), MaxMetrics)
	}
	for _, set := range d.Dimensions {
		if len(set) > MaxDimensions {
			return fmt.Errorf("dimension set of %d keys: at most %d", len(set), MaxDimensions)
		}
		for _, k := range set {
			v, ok := rec.Members[k].(string)
			switch {
			case !ok:
				return fmt.Errorf("dimension %q is not a top-level string member", k)
			case k == "" || len(k) > MaxNameLen || v == "" || len(v) > MaxValueLen:
				return fmt.Errorf("dimension %q=%q: name 1-%d, value 1-%d characters", k, v, MaxNameLen, MaxValueLen)
			}
		}
	}
	for _, m := range d.Metrics {
		if m.Name == "" || len(m.Name) > MaxNameLen {
			return fmt.Errorf("metric name %q: 1-%d characters", m.Name, MaxNameLen)
		}
		if m.Unit != "" && !slices.Contains(Units, m.Unit) {
			return fmt.Errorf("metric %q: unit %q is not a CloudWatch unit", m.Name, m.Unit)
		}
		if _, err := rec.values(m.Name); err != nil {
			return err
		}
	}
	return nil
}

// values returns the values of the top-level member name.
func (rec *Record) values(name string) ([]float64, error) {
	var vs []any
	switch v := rec.Members[name].(type) {
	case json.Number:
		vs = []any{v}
	case []any:
		if len(v) == 0 || len(v) > MaxValues {
			return nil, fmt.Errorf("metric %q: %d values, 1-%d", name, len(v), MaxValues)
		}
		vs = v
	default:
		return nil, fmt.Errorf("metric %q is not a top-level number member", name)
	}
	out := make([]float64, 0, len(vs))
	for _, v := range vs {
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("metric %q: value %v is not a number", name, v)
		}
		f, err := n.Float64()
		if err != nil {
			return nil, fmt.Errorf("metric %q: %w", name, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// Lines parses every line of log, keeping the EMF records, and returns an
// error for the first record that breaks a rule.
func Lines(log string) ([]Record, error) {
	var out []Record
	for line := range strings.Lines(log) {
		rec, err := Parse([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("%w\nline: %s", err, line)
		}
		if rec != nil {
			out = append(out, *rec)
		}
	}
	return out, nil
}

// Sum adds the values of metric in namespace over the records that declare
// it there with exactly the dimension set of the keys of dims, and whose
// dimension values are dims' values.
func Sum(recs []Record, namespace, metric string, dims map[string]string) float64 {
	var sum float64
	for _, rec := range recs {
		if !rec.declares(namespace, metric, dims) {
			continue
		}
		vs, _ := rec.values(metric)
		for _, v := range vs {
			sum += v
		}
	}
	return sum
}

func (rec *Record) declares(namespace, metric string, dims map[string]string) bool {
	for _, d := range rec.Directives {
		if d.Namespace != namespace || !hasMetric(d, metric) {
			continue
		}
		for _, set := range d.Dimensions {
			if len(set) != len(dims) {
				continue
			}
			match := true
			for _, k := range set {
				if want, ok := dims[k]; !ok || rec.Members[k] != want {
					match = false
				}
			}
			if match {
				return true
			}
		}
	}
	return false
}
