// Package metrics is the output side of a metric plugin: the values it
// collected, the graph definitions that describe them to the monitoring
// service, and the counters that must be turned into rates.
//
// # A metric plugin
//
// A metric plugin's options implement plugin.Collector: a default name
// prefix, the graph definitions, and a Collect method that fills a Batch
// on every run.
//
//	func (o *options) Prefix() string { return "nginx" }
//
//	func (o *options) Graphs() metrics.Graphs {
//		return metrics.Graphs{
//			"connections": {Label: "Connections", Unit: metrics.Integer, Metrics: []metrics.Metric{
//				{Name: "active", Label: "Active"},
//			}},
//			"requests": {Label: "Requests", Unit: metrics.Float, Metrics: []metrics.Metric{
//				{Name: "total", Label: "Requests per minute"},
//			}},
//		}
//	}
//
//	func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
//		st, err := fetch(ctx, o.URL)
//		if err != nil {
//			return err // nothing is printed; the error goes to stderr
//		}
//		b.Gauge("connections.active", float64(st.Active)) // printed as is
//		b.Counter("requests.total", st.Requests)          // a running total, printed as a rate
//		return nil
//	}
//
// The runtime (package plugin) does the rest: it adds the prefix, which
// --metric-key-prefix replaces so that two instances (two nginx servers)
// run side by side with their own names and their own state; it turns
// counters into rates against the previous run's totals, kept in the
// state store; and it prints one line per value, sorted by name, as
// mackerel-agent reads them:
//
//	nginx.connections.active	12	1795478400
//	nginx.requests.total	240	1795478400
//
// Values are printed exactly, as FormatValue writes them: the shortest
// text that parses back to the same float64, never with an exponent.
// NaN and infinite values are not printed; a note on stderr names them.
//
// # Counters
//
// A counter's total is a uint64 and is kept exactly, never through
// float64. Its rate is per minute (the Mackerel convention) unless the
// Collector implements plugin.RateSetter to ask for another unit, such
// as per second for a bytes/sec graph (see Rates). A counter is not
// printed at all — never as 0, never as a spike — when there is no sound
// previous total:
//   - on the first run, or the first run that records it;
//   - when the previous run was less than a second ago (the older total is
//     kept for the next run);
//   - when the clock went back since the previous run (the run then
//     counts as a first run);
//   - when the previous total is older than Rates.MaxAge (10 minutes by
//     default);
//   - when the total went down, which means the source restarted —
//     unless it was recorded with Batch.WrappingCounter and the drop
//     reads as a wrap at 32 or 64 bits;
//   - when another counter declared with Batch.Together (the counters of
//     one server process, which restart as one) went down.
//
// Gauges are printed on every run, whatever happens to counters. A
// counter skipped because of the clock, its age or a restart leaves a
// one-line note on stderr, which the agent logs; the first run and a
// run in the same second are normal and leave none.
//
// # Names
//
// A metric name is segments of ASCII letters, digits, '-' and '_' joined
// by '.': "nginx.requests.total". Batch checks every name; an invalid
// one is a bug in the plugin, which the runtime reports instead of
// printing anything, so that the plugin's own test fails. A dynamic part
// of a name (a disk, a URL, a queue) goes through Segment, which always
// returns a valid segment:
//
//	b.Gauge("disk."+metrics.Segment(dev)+".used", used)
//
// # Graph definitions
//
// Graphs maps a graph key, relative to the prefix, to a Graph: a label, a
// Unit (one of the nine constants the service accepts) and the metrics
// drawn on it. A metric's full name is the prefix, the key and the
// metric's Name joined by '.'. In keys and metric names the wildcard
// segments '#' and '*' match any one segment, for names that are only
// known at run time:
//
//	"disk.#": {Label: "Disk usage", Unit: metrics.Bytes, Metrics: []metrics.Metric{{Name: "used", Label: "Used"}}}
//
// When mackerel-agent sets MACKEREL_AGENT_PLUGIN_META to a non-empty
// value, the plugin prints only what WriteMeta writes: the line
// "# mackerel-agent-plugin" and the definitions as one line of JSON,
// the same on every run.
//
// # Other agents
//
// Format.Write prints the same run for other consumers (the runtime's
// --format): FormatGraphite (carbon plaintext), FormatInflux (line
// protocol; the literal segments of a graph key are the measurement,
// wildcard segments tags), FormatPrometheus (text format 0.0.4; counters
// as their raw totals from Batch.Totals, so no state is needed; wildcard
// segments as labels; names by PrometheusName, which promtool's linter
// accepts) and FormatJSON (every value with its Kind: gauge, rate, or a
// counter's raw total).
//
// # Testing
//
// plugintest.Harness.Values checks a run's output the way the agent
// reads it and, above that, that every printed name belongs to one of
// the plugin's graph definitions and that the definitions are valid:
//
//	h := plugintest.New(t, myplugin.Plugin)
//	v := h.Values(h.Run("--url", url), "--url", url) // map[string]float64
//	h.Advance(time.Minute)                          // the fake clock
//	v = h.Values(h.Run("--url", url), "--url", url) // now with rates
//
// Outside the runtime, Batch.Resolve and Write are the two steps it
// takes, usable on their own.
package metrics
