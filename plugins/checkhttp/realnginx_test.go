package checkhttp

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

func run(t *testing.T, args ...string) plugintest.Result {
	t.Helper()
	return plugintest.New(t, Plugin).Run(args...)
}

// line returns the first line of out.
func line(out string) string {
	first, _, _ := strings.Cut(out, "\n")
	return first
}

func TestRealNginxOK(t *testing.T) {
	ngx := getNginx(t)
	r := run(t, "-u", ngx.URL(portHTTP, "/"))
	assert.Equal(t, 0, r.Code)
	// No timing in the OK message: it is the same every run.
	assert.Equal(t, "HTTP OK: HTTP/1.1 200 OK - "+strconv.Itoa(len(ngx.Body))+" bytes\n", r.Stdout)
	assert.Equal(t, r.Stdout, run(t, "-u", ngx.URL(portHTTP, "/")).Stdout)
	assert.Empty(t, r.Stderr)

	r = run(t, "-u", ngx.URL(portHTTP, "/"), "--format", "nagios", "-w", "5", "-c", "9")
	assert.Regexp(t, `^HTTP OK: HTTP/1\.1 200 OK - 22 bytes \| time=0\.\d+s;5;9;0 size=22B;;;0\n$`, r.Stdout)
}

func TestRealNginxIPv6(t *testing.T) {
	ngx := getNginx(t)
	r := run(t, "-u", "http://[::1]:"+strconv.Itoa(ngx.Ports[portHTTP])+"/")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "HTTP OK: HTTP/1.1 200 OK - 22 bytes\n", r.Stdout)
}

func TestRealNginxStatuses(t *testing.T) {
	ngx := getNginx(t)
	tests := []struct {
		path string
		args []string
		code int
		head string
	}{
		{"/notfound", nil, 1, "HTTP WARNING: HTTP/1.1 404 Not Found - "},
		{"/error", nil, 2, "HTTP CRITICAL: HTTP/1.1 500 Internal Server Error - "},
		{"/unavailable", nil, 2, "HTTP CRITICAL: HTTP/1.1 503 Service Temporarily Unavailable - "},
		{"/notfound", []string{"-s", "404=ok"}, 0, "HTTP OK: HTTP/1.1 404 Not Found - "},
		{"/error", []string{"-s", "500-599=warning"}, 1, "HTTP WARNING: HTTP/1.1 500 Internal Server Error - "},
		{"/unavailable", []string{"-s", "503=unknown", "-s", "500-599=ok"}, 3, "HTTP UNKNOWN: HTTP/1.1 503 Service Temporarily Unavailable - "},
		{"/", []string{"-s", "200=critical"}, 2, "HTTP CRITICAL: HTTP/1.1 200 OK - 22 bytes"},
		{"/notfound", []string{"-s", "warning=critical"}, 2, "HTTP CRITICAL: HTTP/1.1 404 Not Found - "},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			r := run(t, append([]string{"-u", ngx.URL(portHTTP, tt.path)}, tt.args...)...)
			assert.Equal(t, tt.code, r.Code, r.Stdout)
			assert.True(t, strings.HasPrefix(r.Stdout, tt.head), r.Stdout)
		})
	}
	r := run(t, "-u", ngx.URL(portHTTP, "/"), "-s", "404=fine")
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, `HTTP UNKNOWN: invalid argument for flag `+"`"+`-s, --status': status mapping "404=fine": "fine" is not a status`)
}

func TestRealNginxPatternAndBytes(t *testing.T) {
	ngx := getNginx(t)
	u := ngx.URL(portHTTP, "/")
	r := run(t, "-u", u, "-p", `hello from \w+`)
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = run(t, "-u", u, "-p", "goodbye")
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, "HTTP CRITICAL: 'goodbye' not found in the content - HTTP/1.1 200 OK - 22 bytes", line(r.Stdout))
	assert.Regexp(t, `(?m)^\d+\.\d{6} second response time$`, r.Stdout, "timing in a detail line once not OK")

	assert.Equal(t, 0, run(t, "-u", u, "-B", "22").Code)
	r = run(t, "-u", u, "-B", "21")
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, "HTTP CRITICAL: response was 22 bytes instead of 21 - HTTP/1.1 200 OK - 22 bytes", line(r.Stdout))
	assert.Equal(t, 0, run(t, "-u", u, "-g", "22").Code)
	r = run(t, "-u", u, "-g", "100")
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, "HTTP CRITICAL: response was 22 bytes instead of the indicated minimum 100 - HTTP/1.1 200 OK - 22 bytes", line(r.Stdout))

	r = run(t, "-u", u, "-p", "(unclosed")
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "HTTP UNKNOWN: --pattern \"(unclosed\": error parsing regexp: missing closing ): `(unclosed`\n", r.Stdout)
}

