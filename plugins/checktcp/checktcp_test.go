package checktcp

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/certinfo/certtest"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

func run(t *testing.T, args ...string) plugintest.Result {
	t.Helper()
	return plugintest.New(t, Plugin).Run(args...)
}

// server listens on network/addr (as net.Listen's) and hands each
// connection to handle; it returns the port ("" for unix).
func server(t *testing.T, network, addr string, handle func(c net.Conn)) string {
	t.Helper()
	_, port, _ := net.SplitHostPort(servertest.Serve(t, network, addr, handle))
	return port
}

// smtp greets, answers one line, and says goodbye to QUIT; it records
// what it received.
type smtp struct {
	mu   sync.Mutex
	got  []string
	wait time.Duration // before the greeting
}

func (s *smtp) handle(c net.Conn) {
	defer c.Close()
	time.Sleep(s.wait)
	c.Write([]byte("220 mail.test ESMTP ready\r\n"))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		s.mu.Lock()
		s.got = append(s.got, line)
		s.mu.Unlock()
		if strings.HasPrefix(line, "QUIT") {
			c.Write([]byte("221 bye\r\n"))
			return
		}
	}
}

func (s *smtp) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

func TestSMTPExchange(t *testing.T) {
	s := &smtp{}
	port := server(t, "tcp", "127.0.0.1:0", s.handle)
	r := run(t, "-H", "127.0.0.1", "-p", port, "-e", "^220", "-q", "QUIT")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "TCP OK: 127.0.0.1 port "+port+" answered [220 mail.test ESMTP ready]\n", r.Stdout)
	require.Eventually(t, func() bool { return len(s.received()) == 1 }, 2*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{"QUIT\r\n"}, s.received(), "the quit string gets \\r\\n")

	// --service SMTP sets the pattern and the quit; the title is the service.
	r = run(t, "--service", "smtp", "-H", "127.0.0.1", "-p", port, "--format", "nagios", "-w", "3", "-c", "5")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Regexp(t, `^SMTP OK: 127\.0\.0\.1 port `+port+` answered \[220 mail\.test ESMTP ready\] \| time=0\.\d+s;3;5;0\n$`, r.Stdout)
}

// A banner that arrives in two writes is read until the pattern matches
// (the original stopped at the first read: "220 hel").
func TestBannerInSeveralWrites(t *testing.T) {
	port := server(t, "tcp", "127.0.0.1:0", func(c net.Conn) {
		c.Write([]byte("220 hel"))
		time.Sleep(100 * time.Millisecond)
		c.Write([]byte("lo ESMTP\r\n"))
		time.Sleep(time.Second)
		c.Close()
	})
	r := run(t, "-H", "127.0.0.1", "-p", port, "-e", `^220 hello ESMTP\r\n`)
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "TCP OK: 127.0.0.1 port "+port+" answered [220 hello ESMTP]\n", r.Stdout)
}

// IPv6 literals, bracketed or not, with presets too (the original built
// "::1:25" and failed: too many colons in address).
func TestIPv6Literal(t *testing.T) {
	s := &smtp{}
	port := server(t, "tcp", "[::1]:0", s.handle)
	for _, host := range []string{"::1", "[::1]"} {
		r := run(t, "--service", "SMTP", "-H", host, "-p", port)
		assert.Equal(t, 0, r.Code, r.Stdout)
		assert.Equal(t, "SMTP OK: "+host+" port "+port+" answered [220 mail.test ESMTP ready]\n", r.Stdout)
	}
	// The port in -H, as operators write an address.
	for _, args := range [][]string{{"-H", "[::1]:" + port}, {"-H", "[::1]:" + port, "-p", port}, {"--service", "SMTP", "-H", "[::1]:" + port}} {
		r := run(t, args...)
		assert.Equal(t, 0, r.Code, "%v: %s", args, r.Stdout)
		assert.Contains(t, r.Stdout, "::1 port "+port+" ", args)
	}
}

