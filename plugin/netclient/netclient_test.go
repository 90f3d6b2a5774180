package netclient

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/servertest"
)

func TestShare(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	got := Share(ctx, time.Minute)
	assert.InDelta(t, float64(3*time.Second), float64(got), float64(50*time.Millisecond), "three quarters of what is left")
	assert.Equal(t, 2*time.Second, Share(ctx, 2*time.Second), "the call's own limit when it is shorter")
	assert.Equal(t, DefaultTimeout, Share(context.Background(), 0), "no deadline, no limit: DefaultTimeout")
	assert.Equal(t, 7*time.Second, Share(context.Background(), 7*time.Second))

	past, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	assert.Equal(t, time.Millisecond, Share(past, 0), "nothing left: fail at once, never hang")
}

func TestLimitCause(t *testing.T) {
	ctx, cancel := Limit(context.Background(), 20*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	err := context.Cause(ctx)
	assert.True(t, IsTimeout(err))
	assert.EqualError(t, err, "no answer within 20ms")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.False(t, IsTimeout(errors.New("connection refused")))
	assert.False(t, IsTimeout(nil))
}

func TestBudgetSplitsBetweenProbes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	b := NewBudget(ctx, time.Minute) // 3s
	assert.InDelta(t, float64(3*time.Second), float64(b.Left()), float64(50*time.Millisecond))

	p1, c1 := b.Probe(ctx, 3)
	defer c1()
	d1, _ := p1.Deadline()
	assert.InDelta(t, float64(time.Second), float64(time.Until(d1)), float64(50*time.Millisecond), "a third each")
	// A client given the probe's context takes all of it, not 3/4 again.
	assert.InDelta(t, float64(time.Second), float64(Share(p1, time.Minute)), float64(50*time.Millisecond))
	// A narrower context inside the probe gets the rule again.
	inner, c3 := context.WithTimeout(p1, 400*time.Millisecond)
	defer c3()
	assert.InDelta(t, float64(300*time.Millisecond), float64(Share(inner, time.Minute)), float64(30*time.Millisecond))

	// A probe that hangs until its deadline takes only its share.
	<-p1.Done()
	assert.True(t, IsTimeout(context.Cause(p1)))
	p2, c2 := b.Probe(ctx, 2)
	defer c2()
	d2, _ := p2.Deadline()
	assert.InDelta(t, float64(time.Second), float64(time.Until(d2)), float64(60*time.Millisecond), "the rest split between the two left")
}

func TestFailedIsCritical(t *testing.T) {
	err := &Error{msg: "http://x/: no complete response within 1s", Err: &TimeoutError{After: time.Second}}
	res := Failed(err)
	assert.Equal(t, checkers.Critical, res.Status)
	assert.Equal(t, "http://x/: no complete response within 1s", res.Summary)
}

func TestJoinHostPort(t *testing.T) {
	for host, want := range map[string]string{
		"::1":          "[::1]:80",
		"[::1]":        "[::1]:80",
		"fe80::1%eth0": "[fe80::1%eth0]:80",
		"127.0.0.1":    "127.0.0.1:80",
		"db.example":   "db.example:80",
	} {
		assert.Equal(t, want, JoinHostPort(host, 80), host)
	}
}

func TestParsePort(t *testing.T) {
	for text, want := range map[string]int{"80": 80, " 8080 ": 8080, "http": 80, "https": 443, "smtp": 25, "65535": 65535} {
		got, err := ParsePort(text, "")
		require.NoError(t, err, text)
		assert.Equal(t, want, got, text)
	}
	for text, want := range map[string]string{
		"0":        `"0": want a port number from 1 to 65535`,
		"65536":    `"65536": want a port number from 1 to 65535`,
		"-1":       `"-1": want a port number from 1 to 65535`,
		"":         `"": want a port number from 1 to 65535 or a service name such as http`,
		"80:81":    `"80:81": want a port number from 1 to 65535 or a service name such as http`,
		"no-such":  `"no-such": not a port number, nor a service name this system knows (want e.g. 80 or http)`,
		"htttp":    `"htttp": not a port number, nor a service name this system knows (want e.g. 80 or http)`,
		"http/tcp": `"http/tcp": want a port number from 1 to 65535 or a service name such as http`,
	} {
		_, err := ParsePort(text, "tcp")
		assert.EqualError(t, err, want, text)
	}
	var p Port
	require.NoError(t, p.UnmarshalFlag("https"))
	assert.Equal(t, Port(443), p)
	s, _ := p.MarshalFlag()
	assert.Equal(t, "443", s)
}

