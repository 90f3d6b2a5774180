package metrics_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugins/conformance"
)

var formatEpoch = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) // 1795478400

// cpuGraphs has a wildcard per CPU, a plain graph and a counter graph.
var cpuGraphs = metrics.Graphs{
	"cpu.#":    {Label: "CPU", Unit: metrics.Percentage, Metrics: []metrics.Metric{{Name: "user", Label: "User"}, {Name: "system", Label: "System"}}},
	"load":     {Label: "Load", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "avg1", Label: "1 min"}}},
	"requests": {Label: "Requests", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "served", Label: "Served"}}},
}

// cpuOutput is a second run: the counter has a rate (120 per minute
// from 1000 to 1120) and its raw total.
func cpuOutput(t *testing.T) metrics.Output {
	b := metrics.NewBatch()
	b.Gauge("cpu.cpu0.user", 12.5)
	b.Gauge("cpu.cpu0.system", 3)
	b.Gauge("cpu.cpu1.user", 40)
	b.Gauge("load.avg1", 0.25)
	b.Counter("requests.served", 1120)
	prev := metrics.Memory{Counters: map[string]metrics.Sample{"requests.served": {Value: 1000, Time: formatEpoch.Add(-time.Minute).UnixNano()}}}
	values, _, notes := b.Resolve(prev, formatEpoch, metrics.Rates{})
	require.Empty(t, notes)
	return metrics.Output{Prefix: "sys", Graphs: cpuGraphs, Values: values, Batch: b, Now: formatEpoch}
}

func write(t *testing.T, f metrics.Format, o metrics.Output) string {
	t.Helper()
	var out bytes.Buffer
	unprintable, err := f.Write(&out, o)
	require.NoError(t, err)
	require.Empty(t, unprintable)
	return out.String()
}

func TestFormatsCarryTheSameValues(t *testing.T) {
	o := cpuOutput(t)
	mackerel := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(write(t, metrics.FormatMackerel, o)), "\n") {
		var name string
		var v float64
		var at int64
		_, err := fmt.Sscanf(strings.ReplaceAll(line, "\t", " "), "%s %g %d", &name, &v, &at)
		require.NoError(t, err)
		mackerel[name] = v
	}
	require.Equal(t, map[string]float64{"sys.cpu.cpu0.user": 12.5, "sys.cpu.cpu0.system": 3, "sys.cpu.cpu1.user": 40, "sys.load.avg1": 0.25, "sys.requests.served": 120}, mackerel)

	graphite, err := conformance.ValidateGraphite(write(t, metrics.FormatGraphite, o), formatEpoch.Unix())
	require.NoError(t, err)
	assert.Equal(t, mackerel, graphite)

	points, err := conformance.ValidateInflux(write(t, metrics.FormatInflux, o), formatEpoch.Unix())
	require.NoError(t, err)
	influx := map[string]float64{}
	for _, p := range points {
		for f, v := range p.Fields {
			name := p.Measurement + "." + f
			if cpu, ok := p.Tags["cpu"]; ok {
				name = strings.Replace(p.Measurement, "cpu", "cpu."+cpu, 1) + "." + f
			}
			influx[name] = v
		}
	}
	assert.Equal(t, mackerel, influx)

	vals, err := conformance.ValidateMetricJSON(write(t, metrics.FormatJSON, o), formatEpoch.Unix())
	require.NoError(t, err)
	js := map[string]float64{}
	for _, v := range vals {
		switch v.Kind {
		case "counter":
			assert.Equal(t, "sys.requests.served", v.Name)
			assert.Equal(t, 1120.0, v.Value, "the raw total")
		case "rate":
			assert.Equal(t, "sys.requests.served", v.Name)
			js[v.Name] = v.Value
		default:
			assert.Equal(t, "gauge", v.Kind)
			js[v.Name] = v.Value
		}
	}
	assert.Equal(t, mackerel, js)

	fams, err := conformance.ValidatePrometheus(write(t, metrics.FormatPrometheus, o))
	require.NoError(t, err)
	require.Contains(t, fams, "sys_cpu_user")
	assert.Equal(t, "gauge", fams["sys_cpu_user"].Type)
	assert.Equal(t, "CPU: User (sys.cpu.#.user)", fams["sys_cpu_user"].Help)
	assert.ElementsMatch(t, []conformance.PromSample{
		{Labels: map[string]string{"cpu": "cpu0"}, Value: 12.5},
		{Labels: map[string]string{"cpu": "cpu1"}, Value: 40},
	}, fams["sys_cpu_user"].Samples)
	require.Contains(t, fams, "sys_requests_served_total")
	assert.Equal(t, "counter", fams["sys_requests_served_total"].Type)
	assert.Equal(t, []conformance.PromSample{{Labels: map[string]string{}, Value: 1120}}, fams["sys_requests_served_total"].Samples, "the raw total, not the rate")
	assert.NotContains(t, fams, "sys_requests_served", "no gauge for the rate")
}

