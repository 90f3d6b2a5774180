package checkdns

import (
	"net"
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

// ask runs check-dns against the real dnsmasq.
func ask(t *testing.T, args ...string) plugintest.Result {
	t.Helper()
	addr := dnsmasq.Get(t, startDnsmasq)
	host, port, _ := net.SplitHostPort(addr)
	return plugintest.New(t, Plugin).Run(append([]string{"-s", host, "-p", port}, args...)...)
}

func TestAnswersFromTheRealServer(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-H", "host.teko.test"}, 0, "DNS OK: host.teko.test. A 192.0.2.10, 192.0.2.11 ("},
		{[]string{"-H", "host.teko.test", "-q", "aaaa"}, 0, "DNS OK: host.teko.test. AAAA 2001:db8::10 ("},
		{[]string{"-H", "teko.test", "-q", "MX"}, 0, "DNS OK: teko.test. MX 10 mail.teko.test. ("},
		// An MX target as operators write it: no final dot, any case.
		{[]string{"-H", "teko.test", "-q", "MX", "-e", "10 Mail.teko.test"}, 0, "DNS OK: teko.test. MX 10 mail.teko.test. as expected"},
		{[]string{"-H", "teko.test", "-q", "MX", "-e", "20 mail.teko.test"}, 2, "none of the expected 20 mail.teko.test"},
		{[]string{"-H", "teko.test", "-q", "TXT", "-e", "v=spf1 -all"}, 0, "DNS OK: teko.test. TXT v=spf1 -all as expected"},
		{[]string{"-H", "www.teko.test", "-q", "CNAME", "-e", "HOST.teko.test"}, 0, "DNS OK: www.teko.test. CNAME host.teko.test. as expected"},
		{[]string{"-H", "missing.teko.test"}, 2, "DNS CRITICAL: 127.0.0.1:"},
		{[]string{"-H", "mail.teko.test", "-q", "AAAA"}, 2, "answered NXDOMAIN for mail.teko.test. AAAA"},
		{[]string{"-H", "teko.test", "-q", "A"}, 2, "DNS CRITICAL: teko.test. has no A record at 127.0.0.1:"},
	} {
		r := ask(t, tc.args...)
		assert.Equal(t, tc.code, r.Code, "%v: %v", tc.args, r)
		assert.Contains(t, r.Stdout, tc.want, "%v", tc.args)
	}
}

func TestCNAMEChainsAreComparedByTheirFinalAddresses(t *testing.T) {
	// deep → www → host: the original was CRITICAL "not supported query type" here.
	r := ask(t, "-H", "deep.teko.test", "-e", "192.0.2.11", "-e", "192.0.2.10")
	assert.Equal(t, 0, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "DNS OK: deep.teko.test. A 192.0.2.10, 192.0.2.11 via www.teko.test → host.teko.test as expected")

	r = ask(t, "-H", "deep.teko.test", "-e", "192.0.2.10")
	assert.Equal(t, 1, r.Code, "more than expected: %v", r)
	r = ask(t, "-H", "deep.teko.test", "-e", "192.0.2.10", "-e", "192.0.2.10", "-e", "192.0.2.99")
	assert.Equal(t, 1, r.Code, "some expected missing: %v", r)
	assert.Contains(t, r.Stdout, "without the expected 192.0.2.99")
	r = ask(t, "-H", "deep.teko.test", "-e", "192.0.2.99")
	assert.Equal(t, 2, r.Code, "none: %v", r)
	r = ask(t, "-H", "host.teko.test", "-q", "AAAA", "-e", "2001:0db8:0:0::10")
	assert.Equal(t, 0, r.Code, "addresses compare as addresses: %v", r)
}

// TestValuesMatchDig compares what the check prints with what dig, when
// installed, gets from the same server.
func TestValuesMatchDig(t *testing.T) {
	dig, err := exec.LookPath("dig")
	if err != nil {
		t.Skip("dig not installed (bind9-dnsutils)")
	}
	addr := dnsmasq.Get(t, startDnsmasq)
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command(dig, "+short", "@"+host, "-p", port, "host.teko.test", "A").Output()
	require.NoError(t, err)
	r := ask(t, "-H", "host.teko.test")
	for _, a := range strings.Fields(string(out)) {
		assert.Contains(t, r.Stdout, a)
	}
}

func TestNorecAndPerfdata(t *testing.T) {
	r := ask(t, "-H", "host.teko.test", "--norec", "--format", "nagios")
	assert.Equal(t, 0, r.Code, "%v", r)
	assert.Regexp(t, `\| time=[0-9.]+s$`, strings.TrimSpace(r.Stdout))
}

func TestSilentServerEndsWithinTheRun(t *testing.T) {
	_, port, _ := net.SplitHostPort(servertest.Silent(t, "udp"))
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-dns")
	start := time.Now()
	out, err := exec.Command(exe, "-H", "host.teko.test", "-s", "127.0.0.1", "-p", port, "-t", "1").Output()
	elapsed := time.Since(start)
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 2, ee.ExitCode(), "%s", out)
	assert.Less(t, elapsed, 3*time.Second)
	assert.Regexp(t, `^DNS CRITICAL: 127\.0\.0\.1:`+port+` did not answer for host\.teko\.test\. A: no answer within \d+ms\n`, string(out))
}