func TestSendExpectEscape(t *testing.T) {
	port := server(t, "tcp", "127.0.0.1:0", func(c net.Conn) {
		defer c.Close()
		line, _ := bufio.NewReader(c).ReadString('\n')
		if line == "PING\r\n" {
			c.Write([]byte("+PONG\r\n"))
		} else {
			fmt.Fprintf(c, "-ERR got %q\r\n", line)
		}
	})
	r := run(t, "-H", "127.0.0.1", "-p", port, "-E", "-s", `PING\r\n`, "-e", `^\+PONG`)
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "TCP OK: 127.0.0.1 port "+port+" answered [+PONG]\n", r.Stdout)

	// Without -E the backslashes are sent as they are: the server never
	// sees a line end, and the check says what arrived so far.
	r = run(t, "-H", "127.0.0.1", "-p", port, "-s", `PING\r\n`, "-e", `^\+PONG`, "-t", "1")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Regexp(t, `^TCP CRITICAL: 127\.0\.0\.1:`+port+`: read: no answer within \d+ms; the response so far from 127\.0\.0\.1 port `+port+`: ""\nexpected /\^\\\+PONG/\n$`, r.Stdout)

	assert.Equal(t, "a\nb\r\tc\\d\\x", unescape(`a\nb\r\tc\\d\x`))
}

func TestUnexpectedResponse(t *testing.T) {
	port := server(t, "tcp", "127.0.0.1:0", func(c net.Conn) {
		c.Write([]byte("554 no service here\r\n"))
		c.Close()
	})
	r := run(t, "--service", "SMTP", "-H", "127.0.0.1", "-p", port)
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, "SMTP CRITICAL: the server closed the connection with an unexpected response from 127.0.0.1 port "+port+": \"554 no service here\\r\\n\"\nexpected /^220/\n", r.Stdout)
	r = run(t, "--service", "SMTP", "-H", "127.0.0.1", "-p", port, "-W")
	assert.Equal(t, 1, r.Code, "-W: an unexpected answer is WARNING")
	r = run(t, "--service", "SMTP", "-H", "127.0.0.1", "-p", port, "--status-as", "critical=ok,warning=critical")
	assert.Equal(t, 0, r.Code)
	assert.Contains(t, r.Stdout, "status CRITICAL mapped to OK")
}

func TestRefusedAndExpectClosed(t *testing.T) {
	_, port, _ := net.SplitHostPort(servertest.ClosedPort(t, "tcp"))
	r := run(t, "-H", "127.0.0.1", "-p", port)
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, "TCP CRITICAL: 127.0.0.1:"+port+": connect: connection refused\n", r.Stdout)
	r = run(t, "-H", "127.0.0.1", "-p", port, "-W")
	assert.Equal(t, 1, r.Code)
	r = run(t, "-H", "127.0.0.1", "-p", port, "-C")
	assert.Equal(t, 0, r.Code)
	assert.Equal(t, "TCP OK: 127.0.0.1 port "+port+" is closed, as expected\n", r.Stdout)
	r = run(t, "-H", "127.0.0.1", "-p", port, "--status-as", "critical=warning")
	assert.Equal(t, 1, r.Code)

	open := server(t, "tcp", "127.0.0.1:0", func(c net.Conn) { c.Close() })
	r = run(t, "-H", "127.0.0.1", "-p", open, "-C")
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, "TCP CRITICAL: 127.0.0.1 port "+open+" is open, expected closed\n", r.Stdout)
	assert.Equal(t, 1, run(t, "-H", "127.0.0.1", "-p", open, "-C", "-W").Code)
}

func TestUnixSocket(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix sockets")
	}
	dir, err := servertest.TempDir("tcp")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "app.sock")
	s := &smtp{}
	server(t, "unix", sock, s.handle)
	r := run(t, "-U", sock, "-e", "^220", "-q", "QUIT")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "TCP OK: socket "+sock+" answered [220 mail.test ESMTP ready]\n", r.Stdout)
	r = run(t, "-U", filepath.Join(dir, "none.sock"))
	assert.Equal(t, 2, r.Code)
	assert.Contains(t, r.Stdout, "none.sock: connect: no such file or directory")
	r = run(t, "-U", filepath.Join(dir, "none.sock"), "-C")
	assert.Equal(t, 0, r.Code)
}

