package metrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
)

// Unit is the unit of a graph. The service accepts only the nine below
// and rejects a whole definition that uses any other, so use the
// constants: Graphs.Validate (and so every plugin's test through
// plugintest) fails on anything else.
type Unit string

// The units the service accepts.
const (
	Float        Unit = "float"
	Integer      Unit = "integer"
	Percentage   Unit = "percentage"
	Seconds      Unit = "seconds"
	Milliseconds Unit = "milliseconds"
	Bytes        Unit = "bytes"
	BytesPerSec  Unit = "bytes/sec"
	BitsPerSec   Unit = "bits/sec"
	IOPS         Unit = "iops"
)

// Valid reports whether u is one of the nine units the service accepts.
func (u Unit) Valid() bool {
	switch u {
	case Float, Integer, Percentage, Seconds, Milliseconds, Bytes, BytesPerSec, BitsPerSec, IOPS:
		return true
	}
	return false
}

// Metric is one line of a graph. Its full name is the graph key, a dot
// and Name, so Name is the last segment(s) of the metric name; a
// wildcard segment ('#' or '*') matches any one segment.
type Metric struct {
	Name    string `json:"name"`
	Label   string `json:"label"`
	Stacked bool   `json:"stacked"`
}

// Graph is one graph definition.
type Graph struct {
	Label   string   `json:"label"`
	Unit    Unit     `json:"unit"`
	Metrics []Metric `json:"metrics"`
}

// Graphs maps a graph key, relative to the plugin's prefix (e.g.
// "requests" for "nginx.requests"), to its definition. A key may hold
// wildcard segments too ("disk.#" for one graph per disk).
type Graphs map[string]Graph

// Validate checks what the service would reject, and reports the first
// problem in key order: a key or metric name that is not a valid name
// (wildcard segments allowed), a unit other than the nine, an empty
// label, a graph without metrics, a metric name given twice in a graph.
func (g Graphs) Validate() error {
	for _, k := range slices.Sorted(maps.Keys(g)) {
		gr := g[k]
		if err := validateName(k, true); err != nil {
			return fmt.Errorf("graph %q: %w", k, err)
		}
		if !gr.Unit.Valid() {
			return fmt.Errorf("graph %q: unit %q is not one the service accepts", k, gr.Unit)
		}
		if gr.Label == "" {
			return fmt.Errorf("graph %q: empty label", k)
		}
		if len(gr.Metrics) == 0 {
			return fmt.Errorf("graph %q: no metrics", k)
		}
		seen := make(map[string]bool, len(gr.Metrics))
		for _, m := range gr.Metrics {
			if err := validateName(m.Name, true); err != nil {
				return fmt.Errorf("graph %q metric %q: %w", k, m.Name, err)
			}
			if seen[m.Name] {
				return fmt.Errorf("graph %q: metric %q defined twice", k, m.Name)
			}
			seen[m.Name] = true
		}
	}
	return nil
}

// Covers reports whether the full metric name (prefix included, as
// printed) belongs to one of the graphs, wildcards matching any one
// segment.
func (g Graphs) Covers(prefix, name string) bool {
	for k, gr := range g {
		for _, m := range gr.Metrics {
			if matchSegments(join(join(prefix, k), m.Name), name) {
				return true
			}
		}
	}
	return false
}

// MetaHeader is the first line of the meta output.
const MetaHeader = "# mackerel-agent-plugin"

// WriteMeta prints what mackerel-agent reads when it runs a plugin with
// MACKEREL_AGENT_PLUGIN_META set: the header line and the graph
// definitions, keys prefixed, as one line of JSON. Map keys are sorted
// and metrics keep their order, so the output is the same on every run.
// Invalid definitions (see Graphs.Validate) or an invalid prefix print
// nothing and return the error.
func WriteMeta(w io.Writer, prefix string, g Graphs) error {
	if err := validatePrefix(prefix); err != nil {
		return err
	}
	if err := g.Validate(); err != nil {
		return err
	}
	full := make(map[string]Graph, len(g))
	for k, gr := range g {
		full[join(prefix, k)] = gr
	}
	var out bytes.Buffer
	out.WriteString(MetaHeader + "\n")
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // labels such as "Reads & writes" stay readable
	if err := enc.Encode(struct {
		Graphs map[string]Graph `json:"graphs"`
	}{full}); err != nil {
		return err
	}
	_, err := w.Write(out.Bytes())
	return err
}

// validatePrefix accepts the empty prefix (no prefix) and valid names.
func validatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := ValidateName(prefix); err != nil {
		return fmt.Errorf("metric key prefix: %w", err)
	}
	return nil
}