func TestServerDownIsCritical(t *testing.T) {
	_, p, _ := net.SplitHostPort(servertest.ClosedPort(t, "udp")) // nothing listens: the kernel refuses
	r := plugintest.New(t, Plugin).Run("-H", "x.teko.test", "-s", "127.0.0.1", "-p", p, "-t", "2")
	assert.Equal(t, 2, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "did not answer")
}

func TestGarbageAnswerIsCritical(t *testing.T) {
	_, port, _ := net.SplitHostPort(servertest.ServeUDP(t, "udp", "", func([]byte) []byte {
		return []byte("HTTP/1.1 400 Bad Request\r\n\r\n")
	}))
	r := plugintest.New(t, Plugin).Run("-H", "x.teko.test", "-s", "127.0.0.1", "-p", port, "-t", "1")
	assert.Equal(t, 2, r.Code, "%v", r)
	assert.True(t, strings.HasPrefix(r.Stdout, "DNS CRITICAL: 127.0.0.1:"+port+" answered x.teko.test. A with something that is not a DNS message: "), "%v", r)
}

func TestBadFlagsAreUnknown(t *testing.T) {
	for _, args := range [][]string{
		{},                                     // -H is required
		{"-H", "x.test", "-q", "NOPE"},         // the original was CRITICAL here
		{"-H", "x.test", "-p", "0"},            // not a port
		{"-H", "x.test", "-e", "not-an-ip"},    // A compares addresses
		{"-H", "bad..name", "-s", "127.0.0.1"}, // not a name
	} {
		r := plugintest.New(t, Plugin).Run(args...)
		assert.Equal(t, 3, r.Code, "%v: %v", args, r)
		assert.True(t, strings.HasPrefix(r.Stdout, "DNS UNKNOWN: "), "%v: %v", args, r)
	}
}

func TestDefaultServerFromResolvConf(t *testing.T) {
	addr := dnsmasq.Get(t, startDnsmasq)
	host, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(t.TempDir(), "resolv.conf")
	require.NoError(t, os.WriteFile(conf, []byte("# test\nsearch example\nnameserver "+host+"\n"), 0o644))
	p := *Plugin
	p.New = func() any { return &options{resolvConf: conf} }
	r := plugintest.New(t, &p).Run("-H", "host.teko.test", "-p", port)
	assert.Equal(t, 0, r.Code, "%v", r)

	empty := filepath.Join(t.TempDir(), "resolv.conf")
	require.NoError(t, os.WriteFile(empty, []byte("search example\n"), 0o644))
	p.New = func() any { return &options{resolvConf: empty} }
	r = plugintest.New(t, &p).Run("-H", "host.teko.test")
	assert.Equal(t, 3, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "no nameserver in "+empty)
}

// A server that answers "truncated" over UDP and hangs over TCP: the
// message says the TCP retry is what hung.
func TestTruncatedThenSilentOverTCP(t *testing.T) {
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer udp.Close()
	port := strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port)
	tcp, err := net.Listen("tcp", "127.0.0.1:"+port)
	require.NoError(t, err)
	defer tcp.Close()
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := udp.ReadFrom(buf)
			if err != nil || n < 12 {
				return
			}
			buf[2] |= 0x82 // an answer, truncated
			udp.WriteTo(buf[:n], from)
		}
	}()
	go func() { // accepts, never answers
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := tcp.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	r := plugintest.New(t, Plugin).Run("-H", "x.teko.test", "-s", "127.0.0.1", "-p", port, "-t", "1")
	assert.Equal(t, 2, r.Code, "%v", r)
	assert.Regexp(t, `did not answer for x\.teko\.test\. A: no answer over TCP \(the UDP answer was truncated\) within \d+ms\n`, r.Stdout)
}

// -s may carry the port, as operators write a server address
// ("127.0.0.1:5353", "[::1]:5353"); a -p that says otherwise is refused.
func TestServerWithPort(t *testing.T) {
	addr := dnsmasq.Get(t, startDnsmasq)
	r := plugintest.New(t, Plugin).Run("-H", "host.teko.test", "-s", addr)
	assert.Equal(t, 0, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "("+addr+")")
	_, port, _ := net.SplitHostPort(addr)
	r = plugintest.New(t, Plugin).Run("-H", "host.teko.test", "-s", addr, "-p", port)
	assert.Equal(t, 0, r.Code, "%v", r)
	r = plugintest.New(t, Plugin).Run("-H", "host.teko.test", "-s", "[::1]:1", "-p", "2")
	assert.Equal(t, 3, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, `DNS UNKNOWN: -s "[::1]:1" has port 1 and -p says 2: give one`)
	for _, server := range []string{"::1", "[::1]"} { // bare IPv6, -p's port
		o := &options{Server: server, Port: 5353}
		got, err := o.server()
		require.NoError(t, err)
		assert.Equal(t, "[::1]:5353", got, server)
	}
}
