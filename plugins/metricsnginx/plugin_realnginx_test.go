//go:build !windows

package metricsnginx

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
)

// The gauges while only the plugin's own request is in flight.
var idleGauges = map[string]float64{
	"nginx.connections.connections": 1,
	"nginx.queue.reading":           0,
	"nginx.queue.writing":           1,
	"nginx.queue.waiting":           0,
}

// withRates returns idleGauges plus the three request rates, all equal.
func withRates(perMinute float64) map[string]float64 {
	m := map[string]float64{
		"nginx.requests.accepts":  perMinute,
		"nginx.requests.handled":  perMinute,
		"nginx.requests.requests": perMinute,
	}
	for k, v := range idleGauges {
		m[k] = v
	}
	return m
}

func TestPluginRealNginx(t *testing.T) {
	ngx := startNginx(t)
	h := plugintest.New(t, Plugin)
	port := strconv.Itoa(ngx.Port)
	// Both spellings, in different orders: the same instance, the same state.
	goStyle := []string{"-host=127.0.0.1", "-port", port}
	teko := []string{"--port=" + port, "--host", "127.0.0.1"}

	// First run: gauges only, the counters have nothing to compare with.
	r := h.Run(goStyle...)
	assert.Equal(t, idleGauges, h.Values(r, goStyle...))
	assert.Empty(t, r.Stderr)

	// 30 requests, each on its own connection, then the next run a minute
	// later: 30 + the run's own = 31 connections and requests per minute.
	for range 30 {
		ngx.Get("/")
	}
	h.Advance(time.Minute)
	r = h.Run(teko...)
	assert.Equal(t, withRates(31), h.Values(r, teko...))
	assert.Empty(t, r.Stderr)

	// 30 s later, nothing but the run itself: 1 per 30 s is 2 per minute.
	h.Advance(30 * time.Second)
	assert.Equal(t, withRates(2), h.Values(h.Run(goStyle...), goStyle...))

	// nginx restarts: its counters start again from zero. The rates are
	// skipped for this run, never printed as 0 or negative; the gauges are.
	ngx.Restart()
	h.Advance(time.Minute)
	r = h.Run(teko...)
	assert.Equal(t, idleGauges, h.Values(r, teko...))
	for _, name := range []string{"accepts", "handled", "requests"} {
		assert.Contains(t, r.Stderr, "requests."+name+": counter went down")
	}

	// And the next run has rates again, from the new nginx's counters.
	for range 4 {
		ngx.Get("/")
	}
	h.Advance(time.Minute)
	r = h.Run(goStyle...)
	assert.Equal(t, withRates(5), h.Values(r, goStyle...))
	assert.Empty(t, r.Stderr)
}

// After a restart, nginx may already have accepted more connections
// than before (many short connections now, a few kept-alive ones
// before) while it has served fewer requests. The counters restart
// together, so none of the rates is printed, not even accepts' and
// handled's, which would otherwise span the restart.
func TestPluginRealNginxRestartSkipsEveryRate(t *testing.T) {
	ngx := startNginx(t)
	h := plugintest.New(t, Plugin)
	args := []string{"--host", "127.0.0.1", "--port", strconv.Itoa(ngx.Port)}
	h.Run(args...)
	ngx.GetMany("/", 50) // before: few connections, many requests
	h.Advance(time.Minute)
	r := h.Run(args...)
	require.Equal(t, withRatesEach(2, 2, 51), h.Values(r, args...))

	ngx.Restart()
	for range 10 {
		ngx.Get("/") // after: more connections than before, fewer requests
	}
	h.Advance(time.Minute)
	r = h.Run(args...)
	assert.Equal(t, idleGauges, h.Values(r, args...))
	assert.Contains(t, r.Stderr, "requests.requests: counter went down from 52 to 11 (a restart)")
	assert.Contains(t, r.Stderr, "requests.accepts: restarted together with requests.requests")
	assert.Contains(t, r.Stderr, "requests.handled: restarted together with requests.requests")
}

// withRatesEach returns idleGauges plus the three request rates.
func withRatesEach(accepts, handled, requests float64) map[string]float64 {
	m := withRates(0)
	m["nginx.requests.accepts"], m["nginx.requests.handled"], m["nginx.requests.requests"] = accepts, handled, requests
	return m
}

func TestPluginRealNginxUnixSocket(t *testing.T) {
	ngx := startNginx(t)
	h := plugintest.New(t, Plugin)
	uri := []string{"--uri", "unix:" + ngx.Socket + ":/nginx_status"}
	socket := []string{"--socket", ngx.Socket, "--host", "localhost", "--port", "80"}

	assert.Equal(t, idleGauges, h.Values(h.Run(uri...), uri...))
	for range 9 {
		ngx.Get("/")
	}
	h.Advance(2 * time.Minute)
	assert.Equal(t, withRates(5), h.Values(h.Run(uri...), uri...), "(9 + 1) in two minutes")

	// --socket is another instance (another state), on the same nginx.
	assert.Equal(t, idleGauges, h.Values(h.Run(socket...), socket...))
	h.Advance(time.Minute)
	assert.Equal(t, withRates(1), h.Values(h.Run(socket...), socket...), "its own request only")
}

func TestPluginRealNginxHostHeaderAndTLS(t *testing.T) {
	ngx := startNginx(t)
	h := plugintest.New(t, Plugin)
	vhost := []string{"--port", strconv.Itoa(ngx.Port), "--path", "/vhost_status", "--header", "Host: status.internal"}
	assert.Equal(t, idleGauges, h.Values(h.Run(vhost...), vhost...))

	tls := []string{"-scheme=https", "-port=" + strconv.Itoa(ngx.TLS), "-tls-skip-verify"}
	assert.Equal(t, idleGauges, h.Values(h.Run(tls...), tls...))
	h.Advance(time.Minute)
	assert.Equal(t, withRates(1), h.Values(h.Run(tls...), tls...))
}

