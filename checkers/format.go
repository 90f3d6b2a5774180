package checkers

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/teko-dev/teko/metrics"
)

// The formats that let a check feed a metrics system (see Result.Write).
const (
	// FormatPrometheus is the text exposition format 0.0.4: the family
	// teko_check_status (0 OK … 3 UNKNOWN) and each perfdata value as a
	// gauge teko_check_<label>, labelled check="<plugin>" (and
	// instance="<instance>" when set).
	FormatPrometheus Format = "prometheus"
	// FormatMetrics prints the perfdata as metric lines, as a metric
	// plugin does: check.<plugin without "check-">.<label><TAB>value<TAB>epoch.
	FormatMetrics Format = "metrics"
)

// Formats lists every Format, the default first.
var Formats = []Format{FormatMackerel, FormatNagios, FormatJSON, FormatPrometheus, FormatMetrics}

// CheckStatusHelp is the HELP text of the family teko_check_status. It
// is the same in every plugin and every version: node_exporter's
// textfile collector refuses a family whose HELP differs between files.
const CheckStatusHelp = "Status of the last run of a teko check plugin: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."

// CheckStatusMetric is the name of the status family in FormatPrometheus.
const CheckStatusMetric = "teko_check_status"

// Output says how Result.Write writes a result and for which plugin.
type Output struct {
	Format Format
	// Title starts the text formats' status line ("PROCS").
	Title string
	// Check is the plugin's name ("check-procs"): the check label of
	// FormatPrometheus and the names of FormatMetrics.
	Check string
	// Instance, when not empty, is the instance label of
	// FormatPrometheus, telling two runs of one check apart.
	Instance string
	// Now is the run's time, printed by FormatMetrics.
	Now time.Time
}

// Write writes r as o says: the text and JSON formats as Render does,
// FormatPrometheus and FormatMetrics as their doc comments say. Perfdata
// that is not a finite number ("U") is left out of those two.
func (r *Result) Write(w io.Writer, o Output) error {
	switch o.Format {
	case FormatPrometheus:
		return r.writePrometheus(w, o)
	case FormatMetrics:
		prefix, values, _ := r.Metrics(o.Check, o.Title)
		_, err := metrics.Write(w, prefix, values, o.Now)
		return err
	}
	return r.Render(w, o.Title, o.Format)
}

// PrometheusPerfdataName is the Prometheus family of a perfdata item and
// the factor that converts its value to the family's base unit: "time"
// in ms is teko_check_time_seconds, times 0.001. A perfdata item named
// "status" is teko_check_status_perfdata, clear of the status family.
func PrometheusPerfdataName(p Perfdata) (name string, factor float64) {
	unit, factor := "", 1.0
	switch p.UOM {
	case "s":
		unit = "seconds"
	case "ms":
		unit, factor = "seconds", 1e-3
	case "us":
		unit, factor = "seconds", 1e-6
	case "B":
		unit = "bytes"
	case "KB":
		unit, factor = "bytes", 1<<10
	case "MB":
		unit, factor = "bytes", 1<<20
	case "TB":
		unit, factor = "bytes", 1<<40
	case "%":
		unit = "percent"
	}
	label := p.Label
	if unit != "" && !strings.HasSuffix(strings.ToLower(label), unit) {
		label += "_" + unit
	}
	name = "teko_check_" + metrics.PrometheusName(label, metrics.KindGauge)
	if name == CheckStatusMetric {
		name += "_perfdata"
	}
	return name, factor
}

func (r *Result) writePrometheus(w io.Writer, o Output) error {
	bw := bufio.NewWriter(w)
	labels := "{" + metrics.PrometheusLabel("check", o.Check)
	if o.Instance != "" {
		labels += "," + metrics.PrometheusLabel("instance", o.Instance)
	}
	labels += "}"
	metrics.WritePrometheusFamily(bw, CheckStatusMetric, "gauge", CheckStatusHelp)
	fmt.Fprintf(bw, "%s%s %d\n", CheckStatusMetric, labels, statusCode(r.Status))
	values := map[string]float64{}
	for _, p := range r.allPerfdata() {
		if !isFinite(p.Value) {
			continue
		}
		name, factor := PrometheusPerfdataName(p)
		values[name] = p.Value * factor // two labels that read the same: the last wins, as in the agent
	}
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		metrics.WritePrometheusFamily(bw, n, "gauge", fmt.Sprintf("Perfdata %q of a teko check plugin (label check names the plugin).", strings.TrimPrefix(n, "teko_check_")))
		fmt.Fprintf(bw, "%s%s %s\n", n, labels, metrics.FormatValue(values[n]))
	}
	return bw.Flush()
}

// Metrics returns r's perfdata as a metric plugin would print it, for
// the plugin named check with the title title: the prefix "check", one
// value per finite perfdata item named <plugin without "check-">.<label>
// (the label made a name segment by metrics.Segment), and a graph
// definition covering them all (for MACKEREL_AGENT_PLUGIN_META).
//
// Values are converted to a unit Mackerel knows: us to seconds, KB, MB
// and TB to bytes (1024-based). The graph's unit is the items' common
// unit (seconds, milliseconds, bytes, percentage), float when they
// differ or have none.
func (r *Result) Metrics(check, title string) (prefix string, values []metrics.Value, graphs metrics.Graphs) {
	short := metrics.Segment(strings.TrimPrefix(check, "check-"))
	if title == "" {
		title = check
	}
	graph := metrics.Graph{Label: title + " (" + check + ")"}
	seen := map[string]int{}
	for _, p := range r.allPerfdata() {
		if !isFinite(p.Value) {
			continue
		}
		unit, factor := mackerelUnit(p.UOM)
		switch {
		case len(seen) == 0:
			graph.Unit = unit
		case graph.Unit != unit:
			graph.Unit = metrics.Float
		}
		name := metrics.Segment(p.Label)
		v := metrics.Value{Name: short + "." + name, Value: p.Value * factor}
		if i, ok := seen[name]; ok {
			values[i] = v
			continue
		}
		seen[name] = len(values)
		values = append(values, v)
		graph.Metrics = append(graph.Metrics, metrics.Metric{Name: name, Label: p.Label})
	}
	graphs = metrics.Graphs{}
	if len(graph.Metrics) > 0 {
		graphs[short] = graph
	}
	return "check", values, graphs
}

func mackerelUnit(uom string) (metrics.Unit, float64) {
	switch uom {
	case "s":
		return metrics.Seconds, 1
	case "ms":
		return metrics.Milliseconds, 1
	case "us":
		return metrics.Seconds, 1e-6
	case "%":
		return metrics.Percentage, 1
	case "B":
		return metrics.Bytes, 1
	case "KB":
		return metrics.Bytes, 1 << 10
	case "MB":
		return metrics.Bytes, 1 << 20
	case "TB":
		return metrics.Bytes, 1 << 40
	}
	return metrics.Float, 1
}

// statusCode is s as an exit code: a status outside 0..3 is UNKNOWN.
func statusCode(s Status) int {
	if s < OK || s > Unknown {
		return int(Unknown)
	}
	return int(s)
}