func TestParseConnectTo(t *testing.T) {
	for text, want := range map[string]ConnectTo{
		"example.com:443:127.0.0.1:8443": {"example.com", "443", "127.0.0.1", "8443"},
		"::backend:":                     {"", "", "backend", ""},
		"[::1]:80:[fe80::2]:8080":        {"::1", "80", "fe80::2", "8080"},
		":80::8080":                      {"", "80", "", "8080"},
	} {
		got, err := ParseConnectTo(text)
		require.NoError(t, err, text)
		assert.Equal(t, want, got, text)
	}
	for _, text := range []string{"a:b", "a:80:b", "a:80:b:c", "::1:80:b:90", "a:99999:b:1"} {
		_, err := ParseConnectTo(text)
		assert.Error(t, err, text)
		assert.Contains(t, err.Error(), "--connect-to", text)
	}
}

func TestParseProxy(t *testing.T) {
	for text, want := range map[string]string{
		"proxy.internal":                 "http://proxy.internal:1080",
		"proxy.internal:3128":            "http://proxy.internal:3128",
		"https://u:p@proxy.internal":     "https://u:p@proxy.internal:1080",
		"socks5://[::1]:1081":            "socks5://[::1]:1081",
		"http://user:s3cret@10.0.0.1:80": "http://user:s3cret@10.0.0.1:80",
	} {
		u, err := ParseProxy(text)
		require.NoError(t, err, text)
		assert.Equal(t, want, u.String(), text)
	}
	_, err := ParseProxy("ftp://user:s3cret@proxy")
	assert.EqualError(t, err, `proxy "ftp://user:xxxxx@proxy": protocol "ftp", want http, https or socks5`)
	_, err = ParseProxy("http://user:s3cret@")
	assert.EqualError(t, err, `proxy "http://user:xxxxx@": no host`)
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"http://user:pw@host/path":      "http://user:xxxxx@host/path",
		"http://:pw@host":               "http://:xxxxx@host",
		"http://user@host/":             "http://user@host/",
		"http://host/a@b":               "http://host/a@b",
		"http://us:p@ss@host/%zz":       "http://us:xxxxx@host/%zz",
		"no scheme user:pw@host":        "no scheme user:pw@host",
		"https://u:p%40w@[::1]:8443/st": "https://u:xxxxx@[::1]:8443/st",
		// A password with an unencoded / ? or # (as written in a config
		// file) ends the authority early for url.Parse: still masked.
		"http://bob:p#ss@host:80/":   "http://bob:xxxxx@host:80/",
		"http://bob:pa/ss@host/x":    "http://bob:xxxxx@host/x",
		"http://bob:pa?s/s@host/x":   "http://bob:xxxxx@host/x",
		"proxy:3128/a@b":             "proxy:3128/a@b",
		"http://host:8080/users/@me": "http://host:8080/users/@me",
	} {
		assert.Equal(t, want, Redact(in), in)
	}
}