// A failed run prints no value at all, says why in one line on stderr
// that names the page, and exits non-zero.
func assertFailed(t *testing.T, r plugintest.Result, want string) {
	t.Helper()
	assert.Empty(t, r.Stdout, "no value, not even a gauge")
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "metrics-nginx: "+want+"\n", r.Stderr)
}

func TestPluginRealNginxFailures(t *testing.T) {
	ngx := startNginx(t)
	h := plugintest.New(t, Plugin)

	assertFailed(t, h.Run("--uri", ngx.URL("/missing")),
		ngx.URL("/missing")+`: HTTP status "404 Not Found", want 2xx`)
	assertFailed(t, h.Run("--uri", ngx.URL("/")),
		ngx.URL("/")+`: not stub_status output: line 1: want "Active connections: N", got "ok"`)

	// A failed run leaves the previous values alone: after a good run, a
	// failure and a good run again, the rate covers the whole interval.
	args := []string{"--uri", ngx.URL("/nginx_status")}
	h.Values(h.Run(args...), args...)
	h.Advance(time.Minute)
	ngx.Stop()
	assertFailed(t, h.Run(args...),
		ngx.URL("/nginx_status")+": dial tcp 127.0.0.1:"+strconv.Itoa(ngx.Port)+": connect: connection refused")
	ngx.Restart()
	h.Advance(time.Minute)
	r := h.Run(args...)
	assert.Equal(t, idleGauges, h.Values(r, args...), "restarted: counters went down")
}

func TestPluginTempfileFlag(t *testing.T) {
	ngx := startNginx(t)
	h := plugintest.New(t, Plugin)
	dir := t.TempDir()
	// The old plugin's flag, in its old spelling.
	args := []string{"-uri=" + ngx.URL("/nginx_status"), "-tempfile=" + filepath.Join(dir, "mackerel-plugin-nginx")}
	h.Values(h.Run(args...), args...)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.NotEmpty(t, names, "state is kept in --tempfile's directory")
	workdir, err := os.ReadDir(h.StateDir)
	require.NoError(t, err)
	assert.Empty(t, workdir, "and not in MACKEREL_PLUGIN_WORKDIR")

	h.Advance(time.Minute)
	r := h.Run(args...)
	assert.Equal(t, withRates(1), h.Values(r, args...), "state files: %s", strings.Join(names, ", "))
}

// A unix socket whose name has a colon, in the unix: form of --uri.
func TestPluginRealNginxColonInSocketName(t *testing.T) {
	ngx := startNginx(t)
	h := plugintest.New(t, Plugin)
	args := []string{"--uri", "unix:" + ngx.ColonSocket + ":/nginx_status"}
	r := h.Run(args...)
	assert.Empty(t, r.Stderr)
	assert.Equal(t, idleGauges, h.Values(r, args...))
}

// Messages go to the agent's log every minute: a password in --uri must
// not be in them.
func TestPluginRealNginxHidesPassword(t *testing.T) {
	ngx := startNginx(t)
	h := plugintest.New(t, Plugin)
	hostPort := "127.0.0.1:" + strconv.Itoa(ngx.Port)
	assertFailed(t, h.Run("--uri", "http://admin:s3cret@"+hostPort+"/missing"),
		"http://admin:xxxxx@"+hostPort+`/missing: HTTP status "404 Not Found", want 2xx`)

	r := h.Run("--uri", "http://admin:s3cret@"+hostPort+"/missing%zz")
	assert.Equal(t, 3, r.Code)
	assert.NotContains(t, r.Stdout+r.Stderr, "s3cret")
	assert.Contains(t, r.Stdout, `address "http://admin:xxxxx@`+hostPort+`/missing%zz": invalid URL escape "%zz"`)
}

// An operator's "Accept-Encoding: gzip" header gets a compressed page
// from nginx, which Go leaves compressed once the caller asked for it.
func TestPluginRealNginxGzipRequestedByHeader(t *testing.T) {
	ngx := startNginx(t)
	h := plugintest.New(t, Plugin)
	args := []string{"--uri", ngx.URL("/gzip_status"), "--header", "Accept-Encoding: gzip"}
	r := h.Run(args...)
	assert.Empty(t, r.Stderr)
	assert.Equal(t, idleGauges, h.Values(r, args...))
}

// A failure after a redirect says where the redirect led: here an http
// page that redirects to https, whose certificate is self-signed.
func TestPluginRealNginxRedirectNamed(t *testing.T) {
	ngx := startNginx(t)
	h := plugintest.New(t, Plugin)
	httpsPage := "https://127.0.0.1:" + strconv.Itoa(ngx.TLS) + "/nginx_status"
	r := h.Run("--uri", ngx.URL("/to_https"))
	assert.Empty(t, r.Stdout)
	assert.Equal(t, 3, r.Code)
	assert.True(t, strings.HasPrefix(r.Stderr, "metrics-nginx: "+ngx.URL("/to_https")+": redirected to "+httpsPage+": tls: failed to verify certificate: "), r.Stderr)

	args := []string{"--uri", ngx.URL("/to_https"), "--tls-skip-verify"}
	r = h.Run(args...)
	assert.Empty(t, r.Stderr)
	assert.Equal(t, idleGauges, h.Values(r, args...))
}
