package metricsapache2

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
	"github.com/teko-dev/teko/plugins/conformance"
)

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, url)
	return b
}

func TestRealApacheRatesAndGauges(t *testing.T) {
	a := apache.Get(t, startApache)
	base := "http://127.0.0.1:" + strconv.Itoa(a.Port)
	h := plugintest.New(t, Plugin)
	args := []string{"-http_port", strconv.Itoa(a.Port)}

	first := h.RunValues(args...)
	assert.NotContains(t, first, "apache2.req.requests", "no rate on the first run")
	assert.Contains(t, first, "apache2.workers.busy_workers")

	before, err := ParseStatus(get(t, base+"/server-status?auto")) // one more access
	require.NoError(t, err)
	const served = 5
	for range served {
		require.Len(t, get(t, base+"/big.bin"), bigSize)
	}
	h.Advance(time.Minute)
	second := h.RunValues(args...)

	// The plugin's first request, the test's status read and the files:
	// Apache counts a request when it ends, so each run's own request
	// shows in the next one.
	assert.Equal(t, float64(served+2), second["apache2.req.requests"], "requests per minute")
	// mod_status counts KiB; the graph's unit is bytes. The status page
	// read adds a few KiB.
	got := second["apache2.bytes.bytes_sent"]
	assert.GreaterOrEqual(t, got, float64(served*bigSize))
	assert.Less(t, got, float64(served*bigSize+64<<10), "bytes, not KiB (the original printed 1/1024 of this)")

	after, err := ParseStatus(get(t, base+"/server-status?auto"))
	require.NoError(t, err)
	slots := 0
	for _, k := range scoreKeys {
		slots += int(second["apache2.scoreboard."+k.name])
	}
	total := 0
	for _, n := range after.Scoreboard {
		total += n
	}
	assert.Equal(t, total, slots, "every scoreboard slot is counted once")
	assert.GreaterOrEqual(t, second["apache2.workers.busy_workers"], 1.0, "the worker serving the page is busy")
	assert.Equal(t, before.Fields["BusyWorkers"]+before.Fields["IdleWorkers"], second["apache2.workers.busy_workers"]+second["apache2.workers.idle_workers"])
	if v, ok := second["apache2.cpu.cpu_load"]; ok { // absent in the server's first second
		assert.GreaterOrEqual(t, v, 0.0)
	}
}

func TestRealApacheWithoutAutoSaysSo(t *testing.T) {
	a := apache.Get(t, startApache)
	r := plugintest.New(t, Plugin).Run("-p", strconv.Itoa(a.Port), "-s", "/server-status")
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "add ?auto")
}

func TestTempfileAndLabelPrefix(t *testing.T) {
	a := apache.Get(t, startApache)
	dir := t.TempDir()
	h := plugintest.New(t, Plugin)
	h.RunValues("-p", strconv.Itoa(a.Port), "-t", filepath.Join(dir, "mackerel-plugin-apache2"))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.NotEmpty(t, entries, "-t FILE keeps the state in FILE's directory")

	h.Env["MACKEREL_AGENT_PLUGIN_META"] = "1"
	meta := h.Run("--metric-label-prefix", "Web")
	assert.Contains(t, meta.Stdout, `"label":"Web Workers"`)
}

func serve(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	return port
}

func TestFaultyPages(t *testing.T) {
	extendedOff, err := os.ReadFile("testdata/extended-off.txt")
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		h      http.HandlerFunc
		code   int
		stderr string
	}{
		"404":     {func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }, 3, "404"},
		"garbage": {func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello world\n") }, 3, "not mod_status's ?auto output"},
		"html":    {func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "<!DOCTYPE html><html>") }, 3, "add ?auto"},
		"ext off": {func(w http.ResponseWriter, _ *http.Request) { w.Write(extendedOff) }, 0, "has no CPULoad, Total Accesses, Total kBytes"},
		"endless": {func(w http.ResponseWriter, _ *http.Request) { w.Write(make([]byte, 64<<20)) }, 3, "larger than"},
	} {
		port := serve(t, tc.h)
		r := plugintest.New(t, Plugin).Run("-o", "127.0.0.1", "-p", port)
		assert.Equal(t, tc.code, r.Code, "%s: %v", name, r)
		assert.Contains(t, r.Stderr, tc.stderr, name)
		if tc.code == 0 {
			assert.Contains(t, r.Stdout, "apache2.workers.busy_workers\t1\t")
			assert.Contains(t, r.Stdout, "apache2.scoreboard.score-_\t74\t")
			assert.NotContains(t, r.Stdout, "apache2.cpu")
		}
	}
}

func TestAHungServerEndsWithinTheRun(t *testing.T) {
	_, port, _ := net.SplitHostPort(servertest.Hang(t, "tcp"))
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/metrics-apache2")
	start := time.Now()
	cmd := exec.Command(exe, "-http_port", port, "--timeout", "1", "--state-dir", t.TempDir())
	out, _ := cmd.CombinedOutput()
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.NotEqual(t, 0, cmd.ProcessState.ExitCode())
	assert.Contains(t, string(out), "127.0.0.1:")
}

func TestParseRealPage(t *testing.T) {
	body, err := os.ReadFile("testdata/auto-2.4.71.txt")
	require.NoError(t, err)
	st, err := ParseStatus(body)
	require.NoError(t, err)
	n, ok := st.BytesSent()
	assert.True(t, ok)
	assert.Equal(t, uint64(1024*1024), n)
	assert.Equal(t, 1, st.Scoreboard['W'])
	assert.Equal(t, 74, st.Scoreboard['_'])
	load, ok := st.CPULoad()
	assert.True(t, ok, "computed from the CPU fields when Apache leaves CPULoad out")
	assert.Equal(t, 0.0, load)
}

// Every value reaches every format: in Prometheus's names "score-"
// (open slots) and "score-_" (workers waiting) read the same, and the
// second was lost. Each is a family of its own, promtool accepts the
// output, and the values are the page's.
func TestPrometheusKeepsEveryScoreboardValue(t *testing.T) {
	page, err := os.ReadFile("testdata/auto-2.4.71.txt")
	require.NoError(t, err)
	st, err := ParseStatus(page)
	require.NoError(t, err)
	port := serve(t, func(w http.ResponseWriter, _ *http.Request) { w.Write(page) })
	r := plugintest.New(t, Plugin).Run("-p", port, "--format", "prometheus")
	require.Equal(t, 0, r.Code, r.Stderr)
	_, err = conformance.ValidatePrometheus(r.Stdout)
	require.NoError(t, err)
	values := map[string]string{} // HELP's mackerel name → value
	var name string
	for _, line := range strings.Split(r.Stdout, "\n") {
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name = rest[strings.LastIndex(rest, "(")+1 : len(rest)-1]
		} else if line != "" && !strings.HasPrefix(line, "#") {
			values[name] = line[strings.LastIndex(line, " ")+1:]
		}
	}
	for _, key := range []string{"score-", "score-_", "score-S", "score-R", "score-W", "score-K", "score-D", "score-C", "score-L", "score-G", "score-I"} {
		assert.Contains(t, values, "apache2.scoreboard."+key)
	}
	assert.Equal(t, strconv.Itoa(st.Scoreboard['_']), values["apache2.scoreboard.score-_"])
	assert.Equal(t, strconv.Itoa(st.Scoreboard['.']), values["apache2.scoreboard.score-"])
}
