package checkers

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/metrics"
)

func TestPrometheusPerfdataName(t *testing.T) {
	for _, c := range []struct {
		p      Perfdata
		name   string
		factor float64
	}{
		{Perfdata{Label: "time", UOM: "ms"}, "teko_check_time_seconds", 1e-3},
		{Perfdata{Label: "time", UOM: "us"}, "teko_check_time_seconds", 1e-6},
		{Perfdata{Label: "uptime_seconds", UOM: "s"}, "teko_check_uptime_seconds", 1},
		{Perfdata{Label: "/var used", UOM: "MB"}, "teko_check_var_used_bytes", 1 << 20},
		{Perfdata{Label: "load", UOM: "%"}, "teko_check_load_percent", 1},
		{Perfdata{Label: "status"}, "teko_check_status_perfdata", 1},
		{Perfdata{Label: "errors", UOM: "c"}, "teko_check_errors", 1},
		{Perfdata{Label: "open.count"}, "teko_check_opencount", 1},
	} {
		name, factor := PrometheusPerfdataName(c.p)
		assert.Equal(t, c.name, name, c.p.Label)
		assert.Equal(t, c.factor, factor, c.p.Label)
	}
}

func TestMetricsOfMixedUnits(t *testing.T) {
	r := NewResult(OK, "fine")
	r.AddPerfdata(Perfdata{Label: "size", Value: 2, UOM: "KB"}, Perfdata{Label: "gone", Value: math.NaN()})
	prefix, values, graphs := r.Metrics("check-disk", "DISK")
	assert.Equal(t, "check", prefix)
	assert.Equal(t, []metrics.Value{{Name: "disk.size", Value: 2048}}, values)
	assert.Equal(t, metrics.Graphs{"disk": {Label: "DISK (check-disk)", Unit: metrics.Bytes, Metrics: []metrics.Metric{{Name: "size", Label: "size"}}}}, graphs)

	sub := NewResult(OK, "t")
	sub.AddPerfdata(Perfdata{Label: "time", Value: 1500, UOM: "us"})
	r.Add(sub)
	_, values, graphs = r.Metrics("check-disk", "DISK")
	assert.Equal(t, metrics.Float, graphs["disk"].Unit, "bytes and seconds share no unit")
	assert.Equal(t, metrics.Value{Name: "disk.time", Value: 0.0015}, values[1])
	require.NoError(t, graphs.Validate())

	var out bytes.Buffer
	require.NoError(t, r.Write(&out, Output{Format: FormatMetrics, Check: "check-disk", Now: time.Unix(1795478400, 0)}))
	assert.Equal(t, "check.disk.size\t2048\t1795478400\ncheck.disk.time\t0.0015\t1795478400\n", out.String())
}

func TestPrometheusStatusOutOfRangeIsUnknown(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, (&Result{Status: 7}).Write(&out, Output{Format: FormatPrometheus, Check: "check-x"}))
	assert.Contains(t, out.String(), "teko_check_status{check=\"check-x\"} 3\n")
}
