//go:build linux

package consumers

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
	"github.com/teko-dev/teko/plugins/all"
	"github.com/teko-dev/teko/plugins/checklog"
	"github.com/teko-dev/teko/plugins/checkprocs"
	"github.com/teko-dev/teko/plugins/conformance"
	"github.com/teko-dev/teko/plugins/metricsnginx"
)

// nginxRun runs metrics-nginx against the real nginx twice, a (fake)
// minute apart, in format, reading stub_status itself before and after
// each run. It returns the second run's output and the four readings.
func nginxRun(t *testing.T, format string, at time.Time) (string, [4]stub) {
	t.Helper()
	n := getNginx(t)
	state := t.TempDir()
	var s [4]stub
	var out string
	for i := range 2 {
		s[2*i] = readStub(t, n.StatusURL)
		o, errOut, code := run(metricsnginx.Plugin, at.Add(time.Duration(i-1)*time.Minute), state, "--uri", n.StatusURL, "--format", format)
		require.Equal(t, 0, code, errOut)
		s[2*i+1] = readStub(t, n.StatusURL)
		out = o
	}
	return out, s
}

// checkNginxValues compares values by metric name with the stub_status
// readings around the runs: the plugin's own request is counted between
// "before" and "after", and its rate per minute over the fake minute is
// the difference of the totals it read.
func checkNginxValues(t *testing.T, got map[string]float64, s [4]stub, rates bool) {
	t.Helper()
	before1, after1, before2, after2 := s[0], s[1], s[2], s[3]
	for _, c := range []struct {
		name    string
		of      func(stub) float64
		gauge   bool
		minimum float64
	}{
		{"nginx.connections.connections", func(x stub) float64 { return x.active }, true, 1},
		{"nginx.queue.writing", func(x stub) float64 { return x.writing }, true, 1},
		{"nginx.queue.reading", func(x stub) float64 { return x.reading }, true, 0},
		{"nginx.queue.waiting", func(x stub) float64 { return x.waiting }, true, 0},
		{"nginx.requests.accepts", func(x stub) float64 { return x.accepts }, false, 0},
		{"nginx.requests.handled", func(x stub) float64 { return x.handled }, false, 0},
		{"nginx.requests.requests", func(x stub) float64 { return x.requests }, false, 0},
	} {
		v, ok := got[c.name]
		if !assert.True(t, ok, "%s missing from %v", c.name, got) {
			continue
		}
		switch {
		case c.gauge:
			// Each reading, the plugin's too, sees itself.
			between(t, c.name, v, min(c.of(before2), c.of(after2)), max(c.of(before2), c.of(after2)))
		case rates:
			between(t, c.name+" (rate per minute)", v, c.of(before2)-c.of(after1)+1, c.of(after2)-c.of(before1)-1)
		default:
			between(t, c.name+" (total)", v, c.of(before2)+1, c.of(after2)-1)
		}
	}
}

func TestPromtoolChecksEveryPlugin(t *testing.T) {
	promtool := servertest.Binary(t, "prometheus", "promtool")
	for _, p := range all.Plugins {
		t.Run(p.Name, func(t *testing.T) {
			args, stop, err := conformance.Sample(p, t.TempDir())
			require.NoError(t, err)
			defer stop()
			state := t.TempDir()
			_, isMetric := p.New().(plugin.Collector)
			for i, extra := range [][]string{nil, {"--instance", "b \"1\" \xff"}} { // quotes and a byte that is not UTF-8
				if isMetric {
					extra = nil // a second run a minute later: some print nothing before they have an interval
				}
				out, errOut, _ := run(p, time.Now().Add(time.Duration(i)*time.Minute), state, append(append(args, conformance.FormatFlag(p), "prometheus"), extra...)...)
				if isMetric && i == 0 && out == "" {
					continue
				}
				require.NotEmpty(t, out, errOut)
				cmd := exec.Command(promtool, "check", "metrics")
				cmd.Stdin = strings.NewReader(out)
				res, err := cmd.CombinedOutput()
				assert.NoError(t, err, "promtool check metrics:\n%s\non:\n%s", res, out)
				assert.Empty(t, strings.TrimSpace(string(res)), "promtool's complaints")
			}
		})
	}
	t.Run("metrics-nginx on a real nginx", func(t *testing.T) {
		out, _ := nginxRun(t, "prometheus", time.Now())
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(out)
		res, err := cmd.CombinedOutput()
		assert.NoError(t, err, "%s\n%s", res, out)
	})
}

