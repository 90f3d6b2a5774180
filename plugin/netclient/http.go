package netclient

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/teko-dev/teko/plugin"
)

// DefaultMaxBody is how much of a response body HTTP reads when MaxBody
// is zero: far above any status page, small enough that a body that
// never ends cannot fill the memory of the host being monitored.
const DefaultMaxBody = 1 << 20

// DefaultMaxRedirects is how many redirects HTTP follows when
// MaxRedirects is zero, as many as Go's and curl's defaults.
const DefaultMaxRedirects = 10

// UserAgent returns the User-Agent HTTP sends unless told otherwise:
// "teko/<version>", the version --version prints.
func UserAgent() string { return "teko/" + plugin.BuildVersion() }

// HTTP is an HTTP client for plugins. The zero value is ready: it
// follows up to DefaultMaxRedirects redirects, reads at most
// DefaultMaxBody bytes of a body, takes proxies from the environment and
// gives each request its share of the run's time (Limit). It keeps no
// connection open between requests, and may be used by several
// goroutines at once.
//
// Every error of Do and Get is an *Error, whose message starts with the
// target (password masked) and says in one line what went wrong. When a
// request ran out of time the error wraps a *TimeoutError (IsTimeout).
type HTTP struct {
	// Timeout bounds each request, from dialling to the last byte of
	// the body; zero means DefaultTimeout. The budget rule (Share) may
	// give less.
	Timeout time.Duration

	// TLS configures https connections; nil means Go's defaults. Build it
	// with TLSOptions.Config. The server name (SNI and verification) is
	// the URL's host unless TLS.ServerName is set.
	TLS *tls.Config

	// Socket, when set, is a unix socket that every connection goes to;
	// the URL's host is then only the Host header. No proxy is used.
	Socket string

	// Proxy is the proxy to use (see ParseProxy). Nil means the
	// environment's HTTP_PROXY, HTTPS_PROXY and NO_PROXY (read once per
	// process, as Go does; requests to localhost and loopback addresses
	// never go through them); NoProxy ignores the environment.
	Proxy   *url.URL
	NoProxy bool

	// ConnectTo sends connections for one host and port to another, as
	// curl's --connect-to: the request (Host header, TLS server name) is
	// unchanged. The first rule that matches is used.
	ConnectTo []ConnectTo

	// LocalAddr is the source IP address of connections; nil lets the
	// system choose.
	LocalAddr net.IP

	// Header holds extra request headers. A "Host" entry sets the
	// request's Host (the virtual server the server picks), not a header
	// line. A "User-Agent" entry replaces UserAgent().
	Header http.Header

	// MaxBody caps the bytes of a body read; zero means DefaultMaxBody.
	// The rest is not read: Response.Truncated tells.
	MaxBody int64

	// MaxRedirects is how many redirects are followed; zero means
	// DefaultMaxRedirects, a negative number none. Past it, Do fails
	// with "stopped after N redirects" — or, with KeepLastRedirect,
	// returns the last redirect response itself (RedirectsStopped set).
	MaxRedirects     int
	KeepLastRedirect bool

	// Secrets are more strings to mask in every message, besides the
	// passwords of the URL's and the proxy's user info (which are always
	// masked): a token passed in a header, a basic-auth password.
	Secrets []string
}

// ConnectTo is one --connect-to rule: connections for FromHost:FromPort
// go to ToHost:ToPort. An empty From field matches any host or port; an
// empty To field keeps the original.
type ConnectTo struct {
	FromHost, FromPort, ToHost, ToPort string
}

