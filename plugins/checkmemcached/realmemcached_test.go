//go:build !windows

package checkmemcached_test

import (
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
	"github.com/teko-dev/teko/plugins/checkmemcached"
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

func TestSetAndGet(t *testing.T) {
	mc := get(t)
	h := plugintest.New(t, checkmemcached.Plugin)
	r := h.Run("-H", "127.0.0.1", "-p", strconv.Itoa(mc.Port), "-k", "teko-check")
	assert.Equal(t, 0, r.Code, "%+v", r)
	assert.Equal(t, "Memcached OK: Get,Set OK\n", r.Stdout)

	// memcached itself holds the value the check stored.
	c, err := net.DialTimeout("tcp", mc.Addr(), 5*time.Second)
	require.NoError(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = c.Write([]byte("get teko-check\r\n"))
	require.NoError(t, err)
	buf := make([]byte, 256)
	n, err := c.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, "VALUE teko-check 0 9\r\nCheck key\r\nEND\r\n", string(buf[:n]))
}

func TestFailures(t *testing.T) {
	free, err := servertest.FreePort()
	require.NoError(t, err)
	h := plugintest.New(t, checkmemcached.Plugin)
	r := h.Run("-H", "127.0.0.1", "-p", strconv.Itoa(free), "-k", "k")
	assert.Equal(t, 2, r.Code, "%+v", r)
	assert.Contains(t, r.Stdout, "Memcached CRITICAL: couldn't connect")

	for args, want := range map[string]string{
		"-k a\tb":                        "--key",
		"-p 11211":                       "`-k, --key' was not specified",
		"-k x -p 0":                      "--port 0",
		"-k " + strings.Repeat("k", 251): "at most 250",
	} {
		r := h.Run(strings.SplitN(args, " ", 4)...)
		assert.Equal(t, 3, r.Code, "%q: %+v", args, r)
		assert.True(t, strings.HasPrefix(r.Stdout, "Memcached UNKNOWN: "), r.Stdout)
		assert.Contains(t, r.Stdout, want)
	}
	r = h.Run("-k", "has space")
	assert.Equal(t, 3, r.Code, "a key with a space is a flag error: %+v", r)
	assert.Contains(t, r.Stdout, "space")
}

// A memcached that accepted the connection and stopped answering ends
// the run within -t.
func TestStoppedServer(t *testing.T) {
	mc := get(t)
	pid := mc.Process.Cmd.Process.Pid
	require.NoError(t, syscall.Kill(pid, syscall.SIGSTOP))
	defer syscall.Kill(pid, syscall.SIGCONT)
	h := plugintest.New(t, checkmemcached.Plugin)
	start := time.Now()
	r := h.Run("-H", "127.0.0.1", "-p", strconv.Itoa(mc.Port), "-k", "k", "-t", "2")
	assert.Less(t, time.Since(start), 4*time.Second) // -t 2; slack for a loaded CI machine
	assert.Equal(t, 2, r.Code, "%+v", r)
	assert.Contains(t, r.Stdout, "no answer before the deadline")
}
