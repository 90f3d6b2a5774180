package metricsnginx

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
	"strings"
	"time"
)

// DefaultTimeout bounds one fetch of the status page when Client.Timeout is
// zero: connecting, sending the request and reading the whole response.
// It is far inside the 30 seconds mackerel-agent gives a plugin run.
const DefaultTimeout = 5 * time.Second

// maxBodySize is far above any stub_status page (about 100 bytes); a larger
// body is some other page and is not read further.
const maxBodySize = 64 << 10

// maxRedirects is how many redirects a fetch follows, as many as Go's
// default client.
const maxRedirects = 10

// userAgent is sent unless the caller sets a User-Agent header.
const userAgent = "teko-metrics-nginx"

// Target is the address of a stub_status page: an http or https URL, and
// optionally a unix socket that connections go to instead of the URL's
// host and port (the URL's host is then only the Host header).
type Target struct {
	URL    *url.URL
	Socket string // path of a unix socket; empty to connect to URL's host
}

// ParseTarget reads a page address in one of two forms:
//
//	http://127.0.0.1:8080/nginx_status     (or https://…)
//	unix:/run/nginx.sock:/nginx_status     (a unix socket, then the path)
//
// The unix form requests http://localhost/PATH over the socket. The path
// starts at the first ":/", so a socket name may contain a colon
// (unix:/run/nginx:edge.sock:/nginx_status); one whose directories end
// in a colon needs Target.Socket (the --socket flag) instead.
//
// Errors quote the address with the password of its user info, if any,
// replaced by "xxxxx", as Target.String does.
func ParseTarget(addr string) (Target, error) {
	if rest, ok := strings.CutPrefix(addr, "unix:"); ok {
		end := strings.Index(rest, ":/")
		if end <= 0 {
			return Target{}, fmt.Errorf("address %q: want unix:SOCKET:/PATH, e.g. unix:/run/nginx.sock:/nginx_status", addr)
		}
		socket, path := rest[:end], rest[end+1:]
		u, err := url.Parse("http://localhost" + path)
		if err != nil {
			return Target{}, fmt.Errorf("address %q: path: %w", addr, urlParseReason(err))
		}
		return Target{URL: u, Socket: socket}, nil
	}
	if !strings.HasPrefix(addr, "http://") && !strings.HasPrefix(addr, "https://") {
		return Target{}, fmt.Errorf("address %q: want an http:// or https:// URL, or unix:SOCKET:/PATH", redactPassword(addr))
	}
	u, err := url.Parse(addr)
	if err != nil {
		return Target{}, fmt.Errorf("address %q: %w", redactPassword(addr), urlParseReason(err))
	}
	if u.Host == "" {
		return Target{}, fmt.Errorf("address %q: no host", redactPassword(addr))
	}
	return Target{URL: u}, nil
}