// A body larger than the cap is read only up to it; its declared length
// is still reported, and the pattern says where it looked.
func TestRealNginxBigBody(t *testing.T) {
	ngx := getNginx(t)
	u := ngx.URL(portHTTP, "/big")
	r := run(t, "-u", u)
	assert.Equal(t, 0, r.Code)
	assert.Equal(t, "HTTP OK: HTTP/1.1 200 OK - "+strconv.Itoa(bigSize)+" bytes\n", r.Stdout)
	assert.Equal(t, 0, run(t, "-u", u, "-B", strconv.Itoa(bigSize)).Code)
	r = run(t, "-u", u, "-p", "zzz", "--max-body", "1000")
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, "HTTP CRITICAL: 'zzz' not found in the first 1000 bytes of the content - HTTP/1.1 200 OK - "+strconv.Itoa(bigSize)+" bytes", line(r.Stdout))
}

func TestRealNginxHostHeaderAndMethod(t *testing.T) {
	ngx := getNginx(t)
	r := run(t, "-u", ngx.URL(portHTTP, "/"), "-H", "Host: vhost.test", "-p", "^the virtual host")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "HTTP OK: HTTP/1.1 200 OK - 17 bytes\n", r.Stdout)

	r = run(t, "-u", ngx.URL(portHTTP, "/ua"), "-p", `^teko/`)
	assert.Equal(t, 0, r.Code, "default User-Agent teko/<version>: %s", r.Stdout)
	r = run(t, "-u", ngx.URL(portHTTP, "/ua"), "-H", "User-Agent: check-http", "-p", `^check-http\n$`)
	assert.Equal(t, 0, r.Code, r.Stdout)

	for _, m := range []string{"POST", "PUT"} {
		r = run(t, "-u", ngx.URL(portHTTP, "/method"), "-m", m, "-d", "x=1", "-p", "^"+m+"\n")
		assert.Equal(t, 0, r.Code, r.Stdout)
	}
	r = run(t, "-u", ngx.URL(portHTTP, "/method"), "-m", "HEAD")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, 3, run(t, "-u", ngx.URL(portHTTP, "/"), "-m", "DELETE").Code)
}

func TestRealNginxBasicAuth(t *testing.T) {
	ngx := getNginx(t)
	u := ngx.URL(portHTTP, "/auth")
	r := run(t, "-u", u)
	assert.Equal(t, 1, r.Code)
	assert.True(t, strings.HasPrefix(r.Stdout, "HTTP WARNING: HTTP/1.1 401 Unauthorized - "), r.Stdout)
	r = run(t, "-u", u, "--user", "monitor:s3cret-pw", "-p", "^welcome monitor\n$")
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = run(t, "-u", u, "--user", "monitor:wrong-pw", "-p", "welcome")
	assert.Equal(t, 2, r.Code)
	assert.NotContains(t, r.Stdout, "wrong-pw")
}

func TestRealNginxRedirects(t *testing.T) {
	ngx := getNginx(t)
	r := run(t, "-u", ngx.URL(portHTTP, "/hop2"), "-p", "hello")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "HTTP OK: HTTP/1.1 200 OK - 22 bytes\nafter 2 redirect(s), from "+ngx.URL(portHTTP, "/")+"\n", r.Stdout)

	// A loop ends at --max-redirects, naming the last response and where
	// it came from; its status is the redirect's, through -s.
	r = run(t, "-u", ngx.URL(portHTTP, "/loop"))
	assert.Equal(t, 0, r.Code)
	assert.Regexp(t, `^HTTP OK: HTTP/1\.1 302 Moved Temporarily - \d+ bytes \(a redirect not followed: --max-redirects 10 reached at `+regexp.QuoteMeta(ngx.URL(portHTTP, "/loop"))+`\)\n$`, r.Stdout)
	r = run(t, "-u", ngx.URL(portHTTP, "/loop"), "-s", "300-399=critical", "--max-redirects", "2")
	assert.Equal(t, 2, r.Code)
	assert.Contains(t, r.Stdout, "--max-redirects 2 reached")
	r = run(t, "-u", ngx.URL(portHTTP, "/hop"), "--max-redirects", "0")
	assert.Equal(t, 0, r.Code)
	assert.True(t, strings.HasPrefix(r.Stdout, "HTTP OK: HTTP/1.1 302 Moved Temporarily"), r.Stdout)
}