func TestNodeExporterTextfile(t *testing.T) {
	ne := nodeExporter.Get(t, startNodeExporter)
	n := getNginx(t)
	now := time.Now()
	write := func(p *plugin.Plugin, file string, args ...string) int {
		t.Helper()
		args = append(args, "--format", "prometheus", "--output-file", filepath.Join(ne.Dir, file))
		out, errOut, code := run(p, now, t.TempDir(), args...)
		require.Empty(t, out, "stdout with --output-file")
		require.NotEqual(t, int(checkers.Unknown), code, errOut)
		fi, err := os.Stat(filepath.Join(ne.Dir, file))
		require.NoError(t, err)
		require.NotZero(t, fi.Mode().Perm()&0o004, "readable by node_exporter's user (mode %v)", fi.Mode())
		return code
	}
	// Two instances of one check, apart by --instance, and another check
	// sharing teko_check_status.
	a := sleepers(t, 3, "1101")
	b := sleepers(t, 2, "1102")
	assert.Equal(t, 0, write(checkprocs.Plugin, "procs-a.prom", "-p", a, "--instance", "a"))
	assert.Equal(t, 2, write(checkprocs.Plugin, "procs-b.prom", "-p", b, "--instance", "b", "-W", "3", "-C", "3"), "CRITICAL: the exit code stays the check's")
	logDir := t.TempDir()
	logFile := filepath.Join(logDir, "app.log")
	require.NoError(t, os.WriteFile(logFile, []byte("ok\n"), 0o644))
	write(checklog.Plugin, "log.prom", "-f", logFile, "-p", "ERROR", "--state-dir", logDir)
	before := readStub(t, n.StatusURL)
	write(metricsnginx.Plugin, "nginx.prom", "--uri", n.StatusURL)
	after := readStub(t, n.StatusURL)

	page, err := httpGet(ne.URL)
	require.NoError(t, err)
	samples := parseScrape(t, page)
	assert.Equal(t, 0.0, value(t, samples, "node_textfile_scrape_error", ""), "node_exporter read every file")
	assert.Equal(t, 0.0, value(t, samples, "teko_check_status", `{check="check-procs",instance="a"}`))
	assert.Equal(t, 3.0, value(t, samples, "teko_check_procs", `{check="check-procs",instance="a"}`), "the processes started")
	assert.Equal(t, 2.0, value(t, samples, "teko_check_status", `{check="check-procs",instance="b"}`))
	assert.Equal(t, 2.0, value(t, samples, "teko_check_procs", `{check="check-procs",instance="b"}`))
	assert.Equal(t, 0.0, value(t, samples, "teko_check_status", `{check="check-log"}`), "a second plugin's series in the same family")
	between(t, "nginx_requests_requests_total", value(t, samples, "nginx_requests_requests_total", ""), before.requests+1, after.requests-1)
	between(t, "nginx_requests_accepts_total", value(t, samples, "nginx_requests_accepts_total", ""), before.accepts+1, after.accepts-1)
	between(t, "nginx_connections_connections", value(t, samples, "nginx_connections_connections", ""), min(before.active, after.active), max(before.active, after.active))
}

