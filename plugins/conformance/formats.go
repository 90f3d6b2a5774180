package conformance

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
)

// Sample prepares one successful run of p as the conformance suite
// does (ConformanceArgs, inputs under dir) and returns its arguments and
// a function that stops what it started. It is for tests that feed a
// plugin's output to a real consumer.
func Sample(p *plugin.Plugin, dir string) ([]string, func(), error) {
	return sample(p, dir)
}

// FormatFlag is how p spells the runtime's --format: --teko-format when
// the plugin declares a --format of its own.
func FormatFlag(p *plugin.Plugin) string { return formatFlag(p) }

// formatFlag is how p spells the runtime's --format.
func formatFlag(p *plugin.Plugin) string { return runtimeFlag(p, "format") }

// runtimeFlag is how p spells the runtime's flag --long: --teko-long when
// the plugin declares a --long of its own (the runtime then gives way).
func runtimeFlag(p *plugin.Plugin, long string) string {
	own, _ := Flags(p)
	for _, f := range own {
		if f.Long == long {
			return "--teko-" + long
		}
	}
	return "--" + long
}

// checkFormats runs the sample in every format and reads each output
// with the rules of its consumer (see the Validate functions).
func checkFormats(p *plugin.Plugin, dir string) error {
	args, stop, err := sample(p, dir)
	if err != nil {
		return err
	}
	defer stop()
	switch c := p.New().(type) {
	case plugin.Collector:
		return checkMetricFormats(p, c, dir, args)
	case plugin.Checker:
		return checkCheckFormats(p, dir, args)
	}
	return nil
}

func withFlags(args []string, more ...string) []string {
	return append(append([]string(nil), args...), more...)
}

func checkMetricFormats(p *plugin.Plugin, c plugin.Collector, dir string, args []string) error {
	var ps problems
	graphs, err := meta(newRunner(p, filepath.Join(dir, "meta")), c.Prefix(), args)
	if err != nil {
		return err
	}
	for _, f := range metrics.Formats[1:] {
		stateDir := filepath.Join(dir, "state-"+string(f))
		r := newRunner(p, stateDir)
		printed := 0
		for run := 1; run <= 2; run++ {
			o := r.run(withFlags(args, formatFlag(p), string(f))...)
			epoch := r.now.Unix()
			r.now = r.now.Add(time.Minute)
			if o.code != 0 || o.stderr != "" {
				ps.addf("--format %s run %d: a sample run must exit 0 with nothing on stderr: %v", f, run, o)
				continue
			}
			var names []string
			switch f {
			case metrics.FormatGraphite:
				vals, err := ValidateGraphite(o.stdout, epoch)
				ps.addf2(err, "--format graphite run %d: %v\n%s", run, err, o.stdout)
				for n := range vals {
					names = append(names, n)
				}
			case metrics.FormatInflux:
				points, err := ValidateInflux(o.stdout, epoch)
				ps.addf2(err, "--format influx run %d: %v\n%s", run, err, o.stdout)
				for _, pt := range points {
					printed += len(pt.Fields)
				}
			case metrics.FormatPrometheus:
				fams, err := ValidatePrometheus(o.stdout)
				ps.addf2(err, "--format prometheus run %d: %v\n%s", run, err, o.stdout)
				for _, fam := range fams {
					printed += len(fam.Samples)
				}
				if files := counterMemory(stateDir); len(files) > 0 {
					ps.addf("--format prometheus run %d: kept counter totals in %v; raw totals need none", run, files)
				}
			case metrics.FormatJSON:
				vals, err := ValidateMetricJSON(o.stdout, epoch)
				ps.addf2(err, "--format json run %d: %v\n%s", run, err, o.stdout)
				for _, v := range vals {
					names = append(names, v.Name)
				}
			}
			for _, n := range names {
				printed++
				if !graphs.Covers("", n) {
					ps.addf("--format %s run %d: no graph definition covers %s", f, run, n)
				}
			}
		}
		if printed == 0 {
			ps.addf("--format %s: two sample runs printed no value", f)
		}
	}
	return ps.err()
}