func TestInfluxGroupsFieldsByMeasurementAndTags(t *testing.T) {
	assert.Equal(t, "sys.cpu,cpu=cpu0 system=3,user=12.5 1795478400\n"+
		"sys.cpu,cpu=cpu1 user=40 1795478400\n"+
		"sys.load avg1=0.25 1795478400\n"+
		"sys.requests served=120 1795478400\n", write(t, metrics.FormatInflux, cpuOutput(t)))
}

func TestPrometheusNeedsNoPreviousRun(t *testing.T) {
	b := metrics.NewBatch()
	b.Counter("requests.served", 1<<60+1) // beyond float64's exact integers
	values, _, _ := b.Resolve(metrics.Memory{}, formatEpoch, metrics.Rates{})
	assert.Empty(t, values, "no rate on a first run")
	assert.False(t, metrics.FormatPrometheus.NeedsRates())
	out := write(t, metrics.FormatPrometheus, metrics.Output{Prefix: "sys", Graphs: cpuGraphs, Values: values, Batch: b, Now: formatEpoch})
	assert.Contains(t, out, "\nsys_requests_served_total 1152921504606846977\n", "the total, exactly")
}

// A ConvertedCounter's running total is printed in the graph's unit:
// CPU microseconds as seconds (memcached's rusage), JVM clock ticks as
// seconds. Before, prometheus and json printed the raw microseconds under
// a name whose HELP says seconds: rate() was 1e6 off. A ScaledCounter
// whose scale changes the time base (per minute to per second, as
// metrics-mysql's) keeps its total as recorded.
func TestConvertedCounterTotalsInTheGraphsUnit(t *testing.T) {
	b := metrics.NewBatch()
	b.ConvertedCounter("rusage.user", 56_649, 1e-6, 1e-6)
	b.ConvertedCounter("gc.time", 135_818_058, 100/1e9/60, 1/1e9)
	b.ScaledCounter("queries.select", 600, 1.0/60)
	b.Counter("requests.served", 7)
	values, memory, _ := b.Resolve(metrics.Memory{}, formatEpoch, metrics.Rates{})
	o := metrics.Output{Prefix: "app", Values: values, Batch: b, Now: formatEpoch}
	prom := write(t, metrics.FormatPrometheus, o)
	assert.Contains(t, prom, "\napp_rusage_user_total 0.056649\n")
	assert.Contains(t, prom, "\napp_gc_time_total 0.135818058\n")
	assert.Contains(t, prom, "\napp_queries_select_total 600\n", "a time-base scale is not a unit")
	assert.Contains(t, prom, "\napp_requests_served_total 7\n", "an unscaled total stays the exact integer")
	js := write(t, metrics.FormatJSON, o)
	assert.Contains(t, js, `{"name":"app.rusage.user","value":0.056649,"kind":"counter",`)
	assert.Contains(t, js, `{"name":"app.requests.served","value":7,"kind":"counter",`)
	assert.Equal(t, []metrics.Total{{Name: "gc.time", Value: 135_818_058}, {Name: "queries.select", Value: 600}, {Name: "requests.served", Value: 7}, {Name: "rusage.user", Value: 56_649}}, b.Totals(), "Totals stay as recorded")

	// the rate is scaled as ScaledCounter's
	b = metrics.NewBatch()
	b.ConvertedCounter("rusage.user", 56_649+450_000, 1e-6, 1e-6)
	b.ConvertedCounter("gc.time", 135_818_058+6e9, 100/1e9/60, 1/1e9) // 6 s of a minute
	values, _, _ = b.Resolve(memory, formatEpoch.Add(time.Minute), metrics.Rates{})
	got := map[string]float64{}
	for _, v := range values {
		got[v.Name] = v.Value
	}
	assert.InDelta(t, 0.45, got["rusage.user"], 1e-9)
	assert.InDelta(t, 10, got["gc.time"], 1e-9, "percent of the minute")

	for _, bad := range []float64{0, -1, math.Inf(1), math.NaN()} {
		b := metrics.NewBatch()
		b.ConvertedCounter("x", 1, 1, bad)
		assert.Error(t, b.Err(), "unit %v", bad)
	}
}

