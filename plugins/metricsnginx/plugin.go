package metricsnginx

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/netclient"
)

// Plugin is metrics-nginx. Its flags are those of mackerel-plugin-nginx,
// in either spelling ("-host=x" or "--host=x"), plus --socket,
// --http-timeout, the TLS options of netclient.TLSOptions (--tls-skip-verify,
// --ca-file, --cert-file, --key-file) and the runtime's --metric-key-prefix.
var Plugin = &plugin.Plugin{
	Name:           "metrics-nginx",
	Description:    "connections, requests and connection states from nginx's stub_status page",
	SingleDashLong: true,
	Aliases:        []string{"mackerel-plugin-nginx"},
	New:            func() any { return &options{} },
}

type options struct {
	URI         netclient.MaskedURL `long:"uri" value-name:"URL" description:"the stub_status page, http(s)://HOST[:PORT]/PATH or unix:SOCKET:/PATH; overrides --scheme, --host, --port and --path"`
	Scheme      string              `long:"scheme" value-name:"http|https" default:"http" description:"scheme of the page's URL"`
	Host        string              `long:"host" value-name:"HOST" default:"localhost" description:"host name or IP address of the page's URL, without a port"`
	Port        netclient.Port      `long:"port" value-name:"PORT" default:"8080" description:"port of the page's URL: a number, or a service name such as http"`
	Path        string              `long:"path" value-name:"PATH" default:"/nginx_status" description:"path of the page's URL"`
	Socket      string              `long:"socket" value-name:"PATH" description:"connect to this unix socket instead of the URL's host and port (the host is still sent as Host)"`
	Header      []string            `long:"header" value-name:"'NAME: VALUE'" statekey:"-" description:"add a request header; repeatable; \"Host: NAME\" sets the request's host"`
	HTTPTimeout time.Duration       `long:"http-timeout" value-name:"DURATION" default:"5s" statekey:"-" description:"give up on the page after this long (at most 3/4 of --timeout)"`
	Tempfile    string              `long:"tempfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-nginx compatibility: the same as --state-dir with FILE's directory"`
	netclient.TLSOptions
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
	// When the run's deadline (-t, --timeout) is nearer than
	// --http-timeout, the client gives up on the page with a quarter of
	// the run's time to spare (netclient's budget rule), so that the
	// message names the page rather than the runtime's bare "timed out".
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
	header, err := netclient.ParseHeaders("--header", o.Header)
	if err != nil {
		return nil, err
	}
	tlsConfig, err := o.TLSOptions.Config()
	if err != nil {
		return nil, err
	}
	return &Client{Target: target, Header: header, Timeout: o.HTTPTimeout, TLS: tlsConfig}, nil
}

func (o *options) target() (Target, error) {
	addr := string(o.URI)
	if addr == "" {
		if o.Scheme != "http" && o.Scheme != "https" {
			return Target{}, fmt.Errorf("--scheme %q: want http or https", o.Scheme)
		}
		host := strings.TrimSuffix(strings.TrimPrefix(o.Host, "["), "]") // an IPv6 address, bracketed or not
		if host == "" {
			return Target{}, fmt.Errorf("--host %q: want a host name or IP address", o.Host)
		}
		if _, err := netip.ParseAddr(host); err != nil && strings.Contains(host, ":") {
			return Target{}, fmt.Errorf("--host %q: want a host name or IP address, with no scheme or port (those are --scheme and --port)", o.Host)
		}
		addr = o.Scheme + "://" + netclient.JoinHostPort(host, int(o.Port)) + "/" + strings.TrimPrefix(o.Path, "/")
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