func TestInfluxDBStoresTheValues(t *testing.T) {
	db := influx.Get(t, startInflux)
	at := time.Now().Truncate(time.Second)
	out, s := nginxRun(t, "influx", at)
	_, err := db.post("/write?db=teko&precision=s", out, "text/plain")
	require.NoError(t, err, out)
	res, err := db.post("/query", url.Values{"db": {"teko"}, "epoch": {"s"}, "q": {`SELECT * FROM "nginx.connections", "nginx.queue", "nginx.requests" WHERE time = ` + strconv.FormatInt(at.Unix(), 10) + `s`}}.Encode(), "application/x-www-form-urlencoded")
	require.NoError(t, err)
	var doc struct {
		Results []struct {
			Series []struct {
				Name    string   `json:"name"`
				Columns []string `json:"columns"`
				Values  [][]any  `json:"values"`
			} `json:"series"`
			Error string `json:"error"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(res), &doc), res)
	require.Len(t, doc.Results, 1, res)
	require.Empty(t, doc.Results[0].Error)
	got := map[string]float64{}
	for _, series := range doc.Results[0].Series {
		require.Len(t, series.Values, 1, "one point per measurement: %s", res)
		for i, col := range series.Columns {
			if v, ok := series.Values[0][i].(float64); ok && col != "time" {
				got[series.Name+"."+col] = v
			} else if col == "time" {
				assert.Equal(t, float64(at.Unix()), series.Values[0][i], "the run's epoch")
			}
		}
	}
	printed, err := conformance.ValidateInflux(out, at.Unix())
	require.NoError(t, err)
	want := map[string]float64{}
	for _, p := range printed {
		for f, v := range p.Fields {
			want[p.Measurement+"."+f] = v
		}
	}
	assert.Equal(t, want, got, "InfluxDB holds what was printed")
	checkNginxValues(t, got, s, true)
}

func TestVictoriaMetricsGraphite(t *testing.T) {
	vm := victoria.Get(t, startVictoria)
	at := time.Now().Truncate(time.Second)
	out, s := nginxRun(t, "graphite", at)
	c, err := net.DialTimeout("tcp", vm.Graphite, 5*time.Second)
	require.NoError(t, err)
	_, err = c.Write([]byte(out))
	require.NoError(t, err)
	require.NoError(t, c.Close())
	want, err := conformance.ValidateGraphite(out, at.Unix())
	require.NoError(t, err)
	got := map[string]float64{}
	require.NoError(t, servertest.WaitFor(20*time.Second, func() error {
		if _, err := httpGet(vm.URL + "/internal/force_flush"); err != nil {
			return err
		}
		page, err := httpGet(vm.URL + "/api/v1/export?" + url.Values{"match[]": {`{__name__=~"nginx[.].+"}`}}.Encode())
		if err != nil {
			return err
		}
		for _, line := range strings.Split(strings.TrimSpace(page), "\n") {
			if line == "" {
				continue
			}
			var e struct {
				Metric     map[string]string `json:"metric"`
				Values     []float64         `json:"values"`
				Timestamps []int64           `json:"timestamps"`
			}
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				return err
			}
			for i, ts := range e.Timestamps {
				if ts == at.Unix()*1000 {
					got[e.Metric["__name__"]] = e.Values[i]
				}
			}
		}
		if len(got) < len(want) {
			return fmt.Errorf("victoria-metrics holds %d of %d values", len(got), len(want))
		}
		return nil
	}))
	assert.Equal(t, want, got, "VictoriaMetrics holds what was printed")
	checkNginxValues(t, got, s, true)
}

func TestNagiosCoreRecordsPerfdata(t *testing.T) {
	bin := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-procs")
	ok := sleepers(t, 3, "2201")
	nc := nagios.Get(t, func() (*nagiosCore, func(), error) {
		return startNagios(bin, []nagiosService{
			{"procs-ok", "-p '" + ok + "' --format nagios"},
			{"procs-crit", "-p '" + ok + "' -C 4 --format nagios"},
		})
	})
	var st, crit map[string]string
	require.NoError(t, servertest.WaitFor(60*time.Second, func() error {
		var err error
		if st, err = nc.serviceStatus("procs-ok"); err != nil {
			return err
		}
		crit, err = nc.serviceStatus("procs-crit")
		return err
	}), "nagios log: %s", servertest.Tail(filepath.Join(nc.Dir, "nagios.log"), 2000))
	assert.Equal(t, "0", st["current_state"], "%v", st)
	assert.Equal(t, "PROCS OK: 3 processes matching /"+ok+"/", st["plugin_output"])
	status, perf, err := conformance.ValidateNagios(st["plugin_output"]+" | "+st["performance_data"], "PROCS")
	require.NoError(t, err)
	assert.Equal(t, "OK", status)
	assert.Equal(t, map[string]string{"procs": "3"}, perf, "the processes started, as Nagios recorded them")
	assert.Equal(t, "2", crit["current_state"], "%v", crit)
	assert.Equal(t, "procs=3;1:;4:;0", crit["performance_data"])
}