func TestPrometheusName(t *testing.T) {
	for _, c := range []struct {
		name string
		kind metrics.Kind
		want string
	}{
		{"nginx.requests.accepts", metrics.KindGauge, "nginx_requests_accepts"},
		{"nginx.requests.accepts", metrics.KindCounter, "nginx_requests_accepts_total"},
		{"x.requests_total", metrics.KindCounter, "x_requests_total"},
		{"php-fpm.processes.active", metrics.KindGauge, "php_fpm_processes_active"},
		{"redis.keys.keysDb0", metrics.KindGauge, "redis_keys_keys_db0"},
		{"linux.ss.ESTAB", metrics.KindGauge, "linux_ss_estab"},
		{"accesslog.latency.reqtime_ms", metrics.KindGauge, "accesslog_latency_reqtimems"},
		{"memory.total", metrics.KindGauge, "memorytotal"},
		{"accesslog.access_num.total_count", metrics.KindGauge, "accesslog_access_num_totalcount"},
		{"accesslog.access_num.total_count", metrics.KindCounter, "accesslog_access_num_total_count_total"},
		{"app.gauge.value", metrics.KindGauge, "appgauge_value"},
		{"disk.read.kilobytes", metrics.KindGauge, "disk_read_kilobyte"},
		{"cert.days", metrics.KindGauge, "cert_day"},
		{"temp.fahrenheit", metrics.KindGauge, "tempfahrenheit"},
		{"latency.summary", metrics.KindGauge, "latencysummary"},
		{"s.x", metrics.KindGauge, "sx"},
		{"1m.load", metrics.KindGauge, "_1m_load"},
		{"a-.x", metrics.KindGauge, "a_x"},
		{"kilobytes", metrics.KindCounter, "kilobyte_total"},
		{"ms", metrics.KindCounter, "tekoms_total"},
		{"total", metrics.KindGauge, "tekototal"},
		{"total", metrics.KindCounter, "total_total"},
	} {
		assert.Equal(t, c.want, metrics.PrometheusName(c.name, c.kind), "%s %s", c.name, c.kind)
	}
}

