package metricsnginx

import (
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
// The unix form requests http://localhost/PATH over the socket.
func ParseTarget(addr string) (Target, error) {
	if rest, ok := strings.CutPrefix(addr, "unix:"); ok {
		socket, path, ok := strings.Cut(rest, ":")
		if !ok || socket == "" || !strings.HasPrefix(path, "/") {
			return Target{}, fmt.Errorf("address %q: want unix:SOCKET:/PATH, e.g. unix:/run/nginx.sock:/nginx_status", addr)
		}
		u, err := url.Parse("http://localhost" + path)
		if err != nil {
			return Target{}, fmt.Errorf("address %q: path: %w", addr, err)
		}
		return Target{URL: u, Socket: socket}, nil
	}
	if !strings.HasPrefix(addr, "http://") && !strings.HasPrefix(addr, "https://") {
		return Target{}, fmt.Errorf("address %q: want an http:// or https:// URL, or unix:SOCKET:/PATH", addr)
	}
	u, err := url.Parse(addr)
	if err != nil {
		return Target{}, fmt.Errorf("address %q: %w", addr, err)
	}
	if u.Host == "" {
		return Target{}, fmt.Errorf("address %q: no host", addr)
	}
	return Target{URL: u}, nil
}

// String returns the address as an operator would write it, for messages.
func (t Target) String() string {
	if t.Socket == "" {
		return t.URL.String()
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
// a body that is not stub_status output (see ParseStubStatus). On error
// the StubStatus is the zero value.
func (c *Client) Fetch(ctx context.Context) (StubStatus, error) {
	body, err := c.get(ctx)
	if err == nil {
		var st StubStatus
		if st, err = ParseStubStatus(body); err == nil {
			return st, nil
		}
	}
	return StubStatus{}, fmt.Errorf("%s: %w", c.Target, err)
}

func (c *Client) get(ctx context.Context) ([]byte, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("no complete response within %s", timeout))
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Target.URL.String(), nil)
	if err != nil {
		return nil, err
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

	client := &http.Client{Transport: c.transport()}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return nil, requestError(ctx, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("HTTP status %q, want 2xx", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodySize+1))
	switch {
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
