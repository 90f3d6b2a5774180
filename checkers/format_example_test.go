package checkers_test

import (
	"fmt"
	"os"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/metrics"
)

// A check's result for Prometheus (node_exporter's textfile collector)
// and as metric lines: the status as a gauge, each perfdata value in its
// base unit.
func ExampleResult_Write() {
	res := checkers.NewResult(checkers.Warning, "slow answer")
	res.AddPerfdata(checkers.Perfdata{Label: "time", Value: 1500, UOM: "ms"})
	out := checkers.Output{Format: checkers.FormatPrometheus, Check: "check-http", Instance: "web1"}
	if err := res.Write(os.Stdout, out); err != nil {
		fmt.Println(err)
	}
	out = checkers.Output{Format: checkers.FormatMetrics, Check: "check-http", Now: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}
	if err := res.Write(os.Stdout, out); err != nil {
		fmt.Println(err)
	}
	// Output:
	// # HELP teko_check_status Status of the last run of a teko check plugin: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
	// # TYPE teko_check_status gauge
	// teko_check_status{check="check-http",instance="web1"} 1
	// # HELP teko_check_time_seconds Perfdata "time_seconds" of a teko check plugin (label check names the plugin).
	// # TYPE teko_check_time_seconds gauge
	// teko_check_time_seconds{check="check-http",instance="web1"} 1.5
	// check.http.time	1500	1795478400
}

// The graph definitions a check in --format metrics prints when
// mackerel-agent asks for them.
func ExampleResult_Metrics() {
	res := checkers.NewResult(checkers.OK, "fine")
	res.AddPerfdata(checkers.Perfdata{Label: "time", Value: 12, UOM: "ms"}, checkers.Perfdata{Label: "size", Value: 2, UOM: "KB"})
	prefix, values, graphs := res.Metrics("check-http", "HTTP")
	fmt.Println(prefix, values)
	if err := metrics.WriteMeta(os.Stdout, prefix, graphs); err != nil {
		fmt.Println(err)
	}
	// Output:
	// check [{http.time 12} {http.size 2048}]
	// # mackerel-agent-plugin
	// {"graphs":{"check.http":{"label":"HTTP (check-http)","unit":"float","metrics":[{"name":"time","label":"time","stacked":false},{"name":"size","label":"size","stacked":false}]}}}
}
