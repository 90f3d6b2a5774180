package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
)

// statusLine is the first line of a check's default output.
var statusLine = regexp.MustCompile(`^(.+) (OK|WARNING|CRITICAL|UNKNOWN): \S`)

func checkCheckRun(p *plugin.Plugin, dir string, args []string) error {
	var ps problems
	r := newRunner(p, dir)
	for run := 1; run <= 2; run++ {
		o := r.run(args...)
		first, _, _ := strings.Cut(o.stdout, "\n")
		m := statusLine.FindStringSubmatch(first)
		switch {
		case m == nil || !titleMatches(p, m[1]):
			ps.addf("run %d: the first line must be %q: %v", run, titleOf(p)+" STATUS: …", o)
		case m[2] != checkers.Status(o.code).String():
			ps.addf("run %d: the status line says %s but the exit code is %d: %v", run, m[2], o.code, o)
		case o.code != int(checkers.OK):
			ps.addf("run %d: the sample run must be OK (give the plugin ConformanceArgs that make it so): %v", run, o)
		}
		if len(first) >= checkers.MessageLimit || len(o.stdout) > checkers.MessageLimit {
			ps.addf("run %d: output is %d bytes, first line %d; the agent keeps %d", run, len(o.stdout), len(first), checkers.MessageLimit)
		}
		if !strings.HasSuffix(o.stdout, "\n") {
			ps.addf("run %d: output does not end with a newline: %v", run, o)
		}
		if o.code == 0 && o.stderr != "" {
			ps.addf("run %d: an OK run wrote to stderr: %v", run, o)
		}
		r.now = r.now.Add(time.Minute)
	}
	o := r.run(append(append([]string(nil), args...), "--format", "json")...)
	var js struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &js); err != nil || js.Status == "" {
		ps.addf("--format json must print a JSON object with a status: %v", o)
	}
	return ps.err()
}

func checkMetricRun(p *plugin.Plugin, c plugin.Collector, dir string, args []string) error {
	var ps problems
	ps.add(checkMetricPrefix(p, filepath.Join(dir, "default"), c.Prefix(), args))
	ps.add(checkMetricPrefix(p, filepath.Join(dir, "prefixed"), "conformance", append([]string{"--metric-key-prefix", "conformance"}, args...)))
	return ps.err()
}

func (ps *problems) add(err error) {
	if err != nil {
		*ps = append(*ps, err)
	}
}

// checkMetricPrefix checks the meta output and two runs a minute apart
// (the second one prints the counters), with names under prefix.
func checkMetricPrefix(p *plugin.Plugin, stateDir, prefix string, args []string) error {
	var ps problems
	r := newRunner(p, stateDir)
	graphs, err := meta(r, prefix, args)
	if err != nil {
		return err
	}
	printed := 0
	for run := 1; run <= 2; run++ {
		o := r.run(args...)
		if o.code != 0 || o.stderr != "" {
			ps.addf("run %d: a sample run must exit 0 with nothing on stderr: %v", run, o)
		}
		epoch := strconv.FormatInt(r.now.Unix(), 10)
		seen := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSuffix(o.stdout, "\n"), "\n") {
			if line == "" {
				continue
			}
			printed++
			if err := checkValueLine(line, epoch, graphs, seen); err != nil {
				ps.addf("run %d: line %q: %v", run, line, err)
			}
		}
		r.now = r.now.Add(time.Minute)
	}
	if printed == 0 && len(ps) == 0 {
		ps.addf("two sample runs (prefix %q) printed no value", prefix)
	}
	return ps.err()
}

// meta runs r in meta mode and checks what the agent and the service
// check: the header line, one line of JSON, valid graphs under prefix.
func meta(r *runner, prefix string, args []string) (metrics.Graphs, error) {
	r.env["MACKEREL_AGENT_PLUGIN_META"] = "1"
	o := r.run(args...)
	r.env["MACKEREL_AGENT_PLUGIN_META"] = ""
	return readMeta(o, prefix, false)
}

// readMeta reads the output of a meta run.
// A check without perfdata (allowEmpty) has no graph.
func readMeta(o outcome, prefix string, allowEmpty bool) (metrics.Graphs, error) {
	if o.code != 0 || o.stderr != "" {
		return nil, fmt.Errorf("meta: must exit 0 with nothing on stderr: %v", o)
	}
	lines := strings.Split(strings.TrimSuffix(o.stdout, "\n"), "\n")
	if len(lines) != 2 || (lines[0] != metrics.MetaHeader && lines[0] != metrics.MetaHeader+" version=1") {
		return nil, fmt.Errorf("meta: want the line %q and one line of JSON: %v", metrics.MetaHeader, o)
	}
	var doc struct {
		Graphs metrics.Graphs `json:"graphs"`
	}
	dec := json.NewDecoder(strings.NewReader(lines[1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("meta: invalid JSON: %v\n%s", err, lines[1])
	}
	if len(doc.Graphs) == 0 && !allowEmpty {
		return nil, fmt.Errorf("meta: no graph is defined: %s", lines[1])
	}
	if err := doc.Graphs.Validate(); err != nil {
		return nil, fmt.Errorf("meta: %v", err)
	}
	for key := range doc.Graphs {
		if !strings.HasPrefix(key, prefix+".") {
			return nil, fmt.Errorf("meta: graph %q is not under the prefix %q", key, prefix)
		}
	}
	return doc.Graphs, nil
}

// checkValueLine checks one "name<TAB>value<TAB>epoch" line the way the
// agent reads it, and more strictly.
func checkValueLine(line, epoch string, graphs metrics.Graphs, seen map[string]bool) error {
	f := strings.Split(line, "\t")
	if len(f) != 3 {
		return fmt.Errorf("want name<TAB>value<TAB>epoch")
	}
	name, value, at := f[0], f[1], f[2]
	if err := metrics.ValidateName(name); err != nil {
		return err
	}
	v, err := strconv.ParseFloat(value, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(value, "eEnNxX") {
		return fmt.Errorf("value %q is not a plain finite number", value)
	}
	if at != epoch {
		return fmt.Errorf("epoch %s, want the run's %s", at, epoch)
	}
	if seen[name] {
		return fmt.Errorf("%s is printed twice", name)
	}
	seen[name] = true
	if !graphs.Covers("", name) {
		return fmt.Errorf("no graph definition covers %s", name)
	}
	return nil
}