func TestParseTarget(t *testing.T) {
	tg, err := ParseTarget("unix:/run/a:b.sock:/status?auto")
	require.NoError(t, err)
	assert.Equal(t, "/run/a:b.sock", tg.Socket)
	assert.Equal(t, "http://localhost/status?auto", tg.URL.String())
	assert.Equal(t, "unix:/run/a:b.sock:/status?auto", tg.String())
	_, err = ParseTarget("http://u:s3cret@host/%zz")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
	for _, addr := range []string{"http://u:s3#cret@host/", "http://u:s3/cret@host/", "http://u:s3?cret@host/"} {
		_, err = ParseTarget(addr)
		require.Error(t, err, addr)
		assert.NotContains(t, err.Error(), "s3", addr)
		assert.Contains(t, err.Error(), "percent-encode", addr)
	}
	_, err = ParseProxy("u:s3#cret@proxy:3128")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3")
	_, err = ParseTarget("http://127.0.0.1:99999/")
	assert.EqualError(t, err, `address "http://127.0.0.1:99999/": port 99999: want a port number from 1 to 65535`)
	_, err = ParseTarget("ftp://host/")
	assert.EqualError(t, err, `address "ftp://host/": want an http:// or https:// URL, or unix:SOCKET:/PATH`)
}

func TestParseHeaders(t *testing.T) {
	h, err := ParseHeaders("-H", []string{"Host: vhost.example", "X-A: 1", "x-a: 2"})
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "2"}, h.Values("X-A"))
	assert.Equal(t, "vhost.example", h.Get("Host"))
	_, err = ParseHeaders("-H", []string{"X-A: 1\r\nX-B: 2"})
	assert.EqualError(t, err, `-H "X-A: 1\r\nX-B: 2": the value has a control character`)
	_, err = ParseHeaders("--header", []string{"novalue"})
	assert.EqualError(t, err, `--header "novalue": want "Name: value"`)
}

// serve starts a test server; its handlers may block on release, which
// is closed before the server shuts down.
func serve(t *testing.T, h func(release <-chan struct{}) http.HandlerFunc) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(h(release))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv
}

func TestHTTPGet(t *testing.T) {
	var got *http.Request
	srv := serve(t, func(<-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			got = r
			w.Header().Set("X-Served", "yes")
			w.WriteHeader(http.StatusTeapot)
			fmt.Fprint(w, "short and stout")
		}
	})
	c := &HTTP{Header: http.Header{"Host": {"vhost.example"}, "X-Token": {"t"}}}
	resp, err := c.Get(context.Background(), srv.URL+"/pot")
	require.NoError(t, err, "any status is a response")
	assert.Equal(t, 418, resp.StatusCode)
	assert.Equal(t, "418 I'm a teapot", resp.Status)
	assert.Equal(t, "HTTP/1.1", resp.Proto)
	assert.Equal(t, "short and stout", string(resp.Body))
	assert.False(t, resp.Truncated)
	assert.Equal(t, "yes", resp.Header.Get("X-Served"))
	assert.Equal(t, int64(15), resp.ContentLength)
	assert.Positive(t, resp.Elapsed)
	assert.Equal(t, "vhost.example", got.Host)
	assert.Equal(t, "t", got.Header.Get("X-Token"))
	assert.Equal(t, "teko/"+plugin.BuildVersion(), got.UserAgent())
	assert.Equal(t, 0, resp.Redirects)
	err = resp.Errorf("want %d", 200)
	assert.EqualError(t, err, srv.URL+"/pot: want 200")
}

func TestHTTPTimeouts(t *testing.T) {
	tests := map[string]func(release <-chan struct{}) http.HandlerFunc{
		"accept and hang": func(release <-chan struct{}) http.HandlerFunc {
			return func(http.ResponseWriter, *http.Request) { <-release }
		},
		"body stalls": func(release <-chan struct{}) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", "100")
				fmt.Fprint(w, "half")
				w.(http.Flusher).Flush()
				<-release
			}
		},
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			srv := serve(t, h)
			ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := (&HTTP{}).Get(ctx, srv.URL+"/")
			require.Error(t, err)
			assert.Less(t, time.Since(start), 3*time.Second, "bounded (loosely: a loaded machine is slow)")
			assert.Regexp(t, `^`+srv.URL+`/: (reading body: )?no complete response within 3\d\dms$`, err.Error())
			assert.True(t, IsTimeout(err), "the call's own deadline ended it, before the run's (whose cause is context.DeadlineExceeded)")
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, srv.URL+"/", e.Target)
		})
	}
}

