package metricsphpfpm

import (
	"encoding/json"
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
)

// status asks the pool directly, as the test's own independent reading.
func status(t *testing.T, network, addr, path string) map[string]any {
	t.Helper()
	conn, err := net.DialTimeout(network, addr, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	resp, err := fcgiGet(conn, path, "json", maxPage)
	require.NoError(t, err)
	require.Equal(t, 200, resp.Status, "%s", resp.Body)
	var st map[string]any
	require.NoError(t, json.Unmarshal(resp.Body, &st), "%s", resp.Body)
	return st
}

func TestRealPoolOverAUnixSocket(t *testing.T) {
	f := fpm.Get(t, startFPM)
	h := plugintest.New(t, Plugin)
	args := []string{"-socket", f.Socket, "-url", "http://localhost/status?json"}
	first := h.RunValues(args...)
	st := status(t, "unix", f.Socket, "/status")
	assert.Equal(t, st["total processes"], first["php-fpm.processes.total_processes"])
	assert.Equal(t, 2.0, first["php-fpm.processes.total_processes"], "pm.max_children = 2")
	assert.Equal(t, first["php-fpm.processes.total_processes"], first["php-fpm.processes.active_processes"]+first["php-fpm.processes.idle_processes"])
	assert.GreaterOrEqual(t, first["php-fpm.processes.active_processes"], 1.0, "the child serving the page is active")
	assert.NotContains(t, first, "php-fpm.accepted_conn.accepted_conn", "no rate on the first run")
	assert.NotContains(t, first, "php-fpm.memory_peak.memory_peak", "PHP 8.2 has no memory peak: left out, not 0")

	const asked = 4 // besides the status read above
	for range asked {
		status(t, "unix", f.Socket, "/status")
	}
	h.Advance(time.Minute)
	second := h.RunValues(args...)
	// PHP-FPM counts a request when it accepts it, so each reading
	// includes itself: the test's 1+4 readings and the second run's own.
	assert.Equal(t, float64(1+asked+1), second["php-fpm.accepted_conn.accepted_conn"], "accepted requests per minute")
	assert.Equal(t, 0.0, second["php-fpm.slow_requests.slow_requests_delta"])
	assert.Equal(t, st["listen queue len"], second["php-fpm.queue.listen_queue_len"])
}

func TestRealPoolOverTCPInEveryForm(t *testing.T) {
	f := fpm.Get(t, startFPM)
	port := strconv.Itoa(f.Port)
	for _, sock := range []string{"tcp://127.0.0.1:" + port, "127.0.0.1:" + port} {
		v := plugintest.New(t, Plugin).RunValues("--socket", sock, "--url", "http://ignored.example/fpm-status?json")
		assert.Equal(t, 3.0, v["php-fpm.processes.total_processes"], "pm.max_children = 3: %s", sock)
	}
	// The plain form of the page (no ?json) gives the same.
	v := plugintest.New(t, Plugin).RunValues("--socket", "tcp://127.0.0.1:"+port, "--url", "http://x/fpm-status")
	assert.Equal(t, 3.0, v["php-fpm.processes.total_processes"])
}

func TestRealPoolWrongPathSaysWhy(t *testing.T) {
	f := fpm.Get(t, startFPM)
	r := plugintest.New(t, Plugin).Run("-socket", "unix://"+f.Socket, "-url", "http://localhost/nope?json")
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "status 404: Primary script unknown (is pm.status_path set to /nope?)")
}

func TestAHungPoolEndsWithinTheRun(t *testing.T) {
	sock := servertest.Hang(t, "unix")
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/metrics-php-fpm")
	start := time.Now()
	cmd := exec.Command(exe, "-socket", sock, "-timeout", "1", "--state-dir", t.TempDir())
	out, _ := cmd.CombinedOutput()
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, 3, cmd.ProcessState.ExitCode())
	assert.Contains(t, string(out), sock, "the message names the socket")
}

