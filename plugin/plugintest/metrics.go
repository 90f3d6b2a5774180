package plugintest

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/metrics"
)

// Values checks a metric plugin run the way mackerel-agent reads it and
// returns the printed values by name. It fails the test when the run did
// not exit 0, when a line is not "name<TAB>value<TAB>epoch" with the
// harness clock's epoch and a finite value, when a name repeats, when the
// plugin's meta output (with the same args) is invalid, or when a name
// belongs to none of the graph definitions.
func (h *Harness) Values(r Result, args ...string) map[string]float64 {
	h.T.Helper()
	if r.Code != 0 {
		h.T.Fatalf("metric run exited %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	prefix, graphs := h.graphs(args...)
	values := map[string]float64{}
	epoch := strconv.FormatInt(h.Now().Unix(), 10)
	for _, line := range strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			h.T.Errorf("line %q: want name<TAB>value<TAB>epoch", line)
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || strings.ContainsAny(f[1], "eEnN") {
			h.T.Errorf("line %q: value is not a plain finite number", line)
		}
		if f[2] != epoch {
			h.T.Errorf("line %q: epoch %s, want the clock's %s", line, f[2], epoch)
		}
		if err := metrics.ValidateName(f[0]); err != nil {
			h.T.Errorf("line %q: %v", line, err)
		}
		if _, dup := values[f[0]]; dup {
			h.T.Errorf("line %q: name printed twice", line)
		}
		if !graphs.Covers("", f[0]) {
			h.T.Errorf("line %q: no graph definition covers %s (prefix %q)", line, f[0], prefix)
		}
		values[f[0]] = v
	}
	return values
}

// graphs runs the plugin in meta mode and checks what the agent checks:
// the header line, one line of JSON, known units, valid names.
func (h *Harness) graphs(args ...string) (string, metrics.Graphs) {
	h.T.Helper()
	r := h.Meta(args...)
	if r.Code != 0 {
		h.T.Fatalf("meta run exited %d: %s%s", r.Code, r.Stdout, r.Stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if len(lines) != 2 || lines[0] != metrics.MetaHeader {
		h.T.Fatalf("meta output: want %q and one JSON line, got:\n%s", metrics.MetaHeader, r.Stdout)
	}
	var meta struct {
		Graphs metrics.Graphs `json:"graphs"`
	}
	dec := json.NewDecoder(strings.NewReader(lines[1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		h.T.Fatalf("meta JSON: %v\n%s", err, lines[1])
	}
	if len(meta.Graphs) == 0 {
		h.T.Fatalf("meta JSON defines no graph: %s", lines[1])
	}
	if err := meta.Graphs.Validate(); err != nil {
		h.T.Fatalf("meta JSON: %v", err)
	}
	prefix := ""
	for k := range meta.Graphs {
		prefix, _, _ = strings.Cut(k, ".")
		break
	}
	return prefix, meta.Graphs
}