// Whatever the names, the prometheus output passes promtool's linter
// (as the conformance package reads it).
func TestPrometheusOutputAlwaysLints(t *testing.T) {
	words := []string{"s", "ms", "total", "count", "sum", "bucket", "gauge", "counter", "summary", "histogram", "milliseconds", "kilobytes", "kibibytes", "seconds", "days", "bits", "fahrenheit", "inches", "Req", "reqTime", "x", "d", "le", "1m", "a-b", "_"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		var segs []string
		for n := 1 + r.IntN(4); n > 0; n-- {
			w := words[r.IntN(len(words))]
			if r.IntN(3) == 0 {
				w += "_" + words[r.IntN(len(words))]
			}
			segs = append(segs, w)
		}
		name := strings.Join(segs, ".")
		require.NoError(t, metrics.ValidateName(name), name)
		b := metrics.NewBatch()
		if r.IntN(2) == 0 {
			b.Counter(name, 5)
		} else {
			b.Gauge(name, 5)
		}
		values, _, _ := b.Resolve(metrics.Memory{}, formatEpoch, metrics.Rates{})
		out := write(t, metrics.FormatPrometheus, metrics.Output{Values: values, Batch: b, Now: formatEpoch})
		_, err := conformance.ValidatePrometheus(out)
		require.NoError(t, err, "%s:\n%s", name, out)
	}
}

func TestWildcardLabels(t *testing.T) {
	g := metrics.Graphs{
		"disk.#.#":    {Label: "IO", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "reads", Label: "Reads"}}},
		"le.#":        {Label: "Reserved", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "*", Label: "x"}}},
		"instance.#":  {Label: "Target label", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "v", Label: "v"}}},
		"key.#.key.#": {Label: "Keys", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "v", Label: "v"}}},
	}
	b := metrics.NewBatch()
	b.Gauge("disk.sda.part1.reads", 1)
	b.Gauge("le.a.b", 2)
	b.Gauge("instance.web1.v", 3)
	b.Gauge("key.a.key.b.v", 4)
	values, _, _ := b.Resolve(metrics.Memory{}, formatEpoch, metrics.Rates{})
	out := write(t, metrics.FormatPrometheus, metrics.Output{Graphs: g, Values: values, Batch: b, Now: formatEpoch})
	_, err := conformance.ValidatePrometheus(out)
	require.NoError(t, err, out)
	assert.Contains(t, out, `disk_reads{disk="sda",key="part1"} 1`)
	assert.Contains(t, out, `le{key="a",key2="b"} 2`)
	assert.Contains(t, out, `instance_v{key="web1"} 3`)
	assert.Contains(t, out, `key_key_v{key="a",key2="b"} 4`)
}

func TestFormatsLeaveOutNaN(t *testing.T) {
	for _, f := range metrics.Formats {
		var out bytes.Buffer
		unprintable, err := f.Write(&out, metrics.Output{Values: []metrics.Value{{Name: "a.b", Value: math.NaN()}, {Name: "a.c", Value: 1}}, Now: formatEpoch})
		require.NoError(t, err)
		assert.Equal(t, []string{"a.b"}, []string{unprintable[0].Name}, f)
		assert.NotContains(t, out.String(), "NaN", f)
		assert.Contains(t, out.String(), "1", f)
	}
}

func TestFormatFlag(t *testing.T) {
	var f metrics.Format
	require.NoError(t, f.UnmarshalFlag("Prometheus"))
	assert.Equal(t, metrics.FormatPrometheus, f)
	assert.EqualError(t, f.UnmarshalFlag("xml"), `unknown format "xml" (want mackerel, graphite, influx, prometheus or json)`)
	_, err := metrics.Format("xml").Write(&bytes.Buffer{}, metrics.Output{})
	assert.Error(t, err)
	_, err = metrics.FormatJSON.Write(&bytes.Buffer{}, metrics.Output{Prefix: "bad prefix"})
	assert.Error(t, err)
}