// connectToSyntax is compiled on first use: no work at start-up, which
// every plugin of the multi-call binary would pay.
var connectToSyntax = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\[[^\]]*\]|[^:\[\]]*):([0-9]*):(\[[^\]]*\]|[^:\[\]]*):([0-9]*)$`)
})

// ParseConnectTo reads curl's HOST1:PORT1:HOST2:PORT2, IPv6 addresses
// in brackets; any part may be empty ("::backend:8080" sends every host
// and port to backend:8080).
func ParseConnectTo(text string) (ConnectTo, error) {
	m := connectToSyntax().FindStringSubmatch(text)
	if m == nil {
		return ConnectTo{}, fmt.Errorf("--connect-to %q: want HOST1:PORT1:HOST2:PORT2 (parts may be empty, IPv6 addresses in brackets)", text)
	}
	for _, p := range []string{m[2], m[4]} {
		if p != "" {
			if _, err := ParsePort(p, "tcp"); err != nil {
				return ConnectTo{}, fmt.Errorf("--connect-to %q: %v", text, err)
			}
		}
	}
	return ConnectTo{trimBrackets(m[1]), m[2], trimBrackets(m[3]), m[4]}, nil
}

func (c ConnectTo) apply(host, port string) (string, string, bool) {
	if c.FromHost != "" && !strings.EqualFold(c.FromHost, host) || c.FromPort != "" && c.FromPort != port {
		return host, port, false
	}
	if c.ToHost != "" {
		host = c.ToHost
	}
	if c.ToPort != "" {
		port = c.ToPort
	}
	return host, port, true
}

// ParseProxy reads a proxy address as check-http's --proxy takes it:
// [PROTOCOL://][USER:PASS@]HOST[:PORT], PROTOCOL http by default (or
// https, socks5), PORT 1080 by default. Errors mask the password.
func ParseProxy(text string) (*url.URL, error) {
	raw := text
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	if misplacedPassword(raw) {
		return nil, fmt.Errorf("proxy %q: the password has a \"/\", \"?\" or \"#\": percent-encode it (%%2F, %%3F, %%23)", Redact(raw))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("proxy %q: %v", Redact(raw), urlParseReason(err))
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("proxy %q: protocol %q, want http, https or socks5", Redact(raw), u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("proxy %q: no host", Redact(raw))
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "1080")
	}
	return u, nil
}

// Response is a response whose body has been read (at most MaxBody
// bytes) and closed.
type Response struct {
	Proto      string // "HTTP/1.1"
	Status     string // "200 OK"
	StatusCode int
	Header     http.Header
	// ContentLength is the length the server declared, -1 when it did
	// not (or when Go decompressed the body).
	ContentLength int64
	Body          []byte
	// Truncated is true when the body was longer than MaxBody; Body
	// holds its first MaxBody bytes.
	Truncated bool

	// Target is the URL requested; URL the one that answered, after
	// redirects.
	Target, URL *url.URL
	// Redirects is how many redirects were followed.
	Redirects int
	// RedirectsStopped is true when this response is itself a redirect
	// that was not followed, MaxRedirects having been reached
	// (KeepLastRedirect).
	RedirectsStopped bool

	// Elapsed is the time from sending the request to the last byte of
	// the body read.
	Elapsed time.Duration

	secrets []string
	socket  string
}

// Errorf returns an *Error about this response, in the same form as the
// client's own: the target, the address a redirect led to (if any),
// then the formatted reason. A plugin uses it for what it finds wrong
// in a response (a status, a body it cannot parse), so that every
// message names the page.
func (r *Response) Errorf(format string, args ...any) error {
	return newError(r.Target, r.socket, r.redirectedTo(), fmt.Errorf(format, args...), r.secrets)
}

func (r *Response) redirectedTo() *url.URL {
	if r.Redirects == 0 || r.URL == nil || r.URL.String() == r.Target.String() {
		return nil
	}
	return r.URL
}

// Error is a failed request: the target and what went wrong.
type Error struct {
	// Target is the requested address, password masked ("unix:SOCKET:/PATH"
	// for a socket).
	Target string
	// RedirectedTo is the last address a redirect led to, if any.
	RedirectedTo string
	// Err is the reason; errors.Is and errors.As see through.
	Err error

	msg string
}

func (e *Error) Error() string { return e.msg }
func (e *Error) Unwrap() error { return e.Err }

func newError(target *url.URL, socket string, redirectedTo *url.URL, err error, secrets []string) *Error {
	e := &Error{Target: Target{URL: target, Socket: socket}.String(), Err: err}
	msg := e.Target + ": "
	if redirectedTo != nil {
		e.RedirectedTo = redirectedTo.Redacted()
		msg += "redirected to " + e.RedirectedTo + ": "
	}
	e.msg = mask(msg+err.Error(), secrets)
	return e
}

// mask replaces each secret in s by "xxxxx".
func mask(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "xxxxx")
		}
	}
	return s
}

// Get requests target with GET; see Do.
func (c *HTTP) Get(ctx context.Context, target string) (*Response, error) {
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", Redact(target), urlParseReason(err))
	}
	return c.Do(ctx, req)
}

// Do sends req (its context is replaced by ctx limited by the budget
// rule) with the client's headers, and reads the response's body. A
// response with any status is a Response, not an error: what is a
// failure is the caller's to say (Response.Errorf).
func (c *HTTP) Do(ctx context.Context, req *http.Request) (*Response, error) {
	ctx, cancel := limitFor(ctx, c.Timeout, "complete response")
	defer cancel()
	secrets := c.secrets(req.URL)
	req = req.Clone(ctx)
	for name, values := range c.Header {
		if http.CanonicalHeaderKey(name) == "Host" {
			if len(values) > 0 {
				req.Host = values[len(values)-1]
			}
			continue
		}
		req.Header[http.CanonicalHeaderKey(name)] = values
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", UserAgent())
	}
	resp := &Response{Target: req.URL, URL: req.URL, secrets: secrets, socket: c.Socket}
	maxRedirects := c.MaxRedirects
	if maxRedirects == 0 {
		maxRedirects = DefaultMaxRedirects
	}
	client := &http.Client{
		Transport: c.transport(),
		CheckRedirect: func(next *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				if c.KeepLastRedirect {
					resp.RedirectsStopped = true
					return http.ErrUseLastResponse
				}
				return fmt.Errorf("stopped after %d redirects", max(maxRedirects, 0))
			}
			resp.URL, resp.Redirects = next.URL, len(via)
			return nil
		},
	}
	defer client.CloseIdleConnections()
	start := time.Now()
	hr, err := client.Do(req)
	if err != nil {
		err = closedEarly(requestError(ctx, err))
		if proxy := usedProxy(client.Transport.(*http.Transport), resp.URL); proxy != nil {
			// The proxy may be the one that failed: say it was there.
			if pw, ok := proxy.User.Password(); ok {
				secrets = append(secrets, pw)
			}
			err = fmt.Errorf("through proxy %s: %w", proxy.Redacted(), err)
		}
		return nil, newError(resp.Target, c.Socket, resp.redirectedTo(), err, secrets)
	}
	defer hr.Body.Close()
	resp.Proto, resp.Status, resp.StatusCode, resp.Header, resp.ContentLength = hr.Proto, hr.Status, hr.StatusCode, hr.Header, hr.ContentLength
	if hr.Request != nil {
		resp.URL = hr.Request.URL
	}
	maxBody := c.MaxBody
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	resp.Body, resp.Truncated, err = readBody(ctx, hr, maxBody)
	resp.Elapsed = time.Since(start)
	if err != nil {
		return nil, resp.Errorf("%w", err)
	}
	return resp, nil
}

func (c *HTTP) secrets(u *url.URL) []string {
	out := append([]string(nil), c.Secrets...)
	for _, v := range []*url.URL{u, c.Proxy} {
		if v != nil && v.User != nil {
			if pw, ok := v.User.Password(); ok {
				out = append(out, pw)
			}
		}
	}
	return out
}

// usedProxy returns the proxy t sends a request for u through, nil for
// none.
func usedProxy(t *http.Transport, u *url.URL) *url.URL {
	if t.Proxy == nil || u == nil {
		return nil
	}
	proxy, err := t.Proxy(&http.Request{URL: u})
	if err != nil || proxy == nil {
		return nil
	}
	return proxy
}

func (c *HTTP) transport() *http.Transport {
	dialer := &net.Dialer{}
	if c.LocalAddr != nil {
		dialer.LocalAddr = &net.TCPAddr{IP: c.LocalAddr}
	}
	t := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
		TLSClientConfig:        c.TLS,
	}
	switch {
	case c.NoProxy:
		t.Proxy = nil
	case c.Proxy != nil:
		t.Proxy = http.ProxyURL(c.Proxy)
	}
	rules := c.ConnectTo
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil {
			for _, r := range rules {
				if h, p, ok := r.apply(host, port); ok {
					addr = net.JoinHostPort(h, p)
					break
				}
			}
		}
		return dialer.DialContext(ctx, network, addr)
	}
	if c.Socket != "" {
		t.Proxy = nil
		t.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", c.Socket)
		}
	}
	return t
}

// readBody reads a response's body, at most max bytes of it once
// decompressed. Go decompresses gzip itself unless the request asked for
// an encoding (an operator's "Accept-Encoding" header); readBody then
// decompresses gzip too, and rejects any other encoding.
func readBody(ctx context.Context, resp *http.Response, max int64) ([]byte, bool, error) {
	var r io.Reader = resp.Body
	compressed := resp.Uncompressed
	switch encoding := strings.TrimSpace(resp.Header.Get("Content-Encoding")); {
	case compressed, encoding == "", strings.EqualFold(encoding, "identity"):
	case strings.EqualFold(encoding, "gzip"), strings.EqualFold(encoding, "x-gzip"):
		gz, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, false, fmt.Errorf("reading gzip-compressed body: %w", requestError(ctx, err))
		}
		r, compressed = gz, true
	default:
		return nil, false, fmt.Errorf("body has Content-Encoding %q, which cannot be decoded; ask for no encoding (drop an \"Accept-Encoding\" header)", encoding)
	}

	body, err := io.ReadAll(io.LimitReader(r, max+1))
	switch {
	case ctx.Err() == nil && errors.Is(err, io.ErrUnexpectedEOF) && compressed:
		return nil, false, fmt.Errorf("body cut short: the gzip-compressed body ends after %d bytes of text", len(body))
	case ctx.Err() == nil && errors.Is(err, io.ErrUnexpectedEOF) && resp.ContentLength >= 0:
		return nil, false, fmt.Errorf("body cut short: connection closed after %d of %d bytes", len(body), resp.ContentLength)
	case ctx.Err() == nil && errors.Is(err, io.ErrUnexpectedEOF):
		return nil, false, fmt.Errorf("body cut short: connection closed after %d bytes, before the last chunk", len(body))
	case err != nil:
		return nil, false, fmt.Errorf("reading body: %w", requestError(ctx, err))
	case int64(len(body)) > max:
		return body[:max], true, nil
	}
	return body, false, nil
}

// requestError turns an error from the HTTP client into one line without
// the "Get URL:" prefix (the Error names the target itself). Once ctx is
// done, whatever failed failed because of it, so its cause is the
// reason: for the budget, a *TimeoutError saying how long it waited.
func requestError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return err
}

// closedEarly names what Go's client reports as a bare "EOF" or
// "unexpected EOF" when the server closes the connection before the end
// of the response's header.
func closedEarly(err error) error {
	switch {
	case err == io.EOF:
		return errors.New("the server closed the connection without a response")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the server closed the connection in the middle of the response header")
	}
	return err
}