// A body that never ends is read up to MaxBody and no further.
func TestHTTPBodyCap(t *testing.T) {
	srv := serve(t, func(release <-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			chunk := []byte(strings.Repeat("x", 4096))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				select {
				case <-release:
					return
				default:
				}
			}
		}
	})
	start := time.Now()
	resp, err := (&HTTP{MaxBody: 10000, Timeout: 5 * time.Second}).Get(context.Background(), srv.URL)
	require.NoError(t, err)
	assert.Len(t, resp.Body, 10000)
	assert.True(t, resp.Truncated)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestHTTPRedirects(t *testing.T) {
	srv := serve(t, func(<-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/loop":
				http.Redirect(w, r, "/loop", http.StatusFound)
			case "/hop":
				http.Redirect(w, r, "/end", http.StatusMovedPermanently)
			default:
				fmt.Fprint(w, "end")
			}
		}
	})
	resp, err := (&HTTP{}).Get(context.Background(), srv.URL+"/hop")
	require.NoError(t, err)
	assert.Equal(t, 1, resp.Redirects)
	assert.Equal(t, srv.URL+"/end", resp.URL.String())
	assert.EqualError(t, resp.Errorf("bad"), srv.URL+"/hop: redirected to "+srv.URL+"/end: bad")

	_, err = (&HTTP{}).Get(context.Background(), srv.URL+"/loop")
	assert.EqualError(t, err, srv.URL+"/loop: stopped after 10 redirects")

	resp, err = (&HTTP{MaxRedirects: 3, KeepLastRedirect: true}).Get(context.Background(), srv.URL+"/loop")
	require.NoError(t, err)
	assert.True(t, resp.RedirectsStopped)
	assert.Equal(t, 302, resp.StatusCode)
	assert.Equal(t, 3, resp.Redirects)

	resp, err = (&HTTP{MaxRedirects: -1, KeepLastRedirect: true}).Get(context.Background(), srv.URL+"/hop")
	require.NoError(t, err)
	assert.Equal(t, 301, resp.StatusCode, "a negative MaxRedirects follows none")
	assert.Equal(t, 0, resp.Redirects)
}

func TestHTTPMasksSecrets(t *testing.T) {
	addr := servertest.ClosedPort(t, "tcp") // nothing listens: connection refused

	c := &HTTP{Secrets: []string{"tok3n"}}
	_, err := c.Get(context.Background(), "http://user:s3cret@"+addr+"/tok3n")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
	assert.NotContains(t, err.Error(), "tok3n")
	assert.Contains(t, err.Error(), "http://user:xxxxx@"+addr+"/xxxxx: ")

	proxy, _ := ParseProxy("http://puser:pr0xypw@" + addr)
	c = &HTTP{Proxy: proxy}
	_, err = c.Get(context.Background(), "http://example.invalid/")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "pr0xypw")
}

func TestHTTPConnectToAndSocket(t *testing.T) {
	var host string
	srv := serve(t, func(<-chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { host = r.Host; fmt.Fprint(w, "ok") }
	})
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	rule, err := ParseConnectTo("www.example.invalid:80:127.0.0.1:" + port)
	require.NoError(t, err)
	resp, err := (&HTTP{ConnectTo: []ConnectTo{rule}, NoProxy: true}).Get(context.Background(), "http://www.example.invalid/x")
	require.NoError(t, err)
	assert.Equal(t, "ok", string(resp.Body))
	assert.Equal(t, "www.example.invalid", host, "the request still names the original host")

	if runtime.GOOS == "windows" {
		return
	}
	dir, err := os.MkdirTemp("", "nc")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "s.sock")
	ul, err := net.Listen("unix", sock)
	require.NoError(t, err)
	us := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "via socket "+r.URL.Path) })}
	go us.Serve(ul)
	defer us.Close()
	tg, err := ParseTarget("unix:" + sock + ":/status")
	require.NoError(t, err)
	resp, err = (&HTTP{Socket: tg.Socket}).Get(context.Background(), tg.URL.String())
	require.NoError(t, err)
	assert.Equal(t, "via socket /status", string(resp.Body))
	assert.EqualError(t, resp.Errorf("x"), "unix:"+sock+":/status: x")
}

