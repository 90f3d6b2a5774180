package metricsnginx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
)

// Plugin is metrics-nginx. Its flags are those of mackerel-plugin-nginx,
// in either spelling ("-host=x" or "--host=x"), plus --socket,
// --tls-skip-verify, --http-timeout and the runtime's --metric-key-prefix.
var Plugin = &plugin.Plugin{
	Name:           "metrics-nginx",
	Description:    "connections, requests and connection states from nginx's stub_status page",
	SingleDashLong: true,
	New: func() any {
		o := &options{}
		o.Tempfile = func(path string) { o.StateDir = filepath.Dir(path) }
		return o
	},
}

type options struct {
	URI           string        `long:"uri" value-name:"URL" description:"the stub_status page, http(s)://HOST[:PORT]/PATH or unix:SOCKET:/PATH; overrides --scheme, --host, --port and --path"`
	Scheme        string        `long:"scheme" value-name:"http|https" default:"http" description:"scheme of the page's URL"`
	Host          string        `long:"host" value-name:"HOST" default:"localhost" description:"host name or IP address of the page's URL, without a port"`
	Port          int           `long:"port" value-name:"PORT" default:"8080" description:"port of the page's URL"`
	Path          string        `long:"path" value-name:"PATH" default:"/nginx_status" description:"path of the page's URL"`
	Socket        string        `long:"socket" value-name:"PATH" description:"connect to this unix socket instead of the URL's host and port (the host is still sent as Host)"`
	Header        []string      `long:"header" value-name:"'NAME: VALUE'" statekey:"-" description:"add a request header; repeatable; \"Host: NAME\" sets the request's host"`
	TLSSkipVerify bool          `long:"tls-skip-verify" statekey:"-" description:"accept any certificate from an https page"`
	HTTPTimeout   time.Duration `long:"http-timeout" value-name:"DURATION" default:"5s" statekey:"-" description:"give up on the page after this long (at most 3/4 of --timeout)"`
	StateDir      string        `long:"state-dir" value-name:"DIR" statekey:"-" description:"directory for the previous counter values (default: $MACKEREL_PLUGIN_WORKDIR, else a teko folder in the temp directory)"`
	Tempfile      func(string)  `long:"tempfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-nginx compatibility: the same as --state-dir with FILE's directory"`
}

func (o *options) Prefix() string { return "nginx" }

// Graphs are mackerel-plugin-nginx's, key for key and label for label, so
// that existing dashboards keep working.
func (o *options) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"connections": {Label: "Nginx Connections", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "connections", Label: "Active connections"},
		}},
		"requests": {Label: "Nginx requests", Unit: metrics.Float, Metrics: []metrics.Metric{
			{Name: "accepts", Label: "Accepted connections"},
			{Name: "handled", Label: "Handled connections"},
			{Name: "requests", Label: "Handled requests"},
		}},
		"queue": {Label: "Nginx connection status", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "reading", Label: "Reading"},
			{Name: "writing", Label: "Writing"},
			{Name: "waiting", Label: "Waiting"},
		}},
	}
}

// Collect fetches the page once. The gauges are printed as read; the three
// counters become per-minute rates against the previous run (the runtime
// skips all three when one went down, as after an nginx restart). Any
// failure prints nothing.
func (o *options) Collect(ctx context.Context, _ *plugin.Invocation, b *metrics.Batch) error {
	client, err := o.client()
	if err != nil {
		return err
	}
	// When the run's deadline (-t, --timeout) comes first, the runtime
	// reports only "timed out", without the page. Give up on the page
	// with a quarter of the run's time to spare, so that the message
	// names it.
	if deadline, ok := ctx.Deadline(); ok {
		if share := (time.Until(deadline) * 3 / 4).Round(time.Millisecond); share < client.Timeout {
			client.Timeout = max(share, time.Millisecond)
		}
	}
	st, err := client.Fetch(ctx)
	if err != nil {
		return err
	}
	b.Gauge("connections.connections", float64(st.Active))
	b.Counter("requests.accepts", st.Accepts)
	b.Counter("requests.handled", st.Handled)
	b.Counter("requests.requests", st.Requests)
	b.Together("requests.accepts", "requests.handled", "requests.requests") // one nginx restarts them all
	b.Gauge("queue.reading", float64(st.Reading))
	b.Gauge("queue.writing", float64(st.Writing))
	b.Gauge("queue.waiting", float64(st.Waiting))
	return nil
}

// Validate rejects bad option values before the plugin runs, so that they
// are reported like any flag error.
func (o *options) Validate() error {
	_, err := o.client()
	return err
}

// client checks the options and builds the Client they describe.
func (o *options) client() (*Client, error) {
	if o.HTTPTimeout <= 0 {
		return nil, fmt.Errorf("--http-timeout %s: must be positive", o.HTTPTimeout)
	}
	target, err := o.target()
	if err != nil {
		return nil, err
	}
	header, err := parseHeaders(o.Header)
	if err != nil {
		return nil, err
	}
	return &Client{Target: target, Header: header, Timeout: o.HTTPTimeout, InsecureSkipVerify: o.TLSSkipVerify}, nil
}

func (o *options) target() (Target, error) {
	addr := o.URI
	if addr == "" {
		if o.Scheme != "http" && o.Scheme != "https" {
			return Target{}, fmt.Errorf("--scheme %q: want http or https", o.Scheme)
		}
		if o.Port < 1 || o.Port > 65535 {
			return Target{}, fmt.Errorf("--port %d: want 1 to 65535", o.Port)
		}
		host := strings.TrimSuffix(strings.TrimPrefix(o.Host, "["), "]") // an IPv6 address, bracketed or not
		if host == "" {
			return Target{}, fmt.Errorf("--host %q: want a host name or IP address", o.Host)
		}
		if _, err := netip.ParseAddr(host); err != nil && strings.Contains(host, ":") {
			return Target{}, fmt.Errorf("--host %q: want a host name or IP address, with no scheme or port (those are --scheme and --port)", o.Host)
		}
		addr = o.Scheme + "://" + net.JoinHostPort(host, strconv.Itoa(o.Port)) + "/" + strings.TrimPrefix(o.Path, "/")
	}
	target, err := ParseTarget(addr)
	if err != nil {
		return Target{}, err
	}
	if o.Socket != "" {
		if target.Socket != "" {
			return Target{}, errors.New("--socket and a unix: --uri both name a socket; give one")
		}
		target.Socket = o.Socket
	}
	return target, nil
}

// parseHeaders reads "Name: value" flags. A repeated name keeps every
// value, in order.
func parseHeaders(flags []string) (http.Header, error) {
	header := http.Header{}
	for _, f := range flags {
		name, value, ok := strings.Cut(f, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || !validHeaderName(name) {
			return nil, fmt.Errorf("--header %q: want \"Name: value\"", f)
		}
		if strings.ContainsFunc(value, isControl) {
			return nil, fmt.Errorf("--header %q: the value has a control character", f)
		}
		header.Add(name, value)
	}
	return header, nil
}

// validHeaderName reports whether name is an HTTP header name: one or more
// of the characters RFC 9110 allows in a token. Go's client would refuse
// anything else only when sending, as a failed run rather than a bad flag.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		isAlnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !isAlnum && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// isControl reports whether r may not appear in a header value: a control
// character other than tab (a line break would end the header).
func isControl(r rune) bool {
	return r < ' ' && r != '\t' || r == 0x7f
}
