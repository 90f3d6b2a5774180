package plugin_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// countingCheck counts its runs in its state store and reports the count
// as perfdata: a run that commits state advances it.
type countingCheck struct {
	Own string `long:"format" description:"a plugin's own -format, as metrics-accesslog's original has"`
}

func (o *countingCheck) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	st, err := inv.State()
	if err != nil {
		return nil, err
	}
	var runs int
	if _, err := st.Load(&runs); err != nil {
		return nil, err
	}
	runs++
	if err := st.Save(runs); err != nil {
		return nil, err
	}
	res := checkers.NewResult(checkers.Warning, "run %d", runs)
	res.AddPerfdata(checkers.Perfdata{Label: "runs", Value: float64(runs)}, checkers.Perfdata{Label: "time", Value: 250, UOM: "ms"})
	return res, nil
}

var countingPlugin = &plugin.Plugin{Name: "check-counting", Title: "COUNT", Description: "counts its runs", New: func() any { return &countingCheck{} }}

func TestMetaRunNeverAdvancesCheckState(t *testing.T) {
	h := plugintest.New(t, countingPlugin)
	assert.Equal(t, "COUNT WARNING: run 1\n", h.Run().Stdout)
	meta := h.Meta("--teko-format", "metrics")
	assert.Equal(t, 1, meta.Code)
	assert.Equal(t, metrics.MetaHeader+"\n"+`{"graphs":{"check.counting":{"label":"COUNT (check-counting)","unit":"float","metrics":[{"name":"runs","label":"runs","stacked":false},{"name":"time","label":"time","stacked":false}]}}}`+"\n", meta.Stdout)
	assert.Equal(t, "check-counting: COUNT WARNING: run 2\n", meta.Stderr, "why it is not OK goes to the agent's log")
	h.Meta() // the default format too
	assert.Equal(t, "COUNT WARNING: run 2\n", h.Run().Stdout, "the meta runs did not count")
	h.Advance(60e9)
	r := h.Run("--teko-format", "metrics")
	assert.Equal(t, "check.counting.runs\t3\t1795478460\ncheck.counting.time\t250\t1795478460\n", r.Stdout)
}

func TestCheckPrometheusFormat(t *testing.T) {
	h := plugintest.New(t, countingPlugin)
	r := h.Run("--teko-format", "prometheus", "--instance", `web "1"`)
	assert.Equal(t, 1, r.Code, "the exit code stays the check's")
	assert.Equal(t, `# HELP teko_check_runs Perfdata "runs" of a teko check plugin (label check names the plugin).
# TYPE teko_check_runs gauge
teko_check_runs{check="check-counting",instance="web \"1\""} 1
# HELP teko_check_status Status of the last run of a teko check plugin: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
# TYPE teko_check_status gauge
teko_check_status{check="check-counting",instance="web \"1\""} 1
# HELP teko_check_time_seconds Perfdata "time_seconds" of a teko check plugin (label check names the plugin).
# TYPE teko_check_time_seconds gauge
teko_check_time_seconds{check="check-counting",instance="web \"1\""} 0.25
`, sortFamilies(r.Stdout))
}

// sortFamilies orders the families of a prometheus text by name.
func sortFamilies(text string) string {
	var fams []string
	for _, f := range strings.Split(text, "# HELP ")[1:] {
		fams = append(fams, "# HELP "+f)
	}
	sortStrings(fams)
	return strings.Join(fams, "")
}

func sortStrings(s []string) {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
}

func TestOutputFile(t *testing.T) {
	h := plugintest.New(t, countingPlugin)
	dir := t.TempDir()
	path := filepath.Join(dir, "count.prom")
	r := h.Run("--teko-format", "prometheus", "--output-file", path)
	assert.Equal(t, plugintest.Result{Code: 1}, r, "nothing on stdout, the check's exit code")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), `teko_check_runs{check="check-counting"} 1`+"\n")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o666)&^umask(t), fi.Mode().Perm())
	}
	r = h.Run("--teko-format", "prometheus", "--output-file", path)
	assert.Equal(t, plugintest.Result{Code: 1}, r)
	b, _ = os.ReadFile(path)
	assert.Contains(t, string(b), `teko_check_runs{check="check-counting"} 2`+"\n", "replaced")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temp file left")

	meta := h.Meta("--teko-format", "metrics", "--output-file", path)
	assert.True(t, strings.HasPrefix(meta.Stdout, metrics.MetaHeader+"\n"), "graph definitions go to the agent: %v", meta)
	b, _ = os.ReadFile(path)
	assert.Contains(t, string(b), `teko_check_runs{check="check-counting"} 2`+"\n", "the file is not touched by a meta run")

	bad := filepath.Join(dir, "missing", "count.prom")
	r = h.Run("--output-file", bad)
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "COUNT UNKNOWN: cannot write "+bad+": no such file or directory\n", r.Stdout)
	assert.Equal(t, "COUNT WARNING: run 3\n", h.Run().Stdout, "a run whose output was lost does not count")
}

