package metrics_test

import (
	"fmt"
	"os"
	"time"

	"github.com/teko-dev/teko/metrics"
)

// A plugin records gauges and counters in a Batch; the runtime resolves
// counters against the previous run and writes the lines. Here both
// steps are spelled out, with the previous run one minute earlier.
func ExampleBatch() {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

	b := metrics.NewBatch()
	b.Gauge("connections.active", 12)
	b.Counter("requests.total", 81234) // a running total, printed as a rate

	prev := metrics.Memory{Counters: map[string]metrics.Sample{
		"requests.total": {Value: 80994, Time: now.Add(-time.Minute).UnixNano()},
	}}
	values, next, notes := b.Resolve(prev, now, metrics.Rates{}) // per minute
	if _, err := metrics.Write(os.Stdout, "nginx", values, now); err != nil {
		fmt.Println(err)
	}
	fmt.Println(len(notes), "notes; kept for the next run:", next.Counters["requests.total"].Value)
	// Output:
	// nginx.connections.active	12	1795478400
	// nginx.requests.total	240	1795478400
	// 0 notes; kept for the next run: 81234
}

// Rates per second suit a graph in bytes/sec; a Collector selects them
// by implementing plugin.RateSetter.
func ExampleRates() {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	b := metrics.NewBatch()
	b.Counter("eth0.rx_bytes", 6_000_000)
	prev := metrics.Memory{Counters: map[string]metrics.Sample{
		"eth0.rx_bytes": {Value: 0, Time: now.Add(-time.Minute).UnixNano()},
	}}
	values, _, _ := b.Resolve(prev, now, metrics.Rates{Per: time.Second})
	fmt.Println(values)
	// Output: [{eth0.rx_bytes 100000}]
}

// A 32-bit counter that passed 2^32-1 since the previous run is read as
// one wrap; a plain Counter would skip it as a restart.
func ExampleBatch_WrappingCounter() {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	prev := metrics.Memory{Counters: map[string]metrics.Sample{
		"if.in_octets":    {Value: 4294967000, Time: now.Add(-time.Minute).UnixNano()},
		"if.restarted":    {Value: 2000000000, Time: now.Add(-time.Minute).UnixNano()},
		"if.plain_octets": {Value: 4294967000, Time: now.Add(-time.Minute).UnixNano()},
	}}
	b := metrics.NewBatch()
	b.WrappingCounter("if.in_octets", 704, 32) // 296 to the top, then 0 to 704
	b.WrappingCounter("if.restarted", 5, 32)   // as a wrap, more than half the range: a restart
	b.Counter("if.plain_octets", 704)
	values, _, notes := b.Resolve(prev, now, metrics.Rates{})
	fmt.Println(values)
	fmt.Println(len(notes), "skipped")
	// Output:
	// [{if.in_octets 1000}]
	// 2 skipped
}

// WriteMeta prints the graph definitions that mackerel-agent asks for
// once at start. The wildcard segments "#" and "*" match any one segment
// of a printed name: "app.disk.sda.read", "app.queue.mail".
func ExampleWriteMeta() {
	graphs := metrics.Graphs{
		"disk.#": {Label: "Disk I/O", Unit: metrics.BytesPerSec, Metrics: []metrics.Metric{
			{Name: "read", Label: "Read"},
			{Name: "write", Label: "Write", Stacked: true},
		}},
		"queue": {Label: "Queue length", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "*", Label: "length"},
		}},
	}
	if err := metrics.WriteMeta(os.Stdout, "app", graphs); err != nil {
		fmt.Println(err)
	}
	// Output:
	// # mackerel-agent-plugin
	// {"graphs":{"app.disk.#":{"label":"Disk I/O","unit":"bytes/sec","metrics":[{"name":"read","label":"Read","stacked":false},{"name":"write","label":"Write","stacked":true}]},"app.queue":{"label":"Queue length","unit":"integer","metrics":[{"name":"*","label":"length","stacked":false}]}}}
}

// Graphs.Validate catches what the service would reject, such as a unit
// it does not know.
func ExampleGraphs_Validate() {
	g := metrics.Graphs{"temp": {Label: "Temperature", Unit: "celsius", Metrics: []metrics.Metric{{Name: "cpu"}}}}
	fmt.Println(g.Validate())
	// Output: graph "temp": unit "celsius" is not one the service accepts
}

// Segment makes a dynamic part of a name safe; the rest of the name is
// fixed text, which ValidateName (through the Batch) checks.
func ExampleSegment() {
	for _, dev := range []string{"sda1", "/dev/mapper/vg0-root", "https://example.com/status", ""} {
		fmt.Println("disk." + metrics.Segment(dev) + ".read")
	}
	// Output:
	// disk.sda1.read
	// disk._dev_mapper_vg0-root.read
	// disk.https___example_com_status.read
	// disk._.read
}

func ExampleValidateName() {
	fmt.Println(metrics.ValidateName("nginx.requests"))
	fmt.Println(metrics.ValidateName("nginx..requests"))
	// Output:
	// <nil>
	// name "nginx..requests" has an empty segment (a leading, trailing or doubled '.')
}

// FormatValue prints the exact value, as short as possible, never with
// an exponent.
func ExampleFormatValue() {
	for _, v := range []float64{42, 0.0000001, 1234567.5, 100.0 / 3, 1e21} {
		fmt.Println(metrics.FormatValue(v))
	}
	// Output:
	// 42
	// 0.0000001
	// 1234567.5
	// 33.333333333333336
	// 1000000000000000000000
}