func TestDialBannerInSeveralWrites(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("220 hel"))
		time.Sleep(50 * time.Millisecond)
		c.Write([]byte("lo there\r\n"))
		io.Copy(io.Discard, c)
	}()
	conn, err := (&Dialer{}).Dial(context.Background(), "tcp", ln.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	got, err := conn.ReadUntil(func(b []byte) bool { return strings.HasSuffix(string(b), "\n") }, 0)
	require.NoError(t, err)
	assert.Equal(t, "220 hello there\r\n", string(got))
}

func TestDialHangs(t *testing.T) {
	for _, tt := range []struct{ network, addr string }{{"tcp", "127.0.0.1:0"}, {"tcp", "[::1]:0"}} {
		addr := servertest.Serve(t, tt.network, tt.addr, func(net.Conn) {}) // accepts, never answers
		ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
		start := time.Now()
		conn, err := (&Dialer{}).Dial(ctx, tt.network, addr)
		require.NoError(t, err)
		_, err = conn.ReadUntil(nil, 100)
		require.Error(t, err)
		assert.Less(t, time.Since(start), 3*time.Second)
		assert.True(t, IsTimeout(err), "the conversation's own deadline, before the run's: %v", err)
		assert.Regexp(t, `^`+regexpQuote(addr)+`: read: no answer within 3\d\dms$`, err.Error())
		conn.Close()
		cancel()
	}
}

func regexpQuote(s string) string {
	r := strings.NewReplacer("[", `\[`, "]", `\]`, ".", `\.`)
	return r.Replace(s)
}

func TestDialRefusedAndClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte("bye"))
			c.Close()
		}
	}()
	conn, err := (&Dialer{}).Dial(context.Background(), "tcp", addr)
	require.NoError(t, err)
	got, err := conn.ReadUntil(func(b []byte) bool { return strings.Contains(string(b), "\n") }, 0)
	assert.Equal(t, "bye", string(got))
	assert.ErrorIs(t, err, io.EOF)
	conn.Close()
	ln.Close()

	_, err = (&Dialer{}).Dial(context.Background(), "tcp", addr)
	require.Error(t, err)
	assert.False(t, IsTimeout(err))
	assert.True(t, strings.HasPrefix(err.Error(), addr+": connect: "), err.Error())
	assert.Contains(t, err.Error(), "refused")
}

// The run's own cancellation (a signal) ends a blocked read at once.
func TestDialCancelled(t *testing.T) {
	addr := servertest.Hang(t, "tcp")
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := (&Dialer{Timeout: time.Minute}).Dial(ctx, "tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = conn.ReadUntil(nil, 10)
	assert.Less(t, time.Since(start), time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, IsTimeout(err), "a cancelled run is not the service's timeout")
}

func TestTLSOptions(t *testing.T) {
	cfg, err := TLSOptions{}.Config()
	require.NoError(t, err)
	assert.Nil(t, cfg)
	cfg, err = TLSOptions{NoCheckCertificate: true}.Config()
	require.NoError(t, err)
	assert.True(t, cfg.InsecureSkipVerify)

	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	require.NoError(t, os.WriteFile(junk, []byte("not pem"), 0o600))
	for opts, want := range map[TLSOptions]string{
		{CAFile: filepath.Join(dir, "none.pem")}:        "--ca-file: " + filepath.Join(dir, "none.pem") + ": no such file or directory",
		{CAFile: junk}:                                  "--ca-file " + junk + ": no PEM certificate in it",
		{CertFile: junk}:                                "--cert-file needs --key-file (the certificate's private key)",
		{KeyFile: junk}:                                 "--key-file needs --cert-file (the client certificate)",
		{CertFile: junk, KeyFile: dir + "/missing.pem"}: "--key-file: " + dir + "/missing.pem: no such file or directory",
	} {
		_, err := opts.Config()
		assert.EqualError(t, err, want)
	}
	_, err = TLSOptions{CertFile: junk, KeyFile: junk}.Config()
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "--cert-file "+junk+" and --key-file "+junk+": "), err.Error())
}

func TestHTTPSWithCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secure") }))
	defer srv.Close()
	_, err := (&HTTP{}).Get(context.Background(), srv.URL)
	require.Error(t, err, "a self-signed certificate is refused")
	assert.Contains(t, err.Error(), "certificate")

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	writeCertPEM(t, caFile, srv.Certificate().Raw)
	cfg, err := TLSOptions{CAFile: caFile}.Config()
	require.NoError(t, err)
	resp, err := (&HTTP{TLS: cfg}).Get(context.Background(), srv.URL)
	require.NoError(t, err)
	assert.Equal(t, "secure", string(resp.Body))

	u, _ := url.Parse(srv.URL)
	_, err = (&Dialer{TLS: &tls.Config{}}).Dial(context.Background(), "tcp", u.Host)
	require.Error(t, err)
	assert.Equal(t, u.Host+": TLS handshake: tls: failed to verify certificate: x509: certificate signed by unknown authority", err.Error())
	cfg.ServerName = "example.com" // httptest's certificate names example.com and 127.0.0.1
	conn, err := (&Dialer{TLS: cfg}).Dial(context.Background(), "tcp", u.Host)
	require.NoError(t, err)
	conn.Close()
}

// A server that closes the connection without a response, or in the
// middle of its header, is named as such, not as Go's bare "EOF".
func TestHTTPServerClosesEarly(t *testing.T) {
	for name, tc := range map[string]struct {
		send string
		want string
	}{
		"before answering":      {"", `: the server closed the connection without a response$`},
		"in the middle of head": {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", `: the server closed the connection in the middle of the response header$`},
	} {
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			defer ln.Close()
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				buf := make([]byte, 4096)
				c.Read(buf)
				c.Write([]byte(tc.send))
				c.Close()
			}()
			_, err = (&HTTP{}).Get(context.Background(), "http://"+ln.Addr().String()+"/")
			require.Error(t, err)
			assert.Regexp(t, `^http://`+regexpQuote(ln.Addr().String())+`/`+tc.want, err.Error())
		})
	}
}

// A failure through a proxy names the proxy (its password masked): a
// proxy that hangs or refuses must not pass for the site being down.
func TestHTTPFailureThroughProxyNamesIt(t *testing.T) {
	for name, answer := range map[string]string{
		"hangs":              "",
		"refuses the tunnel": "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
		"closes":             "close",
	} {
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			defer ln.Close()
			release := make(chan struct{})
			defer close(release)
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					go func() {
						defer c.Close()
						c.Read(make([]byte, 4096))
						switch answer {
						case "":
							<-release
						case "close":
						default:
							c.Write([]byte(answer))
						}
					}()
				}
			}()
			proxy, err := ParseProxy("http://u:pr0xysecret@" + ln.Addr().String())
			require.NoError(t, err)
			targets := []string{"http://site.example/", "https://site.example/"}
			if name == "refuses the tunnel" {
				targets = targets[1:] // a plain request's 500 is a response
			}
			for _, target := range targets {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_, err = (&HTTP{Proxy: proxy}).Get(ctx, target)
				cancel()
				require.Error(t, err)
				assert.Contains(t, err.Error(), target+": through proxy http://u:xxxxx@"+ln.Addr().String()+": ")
				assert.NotContains(t, err.Error(), "pr0xysecret")
			}
		})
	}
}

func TestMaskedURL(t *testing.T) {
	b, err := json.Marshal(struct{ URL MaskedURL }{"http://u:s3cret@host/status"})
	require.NoError(t, err)
	assert.Equal(t, `{"URL":"http://u:xxxxx@host/status"}`, string(b))
	b, err = json.Marshal(MaskedURL("http://host/status?json"))
	require.NoError(t, err)
	assert.Equal(t, `"http://host/status?json"`, string(b), "without a password, as a string")
}