func (ps *problems) addf2(err error, format string, args ...any) {
	if err != nil {
		ps.addf(format, args...)
	}
}

func checkCheckFormats(p *plugin.Plugin, dir string, args []string) error {
	var ps problems
	r := newRunner(p, filepath.Join(dir, "state"))
	run := func(more ...string) outcome {
		o := r.run(withFlags(args, more...)...)
		r.now = r.now.Add(time.Minute)
		return o
	}
	o := run(formatFlag(p), "nagios")
	status, _, err := ValidateNagios(o.stdout, titleIn(p, o.stdout))
	ps.addf2(err, "--format nagios: %v: %v", err, o)
	if err == nil && status != checkers.Status(o.code).String() {
		ps.addf("--format nagios: status %s but exit code %d", status, o.code)
	}
	for _, instance := range []string{"", "conformance-2"} {
		more := []string{formatFlag(p), "prometheus"}
		if instance != "" {
			more = append(more, runtimeFlag(p, "instance"), instance)
		}
		o := run(more...)
		fams, err := ValidatePrometheus(o.stdout)
		if err != nil {
			ps.addf("--format prometheus: %v: %v", err, o)
			continue
		}
		st := fams[checkers.CheckStatusMetric]
		want := map[string]string{"check": p.Name}
		if instance != "" {
			want["instance"] = instance
		}
		switch {
		case st == nil || len(st.Samples) != 1:
			ps.addf("--format prometheus: want one sample of %s: %v", checkers.CheckStatusMetric, o)
			continue
		case st.Help != checkers.CheckStatusHelp || st.Type != "gauge":
			ps.addf("--format prometheus: %s must be a gauge with the HELP every plugin uses (%q): %v", checkers.CheckStatusMetric, checkers.CheckStatusHelp, o)
		case st.Samples[0].Value != float64(o.code):
			ps.addf("--format prometheus: status %v but exit code %d", st.Samples[0].Value, o.code)
		}
		for name, fam := range fams {
			if !strings.HasPrefix(name, "teko_check_") {
				ps.addf("--format prometheus: family %s is not under teko_check_", name)
			}
			for _, s := range fam.Samples {
				if fmt.Sprint(s.Labels) != fmt.Sprint(want) {
					ps.addf("--format prometheus: %s has labels %v, want %v", name, s.Labels, want)
				}
			}
		}
	}
	r.env["MACKEREL_AGENT_PLUGIN_META"] = "1"
	o = run(formatFlag(p), "metrics")
	r.env["MACKEREL_AGENT_PLUGIN_META"] = ""
	graphs, err := readMeta(o, "check", true)
	if err != nil {
		ps.addf("--format metrics: %v", err)
		return ps.err()
	}
	o = run(formatFlag(p), "metrics")
	epoch := strconv.FormatInt(r.now.Add(-time.Minute).Unix(), 10)
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(o.stdout, "\n"), "\n") {
		if line == "" {
			continue
		}
		if err := checkValueLine(line, epoch, graphs, seen); err != nil {
			ps.addf("--format metrics: line %q: %v", line, err)
		}
		if !strings.HasPrefix(line, "check."+metrics.Segment(strings.TrimPrefix(p.Name, "check-"))+".") {
			ps.addf("--format metrics: line %q is not under check.<plugin without check->", line)
		}
	}
	return ps.err()
}