func TestRealNginxTLS(t *testing.T) {
	ngx := getNginx(t)
	r := run(t, "-u", ngx.URL(portHTTPS, "/"))
	assert.Equal(t, 2, r.Code, "a certificate from an unknown CA")
	assert.Contains(t, r.Stdout, "HTTP CRITICAL: "+ngx.URL(portHTTPS, "/")+": tls: failed to verify certificate: x509: certificate signed by unknown authority")

	r = run(t, "-u", ngx.URL(portHTTPS, "/"), "--ca-file", ngx.CAFile, "-p", "hello")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "HTTP OK: HTTP/1.1 200 OK - 22 bytes\n", r.Stdout)
	r = run(t, "-u", "https://localhost:"+strconv.Itoa(ngx.Ports[portHTTPS])+"/", "--ca-file", ngx.CAFile)
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = run(t, "-u", ngx.URL(portHTTPS, "/"), "--no-check-certificate")
	assert.Equal(t, 0, r.Code, r.Stdout)

	for port, want := range map[int]string{
		portExpired:    "certificate has expired",
		portWrongHost:  "certificate is valid for other.example, not localhost",
		portSelfSigned: "certificate signed by unknown authority",
	} {
		r = run(t, "-u", "https://localhost:"+strconv.Itoa(ngx.Ports[port])+"/", "--ca-file", ngx.CAFile)
		assert.Equal(t, 2, r.Code, r.Stdout)
		assert.Contains(t, r.Stdout, want)
		assert.Equal(t, 0, run(t, "-u", ngx.URL(port, "/"), "--no-check-certificate").Code)
	}

	// A redirect from http to https is followed with the same TLS settings.
	r = run(t, "-u", ngx.URL(portHTTP, "/to_https"), "--ca-file", ngx.CAFile, "-p", "hello")
	assert.Equal(t, 0, r.Code, r.Stdout)
}

func TestRealNginxClientCert(t *testing.T) {
	ngx := getNginx(t)
	u := ngx.URL(portClientAuth, "/")
	r := run(t, "-u", u, "--ca-file", ngx.CAFile)
	assert.Equal(t, 1, r.Code, "nginx answers 400 without a client certificate: %s", r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "HTTP WARNING: HTTP/1.1 400 Bad Request"), r.Stdout)
	r = run(t, "-u", u, "--ca-file", ngx.CAFile, "--cert-file", ngx.ClientCert, "--key-file", ngx.ClientKey, "-p", "client CN=monitoring-client")
	assert.Equal(t, 0, r.Code, r.Stdout)

	r = run(t, "-u", u, "--cert-file", ngx.ClientCert)
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "HTTP UNKNOWN: --cert-file needs --key-file (the certificate's private key)\n", r.Stdout)
	r = run(t, "-u", u, "--ca-file", "/nonexistent/ca.pem")
	assert.Equal(t, "HTTP UNKNOWN: --ca-file: /nonexistent/ca.pem: no such file or directory\n", r.Stdout)
}

// --connect-to sends the connection elsewhere; the request keeps its
// host (here a name that resolves nowhere).
func TestRealNginxConnectTo(t *testing.T) {
	ngx := getNginx(t)
	port := strconv.Itoa(ngx.Ports[portHTTP])
	r := run(t, "-u", "http://vhost.test/", "--connect-to", "vhost.test:80:127.0.0.1:"+port, "-p", "the virtual host")
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = run(t, "-u", "http://vhost.test/", "--connect-to", "vhost.test:80:[::1]:"+port)
	assert.Equal(t, 0, r.Code, "an IPv6 destination: %s", r.Stdout)
	r = run(t, "-u", "https://www.example.invalid:443/", "--connect-to", "::localhost:"+strconv.Itoa(ngx.Ports[portHTTPS]), "--no-check-certificate")
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = run(t, "-u", "http://vhost.test/", "--connect-to", "bad")
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, `--connect-to "bad": want HOST1:PORT1:HOST2:PORT2`)
}

