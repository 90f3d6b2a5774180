//go:build unix

package metricsaccesslog

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// nginx is a real nginx writing the same requests to a combined log
// (access.log) and an LTSV log (access.ltsv), with a slow location that
// proxies to a Go backend sleeping as long as asked, so that request
// times are known.
type nginx struct {
	proc     *servertest.Process
	dir      string
	port     int
	combined string
	ltsv     string
	made     int // requests made by this test
}

var shared servertest.Shared[*nginx]

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Close()
	os.Exit(code)
}

// nginxHTTP is the http {} block of the nginx of servertest.StartNginx,
// with %s for the backend's address.
const nginxHTTP = `
    log_format ltsv "time:$time_local\thost:$remote_addr\treq:$request\tstatus:$status\tsize:$body_bytes_sent\treqtime:$request_time";
    server {
        listen 127.0.0.1:{{index .Ports 0}};
        access_log "{{.Dir}}/access.log" combined;
        access_log "{{.Dir}}/access.ltsv" ltsv;
        location = /ok { return 200 "ok\n"; }
        location = /moved { return 301 /ok; }
        location = /missing { return 404; }
        location = /fail { return 500; }
        location = /slow { proxy_pass http://%s; }
    }
`

func startNginx() (*nginx, func(), error) {
	backend, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Fprintln(w, "slow")
	})}
	go srv.Serve(backend)
	ngx, stop, err := servertest.StartNginx(servertest.NginxConfig{Ports: 1, HTTP: fmt.Sprintf(nginxHTTP, backend.Addr())})
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return &nginx{proc: ngx.Process, dir: ngx.Dir, port: ngx.Ports[0], combined: filepath.Join(ngx.Dir, "access.log"), ltsv: filepath.Join(ngx.Dir, "access.ltsv")},
		func() { stop(); srv.Close() }, nil
}

var client = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// get makes n requests for path and checks each answer's status.
func (n *nginx) get(t *testing.T, path string, want, times int) {
	t.Helper()
	for range times {
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d%s", n.port, path))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, path)
		n.made++
	}
}

// lines counts the lines of log and its rotated generations.
func lines(log string) int {
	total := 0
	for _, f := range []string{log + ".2", log + ".1", log} {
		data, _ := os.ReadFile(f)
		total += bytes.Count(data, []byte("\n"))
	}
	return total
}

// fresh removes rotated logs of an earlier run of the test (-count) so
// that lines counts every line written since.
func (n *nginx) fresh(t *testing.T) (base int) {
	for _, log := range []string{n.combined, n.ltsv} {
		os.Remove(log + ".1")
		os.Remove(log + ".2")
	}
	n.made = 0
	return lines(n.ltsv)
}

// waitLogged waits until nginx has logged every request made: it writes
// a request's log line after sending the response, so a client can have
// its answer before the line is in the file.
func (n *nginx) waitLogged(t *testing.T, base int) {
	t.Helper()
	require.NoError(t, servertest.WaitFor(5*time.Second, func() error {
		for _, log := range []string{n.combined, n.ltsv} {
			if got := lines(log); got != base+n.made {
				return fmt.Errorf("%s and its rotations have %d lines, want %d", log, got, base+n.made)
			}
		}
		return nil
	}))
}

// rotate renames each log to .1 (.1 to .2 first, if there) and has
// nginx reopen its logs (SIGUSR1), waiting until it has.
func (n *nginx) rotate(t *testing.T) {
	t.Helper()
	for _, log := range []string{n.combined, n.ltsv} {
		if _, err := os.Stat(log + ".1"); err == nil {
			require.NoError(t, os.Rename(log+".1", log+".2"))
		}
		require.NoError(t, os.Rename(log, log+".1"))
	}
	require.NoError(t, n.proc.Cmd.Process.Signal(syscall.SIGUSR1))
	require.NoError(t, servertest.WaitFor(5*time.Second, func() error {
		for _, log := range []string{n.combined, n.ltsv} {
			if _, err := os.Stat(log); err != nil {
				return err
			}
		}
		return nil
	}))
}

// loggedTimes returns the reqtime values nginx wrote to its LTSV logs
// (the current one and its rotated generations) after the first skip
// lines in all, in order.
func loggedTimes(t *testing.T, files []string, skip int) []float64 {
	var out []float64
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if line == "" {
				continue
			}
			n++
			if n <= skip {
				continue
			}
			for _, field := range strings.Split(line, "\t") {
				if v, ok := strings.CutPrefix(field, "reqtime:"); ok {
					x, err := strconv.ParseFloat(v, 64)
					require.NoError(t, err)
					out = append(out, x)
				}
			}
		}
	}
	return out
}