func TestResponseTimeThresholds(t *testing.T) {
	s := &smtp{wait: 300 * time.Millisecond}
	port := server(t, "tcp", "127.0.0.1:0", s.handle)
	r := run(t, "--service", "smtp", "-H", "127.0.0.1", "-p", port, "-w", "0.1", "-c", "5")
	assert.Equal(t, 1, r.Code, r.Stdout)
	assert.Regexp(t, `^SMTP WARNING: 127\.0\.0\.1 port `+port+` answered \[220 mail\.test ESMTP ready\]\n0\.\d{3} seconds response time, over --warning 0\.1\n$`, r.Stdout)
	r = run(t, "--service", "smtp", "-H", "127.0.0.1", "-p", port, "-w", "0.1", "-c", "0.2")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "over --critical 0.2")
	r = run(t, "--service", "smtp", "-H", "127.0.0.1", "-p", port, "-c", "0.2", "-W")
	assert.Equal(t, 2, r.Code, "-W does not soften a response-time CRITICAL")
}

func TestTLS(t *testing.T) {
	ca := certtest.MustNew(certtest.Spec{CN: "check-tcp test CA", CA: true}, nil)
	leaf := certtest.MustNew(certtest.Spec{CN: "localhost", DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, ca)
	pair, err := tls.X509KeyPair(leaf.PEM(), leaf.KeyPEM())
	require.NoError(t, err)
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}}
	port := server(t, "tcp", "", func(c net.Conn) {
		tc := tls.Server(c, cfg)
		tc.Write([]byte("* OK IMAP ready\r\n"))
		time.Sleep(500 * time.Millisecond)
		tc.Close()
	})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, ca.PEM(), 0o600))

	r := run(t, "--service", "SIMAP", "-H", "localhost", "-p", port)
	assert.Equal(t, 2, r.Code)
	assert.Contains(t, r.Stdout, "SIMAP CRITICAL: localhost:"+port+": TLS handshake: tls: failed to verify certificate: x509: certificate signed by unknown authority")
	r = run(t, "--service", "SIMAP", "-H", "localhost", "-p", port, "--ca-file", caFile)
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "SIMAP OK: localhost port "+port+" answered [* OK IMAP ready]\n", r.Stdout)
	r = run(t, "-S", "-H", "127.0.0.1", "-p", port, "--no-check-certificate", "-e", `^\* OK`)
	assert.Equal(t, 0, r.Code, r.Stdout)
}

// Fault servers: whatever the server does, the run ends before -t, and a
// server that hangs is CRITICAL naming the address.
func TestFaultServersEndWithinTimeout(t *testing.T) {
	faults := map[string]func(c net.Conn){
		"accept and hang":         func(c net.Conn) {},
		"half a banner then hang": func(c net.Conn) { c.Write([]byte("220 hel")) },
		"garbage forever": func(c net.Conn) {
			for {
				if _, err := c.Write([]byte("\x00garbage\xff")); err != nil {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		},
		"never reads what is sent": func(c net.Conn) { c.Write([]byte("220 ok\r\n")) },
	}
	for name, handle := range faults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			port := server(t, "tcp", "127.0.0.1:0", handle)
			start := time.Now()
			r := run(t, "-H", "127.0.0.1", "-p", port, "-e", "^220 hello", "-s", strings.Repeat("x", 4<<20), "-t", "1")
			// CRITICAL naming the cause proves the check ended it before
			// -t (the runtime's deadline would be UNKNOWN "timed out").
			assert.Less(t, time.Since(start), 3*time.Second)
			assert.Equal(t, 2, r.Code, r.Stdout)
			assert.Regexp(t, `^TCP CRITICAL: 127\.0\.0\.1:`+port+`: (read|write): no answer within \d+ms`, r.Stdout)
		})
	}
}

// The built binary against a server that accepts and never answers.
func TestBinaryEndsWithinTimeout(t *testing.T) {
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-tcp")
	port := server(t, "tcp", "127.0.0.1:0", func(net.Conn) {})
	start := time.Now()
	out, err := exec.Command(exe, "--service", "SMTP", "-H", "127.0.0.1", "-p", port, "-t", "2").Output()
	assert.Less(t, time.Since(start), 4*time.Second) // loosely; the message proves the check ended it
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Regexp(t, `^SMTP CRITICAL: 127\.0\.0\.1:`+port+`: read: no answer within 1(\.\d+)?s; the response so far from 127\.0\.0\.1 port `+port+`: ""\nexpected /\^220/\n$`, string(out))
}

