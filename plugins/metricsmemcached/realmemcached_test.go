//go:build !windows

package metricsmemcached_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
	"github.com/teko-dev/teko/plugins/metricsmemcached"
)

var shared servertest.Shared[*servertest.Memcached]

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	shared.Close()
	os.Exit(code)
}

func get(t *testing.T) *servertest.Memcached {
	return shared.Get(t, func() (*servertest.Memcached, func(), error) { return servertest.StartMemcached() })
}

// session is a raw text-protocol connection, the test's own client.
type session struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *session {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return &session{t, c, bufio.NewReader(c)}
}

// do sends a request and reads lines until one of the final answers.
func (s *session) do(req string, ends ...string) []string {
	_, err := s.c.Write([]byte(req))
	require.NoError(s.t, err)
	var lines []string
	for {
		line, err := s.r.ReadString('\n')
		require.NoError(s.t, err)
		line = strings.TrimRight(line, "\r\n")
		lines = append(lines, line)
		for _, e := range ends {
			if line == e {
				return lines
			}
		}
	}
}

func (s *session) stats() map[string]float64 {
	out := map[string]float64{}
	for _, line := range s.do("stats\r\n", "END") {
		f := strings.Fields(line)
		if len(f) == 3 {
			if v, err := strconv.ParseFloat(f[2], 64); err == nil {
				out[f[1]] = v
			}
		}
	}
	return out
}

func TestValuesMatchStats(t *testing.T) {
	mc := get(t)
	s := dial(t, mc.Addr())
	h := plugintest.New(t, metricsmemcached.Plugin)
	args := []string{"-host", "127.0.0.1", "-port", strconv.Itoa(mc.Port)}
	before := s.stats()
	h.Values(h.Run(args...), args...)
	for i := range 7 {
		s.do(fmt.Sprintf("set k%d 0 0 5\r\nhello\r\n", i), "STORED")
	}
	for i := range 4 {
		s.do(fmt.Sprintf("get k%d\r\n", i), "END")
	}
	for range 3 {
		s.do("get missing\r\n", "END")
	}
	s.do("delete k6\r\n", "DELETED")
	s.do("touch k5 100\r\n", "TOUCHED")
	h.Advance(time.Minute)
	r := h.Run(args...)
	v := h.Values(r, args...)
	after := s.stats()
	assert.Empty(t, r.Stderr)

	// Per minute over exactly one minute: the difference of the totals.
	for name, field := range map[string]string{
		"memcached.cmd.cmd_get": "cmd_get", "memcached.cmd.cmd_set": "cmd_set", "memcached.cmd.cmd_touch": "cmd_touch",
		"memcached.cmd.cmd_flush":    "cmd_flush",
		"memcached.hitmiss.get_hits": "get_hits", "memcached.hitmiss.get_misses": "get_misses",
		"memcached.hitmiss.delete_hits": "delete_hits", "memcached.hitmiss.touch_hits": "touch_hits",
		"memcached.items.new_items": "total_items", "memcached.evictions.evictions": "evictions",
	} {
		assert.Equal(t, after[field]-before[field], v[name], name)
	}
	assert.Equal(t, 7.0, v["memcached.cmd.cmd_set"])
	assert.Equal(t, 4.0, v["memcached.hitmiss.get_hits"])
	assert.Equal(t, 3.0, v["memcached.hitmiss.get_misses"])
	assert.Equal(t, after["curr_items"], v["memcached.items.curr_items"])
	assert.Equal(t, after["limit_maxbytes"], v["memcached.cachesize.limit_maxbytes"])
	assert.Equal(t, 64.0*1024*1024, v["memcached.cachesize.limit_maxbytes"])
	assert.Equal(t, after["bytes"], v["memcached.cachesize.bytes"])
	assert.InDelta(t, after["curr_connections"], v["memcached.connections.curr_connections"], 1, "the plugin's own connection comes and goes")
	assert.Greater(t, v["memcached.bytes.bytes_read"], 7*5.0)
	assert.InDelta(t, after["bytes_read"]-before["bytes_read"], v["memcached.bytes.bytes_read"], 40, "one stats request on each side")
	assert.InDelta(t, after["rusage_user"]-before["rusage_user"], v["memcached.rusage.rusage_user"], 0.05, "CPU seconds per minute")
	assert.Contains(t, v, "memcached.rusage.rusage_system")
	assert.Equal(t, 0.0, v["memcached.evictions.nonzero_evictions"])
	for _, n := range []string{"reclaimed", "nonzero_evictions"} {
		assert.Contains(t, v, "memcached.evictions."+n)
	}
	for _, n := range []string{"expired_unfetched", "evicted_unfetched"} {
		assert.Contains(t, v, "memcached.unfetched."+n)
	}
}

// A memcached that accepted the connection and stopped answering ends
// the run within -t, with nothing printed; the original had no deadline.
func TestStoppedServer(t *testing.T) {
	mc := get(t)
	pid := mc.Process.Cmd.Process.Pid
	require.NoError(t, syscall.Kill(pid, syscall.SIGSTOP))
	defer syscall.Kill(pid, syscall.SIGCONT)
	h := plugintest.New(t, metricsmemcached.Plugin)
	start := time.Now()
	r := h.Run("-host", "127.0.0.1", "-port", strconv.Itoa(mc.Port), "-t", "2")
	assert.Less(t, time.Since(start), 4*time.Second) // -t 2; slack for a loaded CI machine
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "no answer before the deadline")
}

func TestDown(t *testing.T) {
	free, err := servertest.FreePort()
	require.NoError(t, err)
	h := plugintest.New(t, metricsmemcached.Plugin)
	r := h.Run("-host", "127.0.0.1", "-port", strconv.Itoa(free))
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "refused")
}

// --format prometheus prints the CPU counters' running totals in seconds,
// as memcached's stats reports them (and as the graph's unit says), not
// in the microseconds the plugin keeps: a rate() of them is CPU seconds
// per second.
func TestPrometheusCPUTotalsInSeconds(t *testing.T) {
	mc := get(t)
	s := dial(t, mc.Addr())
	h := plugintest.New(t, metricsmemcached.Plugin)
	before := s.stats()
	r := h.Run("-host", "127.0.0.1", "-port", strconv.Itoa(mc.Port), "--format", "prometheus")
	after := s.stats()
	require.Equal(t, 0, r.Code, r.Stderr)
	for _, f := range []string{"rusage_user", "rusage_system"} {
		var got float64
		for _, line := range strings.Split(r.Stdout, "\n") {
			if v, ok := strings.CutPrefix(line, "memcached_rusage_"+f+"_total "); ok {
				var err error
				got, err = strconv.ParseFloat(v, 64)
				require.NoError(t, err)
			}
		}
		assert.GreaterOrEqual(t, got, before[f], "%s: seconds, as stats says (%v)", f, before[f])
		assert.LessOrEqual(t, got, after[f], "%s: seconds, as stats says (%v)", f, after[f])
	}
}