func umask(t *testing.T) os.FileMode {
	p := filepath.Join(t.TempDir(), "probe")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o666)
	require.NoError(t, err)
	f.Close()
	fi, _ := os.Stat(p)
	return 0o666 &^ fi.Mode().Perm()
}

// gaugeAndCounter is a metric plugin with one of each.
type gaugeAndCounter struct{}

var served uint64

func (gaugeAndCounter) Prefix() string { return "app" }
func (gaugeAndCounter) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"queue":    {Label: "Queue", Unit: metrics.Integer, Metrics: []metrics.Metric{{Name: "#", Label: "length"}}},
		"requests": {Label: "Requests", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "served", Label: "Served"}}},
	}
}
func (gaugeAndCounter) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	served += 120
	b.Gauge("queue.mail", 7)
	b.Counter("requests.served", served)
	return nil
}

var appPlugin = &plugin.Plugin{Name: "metrics-app", Description: "app", New: func() any { return &gaugeAndCounter{} }}

func TestMetricPrometheusNeedsNoState(t *testing.T) {
	served = 1000
	h := plugintest.New(t, appPlugin)
	r := h.Run("--format", "prometheus")
	require.Equal(t, 0, r.Code, r.Stderr)
	assert.Equal(t, `# HELP app_queue Queue: length (app.queue.#)
# TYPE app_queue gauge
app_queue{queue="mail"} 7
# HELP app_requests_served_total Requests: Served (app.requests.served, running total)
# TYPE app_requests_served_total counter
app_requests_served_total 1120
`, r.Stdout, "the total on the first run")
	entries, _ := os.ReadDir(h.StateDir)
	assert.Empty(t, entries, "no state")
}

func TestMetricFormatsAndOutputFile(t *testing.T) {
	served = 0
	h := plugintest.New(t, appPlugin)
	h.Run("--format", "json")
	h.Advance(60e9)
	path := filepath.Join(t.TempDir(), "app.json")
	r := h.Run("--format", "json", "--output-file", path)
	assert.Equal(t, plugintest.Result{}, r)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.JSONEq(t, `{"epoch":1795478460,"values":[
		{"name":"app.queue.mail","value":7,"kind":"gauge","epoch":1795478460},
		{"name":"app.requests.served","value":120,"kind":"rate","epoch":1795478460},
		{"name":"app.requests.served","value":240,"kind":"counter","epoch":1795478460}]}`, string(b))
	h.Advance(60e9)
	assert.Equal(t, "app.queue.mail 7 1795478520\napp.requests.served 120 1795478520\n", h.Run("--format", "graphite").Stdout)
	h.Advance(60e9)
	assert.Equal(t, "app.queue,queue=mail value=7 1795478580\napp.requests served=120 1795478580\n", h.Run("--format", "influx").Stdout)

	bad := filepath.Join(t.TempDir(), "missing", "app.prom")
	h.Advance(60e9)
	r = h.Run("--format", "prometheus", "--output-file", bad)
	assert.Equal(t, plugintest.Result{Code: 3, Stderr: "metrics-app: writing values: cannot write " + bad + ": no such file or directory\n"}, r)
	r = h.Run("--format", "xml")
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, `unknown format "xml"`)
}

func TestRuntimeFlagsGiveWayToThePlugins(t *testing.T) {
	h := plugintest.New(t, countingPlugin)
	help := h.Run("--help").Stdout
	assert.Contains(t, help, "--format=")
	assert.Contains(t, help, "--teko-format=FORMAT")
	assert.NotContains(t, help, "--teko-instance", "no collision, no rename")
	assert.Contains(t, help, "--instance=NAME")
	assert.Equal(t, "COUNT WARNING: run 1\n", h.Run("--format", "ltsv").Stdout, "the plugin's own -format")
}