// The same run in the formats other agents read: wildcard segments
// become influx tags and Prometheus labels, and Prometheus gets the
// counter's raw total instead of its rate.
func ExampleFormat_Write() {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	graphs := metrics.Graphs{
		"disk.#":   {Label: "Disk", Unit: metrics.Bytes, Metrics: []metrics.Metric{{Name: "used", Label: "Used"}}},
		"requests": {Label: "Requests", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "served", Label: "Served"}}},
	}
	b := metrics.NewBatch()
	b.Gauge("disk.sda.used", 2048)
	b.Counter("requests.served", 81234)
	prev := metrics.Memory{Counters: map[string]metrics.Sample{"requests.served": {Value: 80994, Time: now.Add(-time.Minute).UnixNano()}}}
	values, _, _ := b.Resolve(prev, now, metrics.Rates{})
	out := metrics.Output{Prefix: "app", Graphs: graphs, Values: values, Batch: b, Now: now}
	for _, f := range []metrics.Format{metrics.FormatGraphite, metrics.FormatInflux, metrics.FormatPrometheus} {
		if _, err := f.Write(os.Stdout, out); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// app.disk.sda.used 2048 1795478400
	// app.requests.served 240 1795478400
	// app.disk,disk=sda used=2048 1795478400
	// app.requests served=240 1795478400
	// # HELP app_disk_used Disk: Used (app.disk.#.used)
	// # TYPE app_disk_used gauge
	// app_disk_used{disk="sda"} 2048
	// # HELP app_requests_served_total Requests: Served (app.requests.served, running total)
	// # TYPE app_requests_served_total counter
	// app_requests_served_total 81234
}

func TestPrometheusEscapes(t *testing.T) {
	assert.Equal(t, `a="x\\y\n\"z\""`, metrics.PrometheusLabel("a", "x\\y\n\"z\""))
	assert.Equal(t, "a=\"b\uFFFDc\"", metrics.PrometheusLabel("a", "b\xffc"), "valid UTF-8, as the text format requires")
	var b strings.Builder
	metrics.WritePrometheusFamily(&b, "a", "gauge", "back\\slash\nand \"quotes\"")
	assert.Equal(t, "# HELP a back\\\\slash\\nand \"quotes\"\n# TYPE a gauge\n", b.String())
}

func ExamplePrometheusName() {
	fmt.Println(metrics.PrometheusName("nginx.requests.accepts", metrics.KindCounter))
	fmt.Println(metrics.PrometheusName("redis.keys.keysDb0", metrics.KindGauge))
	fmt.Println(metrics.PrometheusName("cert.days", metrics.KindGauge))
	fmt.Println(metrics.PrometheusName("accesslog.latency.reqtime_ms", metrics.KindGauge))
	// Output:
	// nginx_requests_accepts_total
	// redis_keys_keys_db0
	// cert_day
	// accesslog_latency_reqtimems
}

// Two names that read the same in Prometheus (mackerel-plugin-apache2's
// "score-" and "score-_") both keep their values: the later one gets a
// suffix made from its own name, the same on every run.
func TestPrometheusNamesThatCollideKeepEveryValue(t *testing.T) {
	graphs := metrics.Graphs{"scoreboard": {Label: "Scoreboard", Unit: metrics.Integer, Metrics: []metrics.Metric{
		{Name: "score-", Label: "Open slot"}, {Name: "score-_", Label: "Waiting"},
	}}}
	values := []metrics.Value{{Name: "scoreboard.score-", Value: 4}, {Name: "scoreboard.score-_", Value: 3}}
	out := write(t, metrics.FormatPrometheus, metrics.Output{Prefix: "apache2", Graphs: graphs, Values: values, Now: formatEpoch})
	assert.Contains(t, out, "\napache2_scoreboard_score 4\n")
	assert.Regexp(t, `\napache2_scoreboard_score_[0-9a-f]{8} 3\n`, out, "the second value is not dropped")
	again := write(t, metrics.FormatPrometheus, metrics.Output{Prefix: "apache2", Graphs: graphs, Values: values, Now: formatEpoch})
	assert.Equal(t, out, again)
	_, err := conformance.ValidatePrometheus(out)
	assert.NoError(t, err)
}
