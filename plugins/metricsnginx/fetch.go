package metricsnginx

import (
	"context"
	"crypto/tls"
	"net/http"
	"time"

	"github.com/teko-dev/teko/plugin/netclient"
)

// DefaultTimeout bounds one fetch of the status page when Client.Timeout is
// zero: connecting, sending the request and reading the whole response.
// It is far inside the 30 seconds mackerel-agent gives a plugin run.
const DefaultTimeout = 5 * time.Second

// maxBodySize is far above any stub_status page (about 100 bytes); a larger
// body is some other page and is not read further.
const maxBodySize = 64 << 10

// Target is the address of a stub_status page: an http or https URL, and
// optionally a unix socket that connections go to instead of the URL's
// host and port (the URL's host is then only the Host header).
type Target = netclient.Target

// ParseTarget reads a page address in one of two forms:
//
//	http://127.0.0.1:8080/nginx_status     (or https://…)
//	unix:/run/nginx.sock:/nginx_status     (a unix socket, then the path)
//
// It is netclient.ParseTarget; see there.
func ParseTarget(addr string) (Target, error) { return netclient.ParseTarget(addr) }

// Client fetches and parses a stub_status page. The zero value of each
// field other than Target is a sensible default. A Client makes one
// connection per Fetch and keeps none open between calls. It is a thin
// layer over netclient.HTTP, which does the work.
type Client struct {
	Target Target

	// Header holds extra request headers. A "Host" entry sets the
	// request's Host (the virtual server nginx picks), not a header line.
	Header http.Header

	// Timeout bounds each Fetch; zero means DefaultTimeout. The run's
	// deadline may give less (netclient's budget rule).
	Timeout time.Duration

	// InsecureSkipVerify accepts any certificate from an https server.
	InsecureSkipVerify bool

	// TLS configures https connections (netclient.TLSOptions.Config);
	// nil means Go's defaults, with InsecureSkipVerify.
	TLS *tls.Config
}

// Fetch gets the page and parses it. Every failure is an error that starts
// with the page's address and says in one line what went wrong: the
// connection, the timeout, a status other than 2xx, a body cut short, or
// a body that is not stub_status output (see ParseStubStatus). Redirects
// are followed, at most netclient.DefaultMaxRedirects of them; a failure
// after one also names the address it led to (unless that is the page's
// own). On error the StubStatus is the zero value.
func (c *Client) Fetch(ctx context.Context) (StubStatus, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	cfg := c.TLS
	if c.InsecureSkipVerify {
		if cfg == nil {
			cfg = &tls.Config{}
		} else {
			cfg = cfg.Clone()
		}
		cfg.InsecureSkipVerify = true // the operator asked for it
	}
	hc := &netclient.HTTP{
		Timeout: timeout,
		TLS:     cfg,
		Socket:  c.Target.Socket,
		Header:  c.Header,
		MaxBody: maxBodySize,
	}
	req, err := http.NewRequest(http.MethodGet, c.Target.URL.String(), nil)
	if err != nil {
		return StubStatus{}, err
	}
	resp, err := hc.Do(ctx, req)
	if err != nil {
		return StubStatus{}, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return StubStatus{}, resp.Errorf("HTTP status %q, want 2xx", resp.Status)
	}
	if resp.Truncated {
		return StubStatus{}, resp.Errorf("not stub_status output: body larger than %d bytes", maxBodySize)
	}
	st, err := ParseStubStatus(resp.Body)
	if err != nil {
		return StubStatus{}, resp.Errorf("%w", err)
	}
	return st, nil
}
