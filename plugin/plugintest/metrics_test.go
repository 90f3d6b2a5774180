package plugintest_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// gauges is a metric plugin whose graph definitions can be broken from
// the command line.
type gauges struct {
	Unit     string `long:"unit" default:"float" description:"unit of the graph"`
	NoGraphs bool   `long:"no-graphs" description:"define no graph at all"`
}

func (o *gauges) Prefix() string { return "g" }

func (o *gauges) Graphs() metrics.Graphs {
	if o.NoGraphs {
		return metrics.Graphs{}
	}
	return metrics.Graphs{
		"temp":   {Label: "Temperature", Unit: metrics.Unit(o.Unit), Metrics: []metrics.Metric{{Name: "cpu", Label: "CPU"}}},
		"disk.#": {Label: "Disk", Unit: metrics.Bytes, Metrics: []metrics.Metric{{Name: "used", Label: "Used"}}},
	}
}

func (o *gauges) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	b.Gauge("temp.cpu", 41.5)
	b.Gauge("disk."+metrics.Segment("/dev/sda1")+".used", 1e9)
	return nil
}

var gaugesPlugin = &plugin.Plugin{Name: "metrics-gauges", Description: "two gauges", New: func() any { return &gauges{} }}

// recorder is a testing.TB that records failures instead of failing the
// real test; Fatalf ends the calling goroutine, as the real one does.
type recorder struct {
	testing.TB // the real test, for TempDir and Cleanup

	mu       sync.Mutex
	failures []string
	fatal    bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
	r.fatal = true
	r.mu.Unlock()
	runtime.Goexit()
}

// values calls h.Values(res, args...) on a recorder-backed harness and
// returns what it returned and what it reported.
func values(t *testing.T, res func(h *plugintest.Harness) plugintest.Result, args ...string) (map[string]float64, *recorder) {
	rec := &recorder{TB: t}
	h := plugintest.New(rec, gaugesPlugin)
	var got map[string]float64
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = h.Values(res(h), args...)
	}()
	<-done
	return got, rec
}

func TestValuesAcceptsAGoodRun(t *testing.T) {
	got, rec := values(t, func(h *plugintest.Harness) plugintest.Result { return h.Run() })
	assert.Empty(t, rec.failures)
	assert.Equal(t, map[string]float64{"g.temp.cpu": 41.5, "g.disk._dev_sda1.used": 1e9}, got)

	got, rec = values(t, func(h *plugintest.Harness) plugintest.Result {
		return h.Run("--metric-key-prefix", "host1.g")
	}, "--metric-key-prefix", "host1.g")
	assert.Empty(t, rec.failures, "the meta run takes the same args")
	assert.Contains(t, got, "host1.g.temp.cpu")
}

// output returns a result that printed stdout and exited 0.
func output(stdout string) func(*plugintest.Harness) plugintest.Result {
	return func(*plugintest.Harness) plugintest.Result { return plugintest.Result{Stdout: stdout} }
}

func TestValuesFailsOnBadOutput(t *testing.T) {
	epoch := fmt.Sprint(plugintest.Start.Unix())
	line := func(name, value string) string { return name + "\t" + value + "\t" + epoch + "\n" }
	for want, stdout := range map[string]string{
		"want name<TAB>value<TAB>epoch":                         "g.temp.cpu 41.5 " + epoch + "\n",
		"want name<TAB>value<TAB>epoch ":                        "g.temp.cpu\t41.5\n",
		`value "1e-07" is not written exactly and shortest`:     line("g.temp.cpu", "1e-07"),
		`value "42.000000" is not written exactly and shortest`: line("g.temp.cpu", "42.000000"),
		`value "+1" is not written exactly and shortest`:        line("g.temp.cpu", "+1"),
		`value "NaN" is not a finite number`:                    line("g.temp.cpu", "NaN"),
		`value "-Inf" is not a finite number`:                   line("g.temp.cpu", "-Inf"),
		`value "" is not a finite number`:                       line("g.temp.cpu", ""),
		"epoch 1795478399, want the clock's 1795478400":         "g.temp.cpu\t1\t1795478399\n",
		"has an empty segment":                                  line("g..temp.cpu", "1"),
		"character ' ' is not allowed":                          line("g.temp.cpu x", "1"),
		"name printed twice":                                    line("g.temp.cpu", "1") + line("g.temp.cpu", "2"),
		"no graph definition covers g.temp.gpu":                 line("g.temp.gpu", "1"),
		"no graph definition covers g.disk.a.b.used":            line("g.disk.a.b.used", "1"),
		"no graph definition covers other.temp.cpu":             line("other.temp.cpu", "1"),
	} {
		_, rec := values(t, output(stdout))
		if assert.Len(t, rec.failures, 1, "%q", stdout) {
			assert.Contains(t, rec.failures[0], strings.TrimSpace(want), "%q", stdout)
		}
		assert.False(t, rec.fatal, "a bad line is an error; the other lines are still checked")
	}
}

func TestValuesFailsOnAFailedRun(t *testing.T) {
	_, rec := values(t, func(*plugintest.Harness) plugintest.Result {
		return plugintest.Result{Code: 3, Stderr: "metrics-gauges: connection refused\n"}
	})
	assert.True(t, rec.fatal)
	assert.Contains(t, strings.Join(rec.failures, "\n"), "metric run exited 3")
	assert.Contains(t, strings.Join(rec.failures, "\n"), "connection refused")
}

func TestValuesFailsOnBadGraphDefinitions(t *testing.T) {
	for want, args := range map[string][]string{
		`unit "celsius" is not one the service accepts`: {"--unit", "celsius"},
		"meta JSON defines no graph":                    {"--no-graphs"},
	} {
		_, rec := values(t, func(h *plugintest.Harness) plugintest.Result { return h.Run(args...) }, args...)
		assert.True(t, rec.fatal, want)
		assert.Contains(t, strings.Join(rec.failures, "\n"), want)
	}
}

func TestValuesUsesTheHarnessClock(t *testing.T) {
	rec := &recorder{TB: t}
	h := plugintest.New(rec, gaugesPlugin)
	h.Advance(90 * time.Second)
	r := h.Run()
	assert.Contains(t, r.Stdout, fmt.Sprint(plugintest.Start.Unix()+90))
	h.Values(r)
	assert.Empty(t, rec.failures)
}
