package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// Unit is the unit of a graph; the monitoring service accepts only these
// nine and rejects a whole definition with any other.
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

var validUnits = map[Unit]bool{Float: true, Integer: true, Percentage: true, Seconds: true, Milliseconds: true, Bytes: true, BytesPerSec: true, BitsPerSec: true, IOPS: true}

// Metric is one line of a graph. Name is the last segment(s) of the metric
// name after the graph key; it may be a wildcard ('#' or '*').
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
// "requests" for "nginx.requests"), to its definition.
type Graphs map[string]Graph

// Validate checks every key, metric name and unit, and reports the first
// problem.
func (g Graphs) Validate() error {
	keys := make([]string, 0, len(g))
	for k := range g {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		gr := g[k]
		if err := validateName(k, true); err != nil {
			return fmt.Errorf("graph %q: %w", k, err)
		}
		if !validUnits[gr.Unit] {
			return fmt.Errorf("graph %q: unit %q is not one the service accepts", k, gr.Unit)
		}
		if gr.Label == "" {
			return fmt.Errorf("graph %q: empty label", k)
		}
		if len(gr.Metrics) == 0 {
			return fmt.Errorf("graph %q: no metrics", k)
		}
		for _, m := range gr.Metrics {
			if err := validateName(m.Name, true); err != nil {
				return fmt.Errorf("graph %q metric %q: %w", k, m.Name, err)
			}
		}
	}
	return nil
}

// Covers reports whether the full metric name (prefix included) belongs
// to one of the graphs, wildcards matching any one segment.
func (g Graphs) Covers(prefix, name string) bool {
	for k, gr := range g {
		for _, m := range gr.Metrics {
			if matchSegments(join(prefix, k, m.Name), name) {
				return true
			}
		}
	}
	return false
}

// MetaHeader is the first line of the meta output.
const MetaHeader = "# mackerel-agent-plugin"

// WriteMeta prints the meta output for mackerel-agent: the header line
// and the graph definitions, keys prefixed, as one line of JSON with
// sorted keys (so it is the same on every run).
func WriteMeta(w io.Writer, prefix string, g Graphs) error {
	if err := g.Validate(); err != nil {
		return err
	}
	full := make(map[string]Graph, len(g))
	for k, gr := range g {
		full[join(prefix, k)] = gr
	}
	b, err := json.Marshal(struct {
		Graphs map[string]Graph `json:"graphs"`
	}{full})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n%s\n", MetaHeader, b)
	return err
}