func TestRealNginxSourceIP(t *testing.T) {
	ngx := getNginx(t)
	r := run(t, "-u", ngx.URL(portHTTP, "/"), "-i", "127.0.0.1")
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = run(t, "-u", ngx.URL(portHTTP, "/"), "-i", "not-an-ip")
	assert.Equal(t, "HTTP UNKNOWN: --source-ip \"not-an-ip\": not an IP address\n", r.Stdout)
}

func TestSquidProxy(t *testing.T) {
	ngx := getNginx(t)
	sq := squid.Get(t, startSquid)
	u := ngx.URL(portHTTP, "/") + "?via=squid"
	r := run(t, "-u", u, "-x", "127.0.0.1:"+strconv.Itoa(sq.Port), "-p", "hello")
	assert.Equal(t, 0, r.Code, r.Stdout)
	sq.requireLogged(t, " "+u+" ")

	// HTTPS through the proxy (CONNECT), certificate checked end to end.
	r = run(t, "-u", ngx.URL(portHTTPS, "/"), "--proxy", "http://127.0.0.1:"+strconv.Itoa(sq.Port), "--ca-file", ngx.CAFile, "-p", "hello")
	assert.Equal(t, 0, r.Code, r.Stdout)
	sq.requireLogged(t, " CONNECT 127.0.0.1:"+strconv.Itoa(ngx.Ports[portHTTPS])+" ")

	// The proxy's password is never shown; a proxy without a port is 1080.
	r = run(t, "-u", u, "-x", "http://user:pr0xy-pw@127.0.0.1:1")
	assert.Equal(t, 2, r.Code)
	assert.NotContains(t, r.Stdout, "pr0xy-pw")
	r = run(t, "-u", u, "-x", "127.0.0.1")
	assert.Equal(t, 2, r.Code)
	assert.Contains(t, r.Stdout, "1080")
}

// Without -x, HTTP_PROXY from the environment is used (for a host that
// is not loopback: Go never proxies those). The name resolves nowhere,
// so squid's own error page proves the request went through it.
func TestSquidFromEnvironment(t *testing.T) {
	sq := squid.Get(t, startSquid)
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-http")
	u := "http://teko-proxy-test.invalid/from-env"
	cmd := exec.Command(exe, "-u", u, "-H", "X-Probe: env")
	cmd.Env = append(os.Environ(), "HTTP_PROXY=http://127.0.0.1:"+strconv.Itoa(sq.Port), "NO_PROXY=")
	out, _ := cmd.Output()
	assert.Regexp(t, `^HTTP CRITICAL: HTTP/1\.1 50[23] [A-Za-z ]+ - \d+ bytes\n`, string(out), "squid answered (its error page) for the unresolvable host")
	sq.requireLogged(t, " "+u+" ")

	cmd = exec.Command(exe, "-u", u)
	cmd.Env = append(os.Environ(), "HTTP_PROXY=", "http_proxy=")
	out, _ = cmd.Output()
	assert.True(t, strings.HasPrefix(string(out), "HTTP CRITICAL: "+u+": dial tcp: lookup teko-proxy-test.invalid"), "without the proxy: %s", out)
}

// Passwords of -u, --user and -x never reach the output.
func TestPasswordsMasked(t *testing.T) {
	addr := servertest.ClosedPort(t, "tcp")
	r := run(t, "-u", "http://admin:url-pw@"+addr+"/", "--user", "monitor:user-pw", "-x", "http://p:proxy-pw@"+addr)
	assert.Equal(t, 2, r.Code)
	for _, pw := range []string{"url-pw", "user-pw", "proxy-pw"} {
		assert.NotContains(t, r.Stdout+r.Stderr, pw)
	}
	assert.Contains(t, r.Stdout, "http://admin:xxxxx@"+addr+"/")
	r = run(t, "-u", "ftp://admin:url-pw@host/")
	assert.Equal(t, "HTTP UNKNOWN: --url \"ftp://admin:xxxxx@host/\": want an http:// or https:// URL\n", r.Stdout)
}