// urlParseReason drops the quoted input from url.Parse's error, which the
// caller quotes already (without its password).
func urlParseReason(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

// redactPassword replaces the password in an address's user info
// ("http://user:pass@host/") with "xxxxx", as url.URL.Redacted does, for
// an address that url.Parse may not accept. Messages end up in the
// agent's log, where a password does not belong.
func redactPassword(addr string) string {
	scheme, rest, ok := strings.Cut(addr, "://")
	if !ok {
		return addr
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return addr
	}
	user, _, hasPassword := strings.Cut(authority[:at], ":")
	if !hasPassword {
		return addr
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// String returns the address as an operator would write it, for messages,
// with the password of its user info, if any, replaced by "xxxxx".
func (t Target) String() string {
	if t.Socket == "" {
		return t.URL.Redacted()
	}
	return "unix:" + t.Socket + ":" + t.URL.RequestURI()
}

// Client fetches and parses a stub_status page. The zero value of each
// field other than Target is a sensible default. A Client makes one
// connection per Fetch and keeps none open between calls.
type Client struct {
	Target Target

	// Header holds extra request headers. A "Host" entry sets the
	// request's Host (the virtual server nginx picks), not a header line.
	Header http.Header

	// Timeout bounds each Fetch; zero means DefaultTimeout.
	Timeout time.Duration

	// InsecureSkipVerify accepts any certificate from an https server.
	InsecureSkipVerify bool
}

// Fetch gets the page and parses it. Every failure is an error that starts
// with the page's address and says in one line what went wrong: the
// connection, the timeout, a status other than 2xx, a body cut short, or
// a body that is not stub_status output (see ParseStubStatus). Redirects
// are followed, at most maxRedirects of them; a failure after one also
// names the address it led to (unless that is the page's own). On error
// the StubStatus is the zero value.
func (c *Client) Fetch(ctx context.Context) (StubStatus, error) {
	body, redirectedTo, err := c.get(ctx)
	if err == nil {
		var st StubStatus
		if st, err = ParseStubStatus(body); err == nil {
			return st, nil
		}
	}
	if redirectedTo != nil && redirectedTo.String() != c.Target.URL.String() {
		err = fmt.Errorf("redirected to %s: %w", redirectedTo.Redacted(), err)
	}
	return StubStatus{}, fmt.Errorf("%s: %w", c.Target, err)
}

// get returns the body of the page and, if a redirect was followed, the
// address of the last one.
func (c *Client) get(ctx context.Context) (body []byte, redirectedTo *url.URL, err error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("no complete response within %s", timeout))
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Target.URL.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	for name, values := range c.Header {
		if http.CanonicalHeaderKey(name) == "Host" {
			if len(values) > 0 {
				req.Host = values[len(values)-1]
			}
			continue
		}
		req.Header[http.CanonicalHeaderKey(name)] = values
	}

	client := &http.Client{
		Transport: c.transport(),
		CheckRedirect: func(next *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			redirectedTo = next.URL
			return nil
		},
	}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return nil, redirectedTo, requestError(ctx, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, redirectedTo, fmt.Errorf("HTTP status %q, want 2xx", resp.Status)
	}
	body, err = readBody(ctx, resp)
	return body, redirectedTo, err
}

// readBody reads a response's body, at most maxBodySize bytes of it once
// decompressed. Go decompresses gzip itself unless the request asked for
// an encoding (an operator's "Accept-Encoding" header); readBody then
// decompresses gzip too, and rejects any other encoding.
func readBody(ctx context.Context, resp *http.Response) ([]byte, error) {
	var r io.Reader = resp.Body
	compressed := resp.Uncompressed
	switch encoding := strings.TrimSpace(resp.Header.Get("Content-Encoding")); {
	case compressed, encoding == "", strings.EqualFold(encoding, "identity"):
	case strings.EqualFold(encoding, "gzip"), strings.EqualFold(encoding, "x-gzip"):
		gz, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("reading gzip-compressed body: %w", requestError(ctx, err))
		}
		r, compressed = gz, true
	default:
		return nil, fmt.Errorf("body has Content-Encoding %q, which cannot be decoded; ask for no encoding (drop an \"Accept-Encoding\" --header)", encoding)
	}

	body, err := io.ReadAll(io.LimitReader(r, maxBodySize+1))
	switch {
	case ctx.Err() == nil && errors.Is(err, io.ErrUnexpectedEOF) && compressed:
		return nil, fmt.Errorf("body cut short: the gzip-compressed body ends after %d bytes of text", len(body))
	case ctx.Err() == nil && errors.Is(err, io.ErrUnexpectedEOF) && resp.ContentLength >= 0:
		return nil, fmt.Errorf("body cut short: connection closed after %d of %d bytes", len(body), resp.ContentLength)
	case ctx.Err() == nil && errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("body cut short: connection closed after %d bytes, before the last chunk", len(body))
	case err != nil:
		return nil, fmt.Errorf("reading body: %w", requestError(ctx, err))
	case len(body) > maxBodySize:
		return nil, fmt.Errorf("not stub_status output: body larger than %d bytes", maxBodySize)
	}
	return body, nil
}

func (c *Client) transport() *http.Transport {
	dialer := &net.Dialer{}
	t := &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dialer.DialContext,
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: maxBodySize,
	}
	if c.InsecureSkipVerify {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} // the operator asked for it
	}
	if c.Target.Socket != "" {
		t.Proxy = nil
		t.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", c.Target.Socket)
		}
	}
	return t
}

// requestError turns an error from the HTTP client into one line without
// the "Get URL:" prefix (Fetch names the page itself). Once ctx is done,
// whatever failed failed because of it, so its cause is the reason: for
// the fetch timeout, how long it waited.
func requestError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}
