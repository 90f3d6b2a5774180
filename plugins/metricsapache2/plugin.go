// Package metricsapache2 is metrics-apache2: workers, requests, bytes,
// CPU load and the scoreboard from Apache httpd's mod_status page
// (/server-status?auto), a drop-in for mackerel-plugin-apache2 with its
// flags and graph keys — and its bytes graph in bytes, not KiB.
package metricsapache2

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/netclient"
)

// Plugin is metrics-apache2. Its flags are mackerel-plugin-apache2's, in
// either spelling (-http_port 8080, --http_port=8080), with the same
// short forms and environment variables.
var Plugin = &plugin.Plugin{
	Name:           "metrics-apache2",
	Description:    "workers, requests, bytes, CPU load and scoreboard from Apache httpd's mod_status page",
	SingleDashLong: true,
	Aliases:        []string{"mackerel-plugin-apache2"},
	New:            func() any { return &options{} },
}

type options struct {
	Host        string         `short:"o" long:"http_host" env:"ENVVAR_HTTP_HOST" value-name:"HOST" default:"127.0.0.1" description:"the server's address (an IPv6 address with or without brackets)"`
	Port        netclient.Port `short:"p" long:"http_port" env:"ENVVAR_HTTP_PORT" value-name:"PORT" default:"80" description:"the server's port (a number or a service name)"`
	StatusPage  string         `short:"s" long:"status_page" env:"ENVVAR_STATUS_PAGE" value-name:"PATH" default:"/server-status?auto" description:"the path of mod_status's machine-readable page"`
	Header      []string       `short:"H" long:"header" value-name:"'NAME: VALUE'" statekey:"-" description:"add a request header; repeatable; \"Host: NAME\" sets the virtual host"`
	Scheme      string         `long:"scheme" value-name:"http|https" default:"http" description:"the page's scheme: http or https"`
	LabelPrefix string         `long:"metric-label-prefix" value-name:"LABEL" default:"Apache" statekey:"-" description:"first word of every graph's label"`
	Tempfile    string         `short:"t" long:"tempfile" env:"ENVVAR_TEMPFILE" value-name:"FILE" statekey:"-" description:"mackerel-plugin-apache2 compatibility: the same as --state-dir with FILE's directory"`
	netclient.TLSOptions

	client *netclient.HTTP
	url    string
}

func (o *options) Prefix() string { return "apache2" }

// Graphs are mackerel-plugin-apache2's, key for key and label for label.
func (o *options) Graphs() metrics.Graphs {
	p := o.LabelPrefix
	score := make([]metrics.Metric, 0, len(scoreKeys))
	for _, k := range scoreKeys {
		score = append(score, metrics.Metric{Name: k.name, Label: k.label, Stacked: true})
	}
	return metrics.Graphs{
		"workers": {Label: p + " Workers", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "busy_workers", Label: "Busy Workers", Stacked: true},
			{Name: "idle_workers", Label: "Idle Workers", Stacked: true},
		}},
		"bytes": {Label: p + " Bytes", Unit: metrics.Bytes, Metrics: []metrics.Metric{
			{Name: "bytes_sent", Label: "Bytes Sent"},
		}},
		"cpu": {Label: p + " CPU Load", Unit: metrics.Float, Metrics: []metrics.Metric{
			{Name: "cpu_load", Label: "CPU Load"},
		}},
		"req": {Label: p + " Requests", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "requests", Label: "Requests"},
		}},
		"scoreboard": {Label: p + " Scoreboard", Unit: metrics.Integer, Metrics: score},
	}
}

// Validate builds the page's URL and the client.
func (o *options) Validate() error {
	if o.Scheme != "http" && o.Scheme != "https" {
		return errors.New("--scheme " + o.Scheme + ": want http or https")
	}
	path := o.StatusPage
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u := &url.URL{Scheme: o.Scheme, Host: netclient.JoinHostPort(o.Host, int(o.Port))}
	p, err := url.Parse(path)
	if err != nil {
		return errors.New("-s " + o.StatusPage + ": not a path")
	}
	u.Path, u.RawQuery = p.Path, p.RawQuery
	o.url = u.String()
	header, err := netclient.ParseHeaders("-H", o.Header)
	if err != nil {
		return err
	}
	tlsConfig, err := o.TLSOptions.Config()
	if err != nil {
		return err
	}
	o.client = &netclient.HTTP{Header: header, TLS: tlsConfig, Timeout: 5 * time.Second}
	return nil
}

// Collect reads the page once. Gauges are printed as read; requests and
// bytes become per-minute rates (both restart with the server, so a
// restart skips them together). A field the page lacks (ExtendedStatus
// Off) leaves its metric out, with a note on stderr.
func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	resp, err := o.client.Get(ctx, o.url)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return resp.Errorf("status %s (is mod_status enabled there, and allowed for this address?)", resp.Status)
	}
	if resp.Truncated {
		return resp.Errorf("the page is larger than %d bytes: not a status page", len(resp.Body))
	}
	st, err := ParseStatus(resp.Body)
	if err != nil {
		return resp.Errorf("%v", err)
	}
	var missing []string
	gauge := func(name, field string) {
		if v, ok := st.Fields[field]; ok {
			b.Gauge(name, v)
		} else {
			missing = append(missing, field)
		}
	}
	gauge("workers.busy_workers", "BusyWorkers")
	gauge("workers.idle_workers", "IdleWorkers")
	if v, ok := st.CPULoad(); ok {
		b.Gauge("cpu.cpu_load", v)
	} else {
		missing = append(missing, "CPULoad")
	}
	var together []string
	if v, ok := st.Fields["Total Accesses"]; ok && v >= 0 {
		b.Counter("req.requests", uint64(v))
		together = append(together, "req.requests")
	} else {
		missing = append(missing, "Total Accesses")
	}
	if v, ok := st.BytesSent(); ok {
		b.Counter("bytes.bytes_sent", v)
		together = append(together, "bytes.bytes_sent")
	} else {
		missing = append(missing, "Total kBytes")
	}
	b.Together(together...)
	if st.HasScoreboard {
		for _, k := range scoreKeys {
			b.Gauge("scoreboard."+k.name, float64(st.Scoreboard[k.char]))
		}
	} else {
		missing = append(missing, "Scoreboard")
	}
	if len(missing) > 0 {
		hint := ""
		if _, ok := st.Fields["Total Accesses"]; !ok {
			hint = " (ExtendedStatus On adds them)"
		}
		inv.Warnf("%s has no %s: left out%s", netclient.Redact(o.url), strings.Join(missing, ", "), hint)
	}
	return nil
}