func TestBadOptions(t *testing.T) {
	for args, want := range map[string]string{
		"--service NNTP -H x":     `--service "NNTP": want one of FTP, POP, SPOP, IMAP, SIMAP, SMTP, SSMTP, GEARMAN`,
		"-H x":                    "no --port (or --service, or --unix-sock): where should it connect?",
		"-H x -p 1 -e (":          "--expect-pattern \"(\": error parsing regexp: missing closing ): `(`",
		"-U /s -H x":              "--unix-sock and --hostname/--port both say where to connect; give one",
		"-H x -p 1 -w -1":         "--warning, --critical and --delay are seconds, 0 or more",
		"-H x -p nosuchservice":   "invalid argument for flag `-p, --port': \"nosuchservice\": not a port number, nor a service name this system knows (want e.g. 80 or http)",
		"-H x:2 -p 1":             `-H "x:2" has port 2 and -p says 1: give one`,
		"-H smtp://x -p 1":        `-H "smtp://x": want a host name or an IP address, not a URL`,
		"-H x -p 1 --status-as x": "invalid argument for flag `--status-as': status mapping \"x\": no '='; want CODE=STATUS, LOW-HIGH=STATUS or STATUS=STATUS, e.g. 404=ok, 500-599=critical, warning=critical",
	} {
		r := run(t, strings.Fields(args)...)
		assert.Equal(t, 3, r.Code, args)
		assert.Equal(t, "TCP UNKNOWN: "+want+"\n", r.Stdout, args)
	}
}

// Real servers: nginx answers an HTTP request on a plain TCP exchange.
func TestRealNginx(t *testing.T) {
	ngx := nginx.Get(t, func() (*servertest.Nginx, func(), error) {
		return servertest.StartNginx(servertest.NginxConfig{Ports: 1, HTTP: `
    server {
        listen 127.0.0.1:{{index .Ports 0}};
        listen [::1]:{{index .Ports 0}};
        location = / { default_type text/plain; return 200 "hello\n"; }
    }`})
	})
	port := strconv.Itoa(ngx.Ports[0])
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		r := run(t, "-H", host, "-p", port, "-E", "-s", `GET / HTTP/1.0\r\n\r\n`, "-e", `(?s)^HTTP/1\.1 200 OK\r\n.*\r\n\r\nhello\n$`)
		assert.Equal(t, 0, r.Code, "%s: %s", host, r.Stdout)
		assert.True(t, strings.HasPrefix(r.Stdout, "TCP OK: "+host+" port "+port+" answered [HTTP/1.1 200 OK"), r.Stdout)
	}
	r := run(t, "-H", "127.0.0.1", "-p", port, "-E", "-s", `GET /missing HTTP/1.0\r\n\r\n`, "-e", `^HTTP/1\.1 200`)
	assert.Equal(t, 2, r.Code)
	assert.Regexp(t, `^TCP CRITICAL: the server closed the connection with an unexpected response from 127\.0\.0\.1 port `+regexp.QuoteMeta(port)+`: "HTTP/1\.1 404 Not Found`, r.Stdout)
}

// -d waits after sending, before reading (fractions of a second too;
// the original slept whole seconds before connecting).
func TestDelayAfterSend(t *testing.T) {
	var sentAt, connectedAt time.Time
	var mu sync.Mutex
	port := server(t, "tcp", "127.0.0.1:0", func(c net.Conn) {
		defer c.Close()
		mu.Lock()
		connectedAt = time.Now()
		mu.Unlock()
		line, _ := bufio.NewReader(c).ReadString('\n')
		mu.Lock()
		sentAt = time.Now()
		mu.Unlock()
		c.Write([]byte("ok " + line))
		time.Sleep(2 * time.Second)
	})
	start := time.Now()
	r := run(t, "-H", "127.0.0.1", "-p", port, "-E", "-s", `hi\n`, "-e", "^ok hi", "-d", "1.2")
	elapsed := time.Since(start)
	assert.Equal(t, 0, r.Code, r.Stdout)
	mu.Lock()
	defer mu.Unlock()
	assert.Less(t, connectedAt.Sub(start), 800*time.Millisecond, "no delay before connecting")
	assert.Less(t, sentAt.Sub(start), 800*time.Millisecond, "no delay before sending")
	assert.GreaterOrEqual(t, elapsed, 1200*time.Millisecond, "the delay, fraction included, comes after sending")

	r = run(t, "-H", "127.0.0.1", "-p", port, "-d", "9", "-t", "4")
	assert.Equal(t, 3, r.Code)
	assert.Regexp(t, `^TCP UNKNOWN: --delay 9s leaves no time to read the answer: the exchange has 3(\.\d+)?s of --timeout\n$`, r.Stdout)
}
