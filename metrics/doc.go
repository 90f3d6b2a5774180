// Package metrics is the output side of a metric plugin: the values it
// collected, the graph definitions that describe them to the monitoring
// service, and the counters that must be turned into rates.
//
// A metric plugin fills a Batch on every run:
//
//	b.Gauge("connections.active", 12)      // printed as is
//	b.Counter("requests.requests", 81234)  // a monotonic total: printed as a rate
//
// and describes its graphs once with Graphs. The plugin runtime adds the
// metric key prefix (e.g. "nginx", changed by --metric-key-prefix), turns
// counters into rates against the previous run's values kept in the state
// store, and prints one line per value:
//
//	nginx.requests.requests	240	1795862400
//
// # Counters
//
// A counter is kept as an exact uint64 (never through float64) and turned
// into a rate per minute (the Mackerel convention) or per second. A
// counter is not printed when there is no usable previous value: on the
// first run, when the previous run was less than a second ago, when the
// clock went backwards, when the previous value is older than
// Rates.MaxAge, and when the value went down (the server restarted) —
// unless the counter was declared to wrap at 32 or 64 bits. A skipped
// counter is never printed as 0 or as a spike. Gauges are always printed.
//
// # Names
//
// Names are segments of letters, digits, '-' and '_' joined by '.'.
// Graph definitions may use the wildcard segments '#' and '*' for dynamic
// parts; Segment turns a dynamic string (a disk name, a URL) into a valid
// segment.
//
// # Meta
//
// When mackerel-agent sets MACKEREL_AGENT_PLUGIN_META to a non-empty
// value, WriteMeta prints the header "# mackerel-agent-plugin" and the
// graph definitions as one line of JSON, and nothing else.
package metrics
