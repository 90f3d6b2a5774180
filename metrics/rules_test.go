package metrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// tiny is the smallest metric plugin that exercises every counter rule:
// a gauge and a counter whose values come from the command line, so a
// test can play a source's history against the harness's fake clock.
type tiny struct {
	Gauge     float64       `long:"gauge" default:"1.5" statekey:"-" description:"the gauge's value"`
	Total     uint64        `long:"total" statekey:"-" description:"the counter's total"`
	Wrap      int           `long:"wrap" statekey:"-" description:"record the counter as wrapping at 32 or 64 bits"`
	PerSecond bool          `long:"per-second" statekey:"-" description:"rates per second instead of per minute"`
	MaxAge    time.Duration `long:"max-age" statekey:"-" description:"staleness limit"`
}

func (o *tiny) Prefix() string { return "tiny" }

func (o *tiny) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"gauge": {Label: "Gauge", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "value", Label: "value"}}},
		"total": {Label: "Total", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "rate", Label: "rate"}}},
	}
}

func (o *tiny) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	b.Gauge("gauge.value", o.Gauge)
	if o.Wrap != 0 {
		b.WrappingCounter("total.rate", o.Total, o.Wrap)
	} else {
		b.Counter("total.rate", o.Total)
	}
	return nil
}

func (o *tiny) Rates() metrics.Rates {
	r := metrics.Rates{MaxAge: o.MaxAge}
	if o.PerSecond {
		r.Per = time.Second
	}
	return r
}

var tinyPlugin = &plugin.Plugin{Name: "metrics-tiny", Description: "a gauge and a counter", New: func() any { return &tiny{} }}

// run runs the tiny plugin with the counter at total and returns what it
// printed (checked by Harness.Values) and its stderr.
func run(h *plugintest.Harness, total string, args ...string) (map[string]float64, string) {
	h.T.Helper()
	args = append([]string{"--total", total}, args...)
	r := h.Run(args...)
	return h.Values(r, args...), r.Stderr
}

var gaugeOnly = map[string]float64{"tiny.gauge.value": 1.5}

func withRate(rate float64) map[string]float64 {
	return map[string]float64{"tiny.gauge.value": 1.5, "tiny.total.rate": rate}
}

func TestFirstRunPrintsGaugesOnly(t *testing.T) {
	h := plugintest.New(t, tinyPlugin)
	v, stderr := run(h, "100")
	assert.Equal(t, gaugeOnly, v)
	assert.Empty(t, stderr, "a first run is normal, not worth a note")
}

func TestRatePerMinuteByDefault(t *testing.T) {
	h := plugintest.New(t, tinyPlugin)
	run(h, "100")
	h.Advance(30 * time.Second)
	v, stderr := run(h, "200")
	assert.Equal(t, withRate(200), v, "100 in 30 s is 200 a minute")
	assert.Empty(t, stderr)
}

func TestRatePerSecondSelectable(t *testing.T) {
	h := plugintest.New(t, tinyPlugin)
	run(h, "100", "--per-second")
	h.Advance(30 * time.Second)
	v, _ := run(h, "200", "--per-second")
	assert.Equal(t, withRate(100.0/30), v)
}

func TestCountersAreExactIntegers(t *testing.T) {
	// Through float64 both totals would read 18446744073709549568 or
	// 18446744073709551616, and the rate would be 0 or 2048.
	h := plugintest.New(t, tinyPlugin)
	run(h, "18446744073709551000")
	h.Advance(time.Minute)
	v, _ := run(h, "18446744073709551615")
	assert.Equal(t, withRate(615), v)
}

func TestSecondRunWithinOneSecond(t *testing.T) {
	h := plugintest.New(t, tinyPlugin)
	run(h, "100")
	h.Advance(500 * time.Millisecond)
	v, stderr := run(h, "150")
	assert.Equal(t, gaugeOnly, v, "gauges still printed, the counter skipped")
	assert.Empty(t, stderr)

	h.Advance(59500 * time.Millisecond)
	v, _ = run(h, "160")
	assert.Equal(t, withRate(60), v, "measured from the first run's sample, a full minute back")
}

func TestCounterWentDown(t *testing.T) {
	h := plugintest.New(t, tinyPlugin)
	run(h, "1000")
	h.Advance(time.Minute)
	v, stderr := run(h, "10")
	assert.Equal(t, gaugeOnly, v, "never 0, never a spike")
	assert.Equal(t, "metrics-tiny: total.rate: counter went down from 1000 to 10 (a restart); rate skipped\n", stderr)

	h.Advance(time.Minute)
	v, _ = run(h, "70")
	assert.Equal(t, withRate(60), v, "the next run measures from the restart")
}

