package plugintest

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/metrics"
)

// Values checks a metric plugin's run the way mackerel-agent reads it,
// and more strictly, and returns the printed values by name. It fails
// the test when the run did not exit 0; when a line is not
// "name<TAB>value<TAB>epoch"; when a name is invalid or printed twice;
// when a value is not a finite number written as metrics.FormatValue
// writes it; when the epoch is not the harness clock's; when the
// plugin's meta output (run with the same args) is not the header line
// and one line of valid graph definitions; or when a name belongs to
// none of those definitions.
func (h *Harness) Values(r Result, args ...string) map[string]float64 {
	h.T.Helper()
	if r.Code != 0 {
		h.T.Fatalf("metric run exited %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	graphs := h.graphs(args...)
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
		name, text := f[0], f[1]
		v, err := strconv.ParseFloat(text, 64)
		switch {
		case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
			h.T.Errorf("line %q: value %q is not a finite number", line, text)
		case text != metrics.FormatValue(v):
			h.T.Errorf("line %q: value %q is not written exactly and shortest (want %q)", line, text, metrics.FormatValue(v))
		}
		if f[2] != epoch {
			h.T.Errorf("line %q: epoch %s, want the clock's %s", line, f[2], epoch)
		}
		if _, dup := values[name]; dup {
			h.T.Errorf("line %q: name printed twice", line)
		}
		if err := metrics.ValidateName(name); err != nil {
			h.T.Errorf("line %q: %v", line, err)
		} else if !graphs.Covers("", name) {
			h.T.Errorf("line %q: no graph definition covers %s", line, name)
		}
		values[name] = v
	}
	return values
}

// RunValues runs the plugin once with args and checks its output as
// Values does: the one-call form of h.Values(h.Run(args...), args...).
// Anything the run wrote on stderr is logged, not failed on.
func (h *Harness) RunValues(args ...string) map[string]float64 {
	h.T.Helper()
	r := h.Run(args...)
	if r.Stderr != "" {
		h.T.Logf("stderr of %s %v:\n%s", h.Plugin.Name, args, r.Stderr)
	}
	return h.Values(r, args...)
}

// graphs runs the plugin in meta mode and checks what the agent and the
// service check: the header line, one line of JSON with nothing unknown
// in it, at least one graph, valid keys, names and units.
func (h *Harness) graphs(args ...string) metrics.Graphs {
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
	return meta.Graphs
}