// checkOutputFile writes the prometheus output to a file: nothing on
// stdout, the exit code a plain run gives, the file complete with the
// umask's mode; an unwritable directory is UNKNOWN naming the path.
func checkOutputFile(p *plugin.Plugin, dir string) error {
	args, stop, err := sample(p, dir)
	if err != nil {
		return err
	}
	defer stop()
	var ps problems
	r := newRunner(p, filepath.Join(dir, "state"))
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(outDir, "teko.prom")
	_, isMetric := p.New().(plugin.Collector)
	wrote := false // a metric plugin's first run may have nothing to print yet (no interval)
	for run := 1; run <= 2; run++ {
		o := r.run(withFlags(args, formatFlag(p), "prometheus", runtimeFlag(p, "output-file"), path)...)
		r.now = r.now.Add(time.Minute)
		if o.stdout != "" || o.code != 0 {
			ps.addf("--output-file run %d: want exit 0 (the sample's status) and nothing on stdout: %v", run, o)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			ps.addf("--output-file run %d: %v", run, err)
			continue
		}
		if _, err := ValidatePrometheus(string(b)); err != nil {
			ps.addf("--output-file run %d: the file is not valid prometheus text (%v):\n%s", run, err, b)
		}
		wrote = wrote || len(b) > 0
	}
	if !wrote {
		ps.addf("--output-file: both runs wrote an empty file")
	}
	if got, want := fileMode(path), umaskMode(outDir); got != want {
		ps.addf("--output-file: mode %v, want %v (0666 less the umask)", got, want)
	}
	if files := listFiles(outDir); len(files) != 1 {
		ps.addf("--output-file: left files behind: %v", files)
	}
	bad := filepath.Join(dir, "no-such-dir", "teko.prom")
	o := r.run(withFlags(args, formatFlag(p), "prometheus", runtimeFlag(p, "output-file"), bad)...)
	switch {
	case o.code != int(checkers.Unknown):
		ps.addf("--output-file in a missing directory: want exit 3: %v", o)
	case isMetric && !strings.Contains(o.stderr, bad):
		ps.addf("--output-file in a missing directory: stderr must name %s: %v", bad, o)
	case !isMetric && (!strings.HasPrefix(o.stdout, titleIn(p, o.stdout)+" UNKNOWN: ") || !strings.Contains(o.stdout, bad)):
		ps.addf("--output-file in a missing directory: want %q naming %s: %v", titleOf(p)+" UNKNOWN: …", bad, o)
	}
	return ps.err()
}

// checkMetaKeepsState: a meta run of a check (any format) leaves its
// state as the previous run left it.
func checkMetaKeepsState(p *plugin.Plugin, dir string) error {
	if _, ok := p.New().(plugin.Checker); !ok {
		return nil
	}
	args, stop, err := sample(p, dir)
	if err != nil {
		return err
	}
	defer stop()
	var ps problems
	stateDir := filepath.Join(dir, "state")
	r := newRunner(p, stateDir)
	r.run(args...)
	for _, f := range []string{"metrics", "mackerel"} {
		before := snapshot(stateDir)
		r.now = r.now.Add(time.Minute)
		r.env["MACKEREL_AGENT_PLUGIN_META"] = "1"
		o := r.run(withFlags(args, formatFlag(p), f)...)
		r.env["MACKEREL_AGENT_PLUGIN_META"] = ""
		if after := snapshot(stateDir); after != before {
			ps.addf("a meta run (--format %s) changed the state: %v", f, o)
		}
	}
	return ps.err()
}

func listFiles(dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// counterMemory lists the state files under dir that hold the runtime's
// counter totals (their "data"). A plugin's own part of the state (a log
// position, as metrics-accesslog keeps) is allowed in every format.
func counterMemory(dir string) []string {
	var out []string
	for _, f := range listFiles(dir) {
		if !strings.HasSuffix(f, ".json") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			out = append(out, f)
			continue
		}
		var st struct {
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(b, &st) != nil {
			out = append(out, f)
			continue
		}
		if d := strings.TrimSpace(string(st.Data)); d != "" && d != "null" && d != "{}" {
			out = append(out, f)
		}
	}
	return out
}

// snapshot is every file under dir with its content.
func snapshot(dir string) string {
	var b strings.Builder
	for _, f := range listFiles(dir) {
		c, _ := os.ReadFile(f)
		fmt.Fprintf(&b, "%s\n%q\n", f, c)
	}
	return b.String()
}

func fileMode(path string) fs.FileMode {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Mode().Perm()
}

// umaskMode is the mode a new file gets in dir: 0666 less the umask.
func umaskMode(dir string) fs.FileMode {
	f, err := os.CreateTemp(dir, "umask")
	if err != nil {
		return 0
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	g, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o666)
	if err != nil {
		return 0
	}
	g.Close()
	defer os.Remove(name)
	return fileMode(name)
}