// Requests made to a real nginx are counted exactly by status class in
// both formats, across two rotations between runs (nginx reopening its
// logs on SIGUSR1), and LTSV request times are nginx's own.
func TestRealNginx(t *testing.T) {
	n := shared.Get(t, startNginx)
	h := plugintest.New(t, Plugin)
	runs := map[string][]string{"combined": {n.combined}, "combined as apache": {"-format", "apache", "--metric-key-prefix", "apache", n.combined}, "ltsv": {"-format", "ltsv", n.ltsv}, "ltsv guessed": {"--metric-key-prefix", "guess", n.ltsv}}
	collect := func() map[string]map[string]float64 {
		out := map[string]map[string]float64{}
		for name, args := range runs {
			r := h.Run(args...)
			assert.Empty(t, r.Stderr, name)
			out[name] = h.Values(r, args...)
		}
		return out
	}
	base := n.fresh(t)
	n.get(t, "/ok", 200, 2) // before the first run: never counted
	n.waitLogged(t, base)
	for name, v := range collect() {
		assert.Empty(t, v, "%s: the first run prints nothing", name)
	}
	before := len(loggedTimes(t, []string{n.ltsv}, 0)) // what the first run skipped

	n.get(t, "/ok", 200, 5)
	n.get(t, "/moved", 301, 3)
	n.get(t, "/missing", 404, 2)
	n.get(t, "/fail", 500, 1)
	for _, ms := range []int{20, 40, 60, 80} {
		n.get(t, fmt.Sprintf("/slow?ms=%d", ms), 200, 1)
	}
	n.waitLogged(t, base)
	h.Advance(time.Minute)
	got := collect()
	want := map[string]float64{"total_count": 15, "2xx_count": 9, "3xx_count": 3, "4xx_count": 2, "5xx_count": 1}
	times := loggedTimes(t, []string{n.ltsv}, before)
	require.Len(t, times, 15)
	check := func(got map[string]map[string]float64, want map[string]float64, times []float64, slowest float64) {
		t.Helper()
		for name, v := range got {
			prefix := map[string]string{"ltsv guessed": "guess", "combined as apache": "apache"}[name]
			if prefix == "" {
				prefix = "accesslog"
			}
			for k, w := range want {
				assert.Equal(t, w, v[prefix+".access_num."+k], "%s %s", name, k)
			}
			for _, c := range []string{"2xx", "3xx", "4xx", "5xx"} {
				assert.InDelta(t, want[c+"_count"]*100/want["total_count"], v[prefix+".access_rate."+c+"_percentage"], 1e-9, "%s %s", name, c)
			}
			if strings.HasPrefix(name, "combined") {
				assert.NotContains(t, v, prefix+".latency.average", "combined has no request time")
				continue
			}
			sorted := slices.Sorted(slices.Values(times))
			sum := 0.0
			for _, x := range times {
				sum += x
			}
			assert.InDelta(t, sum/float64(len(times)), v[prefix+".latency.average"], 1e-9, name)
			for _, p := range []int{90, 95, 99} {
				rank := (p*len(sorted) + 99) / 100 // ceil
				assert.Equal(t, sorted[rank-1], v[fmt.Sprintf("%s.latency.%d_percentile", prefix, p)], "%s p%d", name, p)
			}
			assert.GreaterOrEqual(t, v[prefix+".latency.99_percentile"], slowest, "the slowest request")
		}
	}
	check(got, want, times, 0.08)
	before = len(loggedTimes(t, []string{n.ltsv}, 0))

	// Two rotations between runs, requests before and after each reopen.
	n.get(t, "/ok", 200, 2)
	n.rotate(t)
	n.get(t, "/missing", 404, 3)
	n.rotate(t)
	n.get(t, "/fail", 500, 2)
	n.get(t, "/slow?ms=30", 200, 1)
	n.waitLogged(t, base)
	h.Advance(time.Minute)
	got = collect()
	want = map[string]float64{"total_count": 8, "2xx_count": 3, "3xx_count": 0, "4xx_count": 3, "5xx_count": 2}
	times = loggedTimes(t, []string{n.ltsv + ".2", n.ltsv + ".1", n.ltsv}, before)
	require.Len(t, times, 8)
	check(got, want, times, 0.03)

	// Nothing new: zeros.
	h.Advance(time.Minute)
	for name, v := range collect() {
		assert.Len(t, v, 5, name)
		for k, x := range v {
			assert.Zero(t, x, "%s %s", name, k)
		}
	}
}