func TestNotAFastCGIServer(t *testing.T) {
	path := servertest.Serve(t, "unix", "", func(c net.Conn) {
		c.Read(make([]byte, 4096)) // the request, as a web server would read it
		io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
		c.Close()
	})
	r := plugintest.New(t, Plugin).Run("-socket", path)
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stderr, "not a FastCGI server")
}

func TestOverHTTP(t *testing.T) {
	page, err := os.ReadFile("testdata/status-8.4.json")
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		h      http.HandlerFunc
		code   int
		stderr string
	}{
		"ok":       {func(w http.ResponseWriter, _ *http.Request) { w.Write(page) }, 0, ""},
		"404":      {func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }, 3, "404"},
		"not json": {func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "{not json") }, 3, "does not parse"},
		"other":    {func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, `{"hello": 1}`) }, 3, "not a PHP-FPM status page"},
	} {
		srv := httptest.NewServer(tc.h)
		r := plugintest.New(t, Plugin).Run("-url", srv.URL+"/status?json")
		srv.Close()
		assert.Equal(t, tc.code, r.Code, "%s: %v", name, r)
		assert.Contains(t, r.Stderr, tc.stderr, name)
		if tc.code == 0 {
			assert.Contains(t, r.Stdout, "php-fpm.memory_peak.memory_peak\t2097152\t", "PHP 8.4's memory peak")
			assert.Contains(t, r.Stdout, "php-fpm.processes.total_processes\t5\t")
		}
	}
}

func TestSocketFlagForms(t *testing.T) {
	for in, want := range map[string]socket{
		"/run/php/fpm.sock":        {"unix", "/run/php/fpm.sock"},
		"unix:///run/php/fpm.sock": {"unix", "/run/php/fpm.sock"},
		"tcp://127.0.0.1":          {"tcp", "127.0.0.1:9000"},
		"tcp://127.0.0.1:9001":     {"tcp", "127.0.0.1:9001"},
		"tcp://[::1]":              {"tcp", "[::1]:9000"},
		"localhost:9002":           {"tcp", "localhost:9002"},
		// No scheme and no port: a path, relative to the working
		// directory, as the original read it.
		"php-fpm.sock":     {"unix", "php-fpm.sock"},
		"run/php-fpm.sock": {"unix", "run/php-fpm.sock"},
	} {
		var s socket
		require.NoError(t, s.UnmarshalFlag(in), in)
		assert.Equal(t, want, s, in)
	}
	for _, bad := range []string{"ftp://x", "host:", "a:b/c", "unix://", "http://localhost/status"} {
		var s socket
		assert.Error(t, s.UnmarshalFlag(bad), bad)
	}
	r := plugintest.New(t, Plugin).Run("-url", "not a url")
	assert.Equal(t, 3, r.Code)
	assert.True(t, strings.Contains(r.Stderr, "--url") || strings.Contains(r.Stdout, "--url"), "%v", r)
}

// A password with an unencoded "#", "/" or "?" (as pasted into a config
// file) never shows in the flag error.
func TestURLPasswordNeverShown(t *testing.T) {
	for _, u := range []string{"http://bob:p4ss#w@127.0.0.1:9/status", "http://bob:p4ss/w@127.0.0.1:9/status"} {
		r := plugintest.New(t, Plugin).Run("--url", u)
		assert.Equal(t, 3, r.Code)
		assert.NotContains(t, r.Stdout+r.Stderr, "p4ss", u)
		assert.Contains(t, r.Stdout+r.Stderr, "http://bob:xxxxx@127.0.0.1:9/status", u)
	}
}

// A password in --url never reaches the state directory (the state file
// records the options that name the instance).
func TestURLPasswordNotInState(t *testing.T) {
	page, err := os.ReadFile("testdata/status-8.4.json")
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(page) }))
	defer srv.Close()
	dir := t.TempDir()
	u := strings.Replace(srv.URL, "http://", "http://u:s3cr3tpw@", 1) + "/status?json"
	r := plugintest.New(t, Plugin).Run("--url", u, "--state-dir", dir)
	require.Equal(t, 0, r.Code, "%v", r)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		assert.NotContains(t, e.Name()+string(b), "s3cr3tpw", e.Name())
	}
}