func TestWrappingCounters(t *testing.T) {
	for _, tt := range []struct {
		bits, before, after string
		want                map[string]float64
	}{
		{"32", "4294967290", "4", withRate(10)},
		{"64", "18446744073709551610", "4", withRate(10)},
		{"32", "1000", "5", gaugeOnly}, // a drop of more than half the range is a restart
		{"64", "1000", "5", gaugeOnly},
	} {
		h := plugintest.New(t, tinyPlugin)
		run(h, tt.before, "--wrap", tt.bits)
		h.Advance(time.Minute)
		v, stderr := run(h, tt.after, "--wrap", tt.bits)
		assert.Equal(t, tt.want, v, "%s bits, %s → %s", tt.bits, tt.before, tt.after)
		assert.Equal(t, len(tt.want) == 1, strings.Contains(stderr, "counter went down"), stderr)
	}
}

func TestClockWentBackwards(t *testing.T) {
	h := plugintest.New(t, tinyPlugin)
	run(h, "100")
	h.Advance(-time.Hour)
	v, stderr := run(h, "200")
	assert.Equal(t, gaugeOnly, v, "like a first run: gauges printed")
	assert.Equal(t, "metrics-tiny: total.rate: the clock went back 1h0m0s since the previous run; rate skipped\n", stderr)

	h.Advance(time.Minute)
	v, _ = run(h, "260")
	assert.Equal(t, withRate(60), v, "rates resume from the run after the step")
}

func TestStalePreviousValue(t *testing.T) {
	h := plugintest.New(t, tinyPlugin)
	run(h, "100")
	h.Advance(10*time.Minute + time.Second)
	v, stderr := run(h, "200")
	assert.Equal(t, gaugeOnly, v)
	assert.Equal(t, "metrics-tiny: total.rate: the previous value is 10m1s old (limit 10m0s); rate skipped\n", stderr)

	h.Advance(10 * time.Minute)
	v, _ = run(h, "300")
	assert.Equal(t, withRate(10), v, "exactly at the limit still counts")

	h.Advance(20 * time.Minute)
	v, _ = run(h, "500", "--max-age", "30m")
	assert.Equal(t, withRate(10), v, "a plugin may allow a longer gap")
}

func TestPrefixSeparatesInstances(t *testing.T) {
	h := plugintest.New(t, tinyPlugin)
	run(h, "100", "--metric-key-prefix", "web1")
	run(h, "1000", "--metric-key-prefix", "web2")
	h.Advance(time.Minute)
	v1, _ := run(h, "160", "--metric-key-prefix", "web1")
	v2, _ := run(h, "1600", "--metric-key-prefix", "web2")
	assert.Equal(t, map[string]float64{"web1.gauge.value": 1.5, "web1.total.rate": 60}, v1)
	assert.Equal(t, map[string]float64{"web2.gauge.value": 1.5, "web2.total.rate": 600}, v2, "neither names nor state collide")

	r := h.Meta("--metric-key-prefix", "web1.nginx")
	assert.Contains(t, r.Stdout, `"web1.nginx.total":`)

	v, _ := run(h, "5", "--metric-key-prefix", "")
	assert.Equal(t, map[string]float64{"gauge.value": 1.5}, v, "an empty prefix adds nothing, and has its own state")
}

func TestBadPrefixIsUnknown(t *testing.T) {
	h := plugintest.New(t, tinyPlugin)
	for _, prefix := range []string{"web 1", "web1.", "a/b", "#"} {
		r := h.Run("--metric-key-prefix", prefix)
		assert.Equal(t, 3, r.Code, prefix)
		assert.Contains(t, r.Stdout, "metrics-tiny UNKNOWN: --metric-key-prefix: name ", prefix)
		assert.NotContains(t, r.Stdout, "\t", "no value printed")
	}
}

func TestNonFiniteValuesAreNotPrinted(t *testing.T) {
	for _, gauge := range []string{"NaN", "+Inf", "-Inf"} {
		h := plugintest.New(t, tinyPlugin)
		args := []string{"--gauge=" + gauge, "--total", "1"}
		r := h.Run(args...)
		assert.Empty(t, h.Values(r, args...))
		assert.Equal(t, "metrics-tiny: tiny.gauge.value: value "+gauge+" not printed (the agent takes finite numbers only)\n", r.Stderr)
	}
}

func TestMetaModePrintsDefinitionsOnly(t *testing.T) {
	h := plugintest.New(t, tinyPlugin)
	r := h.Meta("--total", "5")
	assert.Equal(t, 0, r.Code)
	assert.Equal(t, `# mackerel-agent-plugin
{"graphs":{"tiny.gauge":{"label":"Gauge","unit":"float","metrics":[{"name":"value","label":"value","stacked":false}]},"tiny.total":{"label":"Total","unit":"float","metrics":[{"name":"rate","label":"rate","stacked":false}]}}}
`, r.Stdout)
	assert.Empty(t, r.Stderr)

	h.Env["MACKEREL_AGENT_PLUGIN_META"] = "" // set but empty, as on the agent's normal runs
	v, _ := run(h, "5")
	assert.Equal(t, gaugeOnly, v)
}
