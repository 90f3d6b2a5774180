package checkhttp

import (
	"bufio"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// faultServer accepts connections on 127.0.0.1 and hands each to
// handle; it returns the server's URL.
func faultServer(t *testing.T, handle func(c net.Conn)) string {
	t.Helper()
	return "http://" + servertest.Serve(t, "tcp", "", handle) + "/"
}

// readRequest reads a request's header, so that the client has sent it.
func readRequest(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil || line == "\r\n" {
			return
		}
	}
}

var faults = map[string]func(c net.Conn){
	"accept and hang": func(c net.Conn) {},
	"headers then hang": func(c net.Conn) {
		readRequest(c)
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nstart"))
	},
	"body that never ends, slowly": func(c net.Conn) {
		readRequest(c)
		c.Write([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"))
		for {
			if _, err := c.Write([]byte("1\r\nx\r\n")); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	},
	"header line that never ends": func(c net.Conn) {
		readRequest(c)
		c.Write([]byte("HTTP/1.1 200 OK\r\nX-Long: "))
		for {
			if _, err := c.Write([]byte("y")); err != nil {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	},
	"garbage": func(c net.Conn) {
		readRequest(c)
		c.Write([]byte("\x00\x01 this is not HTTP\r\n\r\n"))
		c.Close()
	},
	"closed at once": func(c net.Conn) { c.Close() },
	"500": func(c net.Conn) {
		readRequest(c)
		c.Write([]byte("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops"))
		c.Close()
	},
}

// Every fault ends the run before -t with CRITICAL naming the URL: a
// server that hangs is the service's failure, not the plugin's UNKNOWN.
func TestFaultServersEndWithinTimeout(t *testing.T) {
	const timeout = time.Second
	for name, handle := range faults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := faultServer(t, handle)
			start := time.Now()
			r := plugintest.New(t, Plugin).Run("-u", u, "-t", "1")
			elapsed := time.Since(start)
			// CRITICAL naming the cause proves the check ended it before
			// -t (the runtime's deadline would be UNKNOWN "timed out");
			// the wall time is checked loosely, for loaded machines.
			assert.Less(t, elapsed, timeout+2*time.Second)
			assert.Equal(t, 2, r.Code, r.Stdout)
			assert.True(t, strings.HasPrefix(r.Stdout, "HTTP CRITICAL: "), r.Stdout)
			if name != "500" {
				assert.Contains(t, r.Stdout, u, "the message names the URL")
			}
			if strings.Contains(name, "hang") || strings.Contains(name, "never ends") {
				assert.Regexp(t, `no complete response within \d+ms`, r.Stdout)
			}
		})
	}
}

// A body that never ends but comes fast is read up to the cap and
// judged: the run neither hangs nor fills the memory.
func TestEndlessFastBodyIsCapped(t *testing.T) {
	u := faultServer(t, func(c net.Conn) {
		readRequest(c)
		c.Write([]byte("HTTP/1.1 200 OK\r\n\r\n"))
		chunk := []byte(strings.Repeat("z", 64<<10))
		for {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	})
	start := time.Now()
	r := plugintest.New(t, Plugin).Run("-u", u, "-p", "^z+$", "-t", "5")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "HTTP OK: HTTP/1.1 200 OK - more than 1048576 bytes\n", r.Stdout)
}

// The built binary, as the agent runs it, ends within -t against a
// server that accepts and never answers.
func TestBinaryEndsWithinTimeout(t *testing.T) {
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-http")
	u := faultServer(t, faults["accept and hang"])
	start := time.Now()
	out, err := exec.Command(exe, "-u", u, "-t", "2").Output()
	elapsed := time.Since(start)
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Less(t, elapsed, 4*time.Second) // loosely; the message proves the check ended it
	assert.Regexp(t, `^HTTP CRITICAL: `+strings.ReplaceAll(u, ".", `\.`)+`: no complete response within 1(\.\d+)?s\n$`, string(out))
}

// -w/-c: a response slower than the thresholds is WARNING or CRITICAL,
// with the time in a detail line and the perfdata.
func TestResponseTimeThresholds(t *testing.T) {
	u := faultServer(t, func(c net.Conn) {
		readRequest(c)
		time.Sleep(300 * time.Millisecond)
		c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
		c.Close()
	})
	h := plugintest.New(t, Plugin)
	r := h.Run("-u", u, "-w", "0.1", "-c", "5", "--format", "nagios")
	assert.Equal(t, 1, r.Code, r.Stdout)
	assert.Regexp(t, `^HTTP WARNING: HTTP/1\.1 200 OK - 2 bytes \| time=0\.[3-9]\d*s;0\.1;5;0 size=2B;;;0\nresponse time 0\.\d{3} s is over --warning 0\.1 s\n0\.\d{6} second response time\n$`, r.Stdout)
	r = h.Run("-u", u, "-w", "0.05", "-c", "0.1")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "is over --critical 0.1 s")
	r = h.Run("-u", u, "-w", "4", "-c", "5")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "HTTP OK: HTTP/1.1 200 OK - 2 bytes\n", r.Stdout)
}

// A server that closes the connection without answering is named as
// such (Go alone says "EOF"), by the built binary.
func TestBinaryNamesAnEarlyClose(t *testing.T) {
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-http")
	u := faultServer(t, func(c net.Conn) { readRequest(c); c.Close() })
	out, err := exec.Command(exe, "-u", u, "-t", "2").Output()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Equal(t, "HTTP CRITICAL: "+u+": the server closed the connection without a response\n", string(out))
}

// A proxy from the environment that hangs is named in the message (its
// password masked): the site is not what failed. The built binary, so
// that the environment is read as under mackerel-agent.
func TestBinaryNamesAHungProxyFromTheEnvironment(t *testing.T) {
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-http")
	proxy := strings.TrimSuffix(strings.TrimPrefix(faultServer(t, faults["accept and hang"]), "http://"), "/")
	for _, u := range []string{"http://site.example/", "https://site.example/"} {
		cmd := exec.Command(exe, "-u", u, "-t", "2")
		cmd.Env = append(cmd.Environ(), "HTTP_PROXY=http://u:envs3cret@"+proxy, "HTTPS_PROXY=http://u:envs3cret@"+proxy, "NO_PROXY=")
		start := time.Now()
		out, err := cmd.Output()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit)
		assert.Equal(t, 2, exit.ExitCode(), "%s", out)
		assert.Less(t, time.Since(start), 4*time.Second)
		assert.Regexp(t, `^HTTP CRITICAL: `+regexp.QuoteMeta(u+": through proxy http://u:xxxxx@"+proxy+": no complete response within ")+`1(\.\d+)?s\n$`, string(out))
	}
}
