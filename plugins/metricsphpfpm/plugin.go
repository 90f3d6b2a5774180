// Package metricsphpfpm is metrics-php-fpm: the process, queue and
// request figures of a PHP-FPM pool from its status page, read over HTTP
// (through the web server) or straight from the pool over FastCGI (a unix
// socket or TCP), a drop-in for mackerel-plugin-php-fpm with its flags
// and graph keys.
package metricsphpfpm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/netclient"
)

// Plugin is metrics-php-fpm. Its flags are mackerel-plugin-php-fpm's, in
// either spelling (-url, --url); the original's -timeout is the run's
// --timeout.
var Plugin = &plugin.Plugin{
	Name:           "metrics-php-fpm",
	Description:    "processes, listen queue, slow and accepted requests of a PHP-FPM pool from its status page (HTTP or FastCGI)",
	SingleDashLong: true,
	Aliases:        []string{"mackerel-plugin-php-fpm"},
	New:            func() any { return &options{} },
}

type options struct {
	URL         netclient.MaskedURL `long:"url" value-name:"URL" default:"http://localhost/status?json" description:"the pool's status page; with --socket only its path and query are used"`
	Socket      socket              `long:"socket" value-name:"PATH|unix:///PATH|tcp://HOST[:PORT]" description:"ask the pool itself over FastCGI on this unix socket or TCP address (port 9000 by default) instead of through the web server"`
	LabelPrefix string              `long:"metric-label-prefix" value-name:"LABEL" default:"PHP-FPM" statekey:"-" description:"first word of every graph's label"`
	Tempfile    string              `long:"tempfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-php-fpm compatibility: the same as --state-dir with FILE's directory"`
	netclient.TLSOptions

	page   *url.URL
	client *netclient.HTTP
}

// socket is the --socket flag: a path, unix:///path, tcp://host[:port]
// or host:port.
type socket struct {
	Network, Address string
}

// UnmarshalFlag reads the forms mackerel-plugin-php-fpm accepts.
func (s *socket) UnmarshalFlag(v string) error {
	switch {
	case strings.HasPrefix(v, "unix://"):
		s.Network, s.Address = "unix", strings.TrimPrefix(v, "unix://")
	case strings.HasPrefix(v, "tcp://"):
		hostport := strings.TrimSuffix(strings.TrimPrefix(v, "tcp://"), "/")
		if _, _, err := net.SplitHostPort(hostport); err != nil {
			hostport = netclient.JoinHostPort(hostport, 9000)
		}
		s.Network, s.Address = "tcp", hostport
	case strings.HasPrefix(v, "/") || strings.HasPrefix(v, "."),
		v != "" && !strings.Contains(v, ":"): // no scheme, no port: a relative path, as the original read it
		s.Network, s.Address = "unix", v
	default:
		if _, port, err := net.SplitHostPort(v); err == nil && port != "" && !strings.ContainsAny(v, "/#") {
			s.Network, s.Address = "tcp", v
			break
		}
		return fmt.Errorf("%q is not a socket: want a path, unix:///PATH, tcp://HOST[:PORT] or HOST:PORT", v)
	}
	if s.Address == "" {
		return fmt.Errorf("%q names no socket", v)
	}
	return nil
}

// MarshalFlag shows the socket in --help.
func (s socket) MarshalFlag() (string, error) {
	if s.Network == "" {
		return "", nil
	}
	return s.Network + "://" + s.Address, nil
}

func (o *options) Prefix() string { return "php-fpm" }

// Graphs are mackerel-plugin-php-fpm's, plus accepted_conn (the pool's
// request rate, which the original read but never printed).
func (o *options) Graphs() metrics.Graphs {
	p := o.LabelPrefix
	one := func(label string, unit metrics.Unit, name, metricLabel string) metrics.Graph {
		return metrics.Graph{Label: p + " " + label, Unit: unit, Metrics: []metrics.Metric{{Name: name, Label: metricLabel}}}
	}
	return metrics.Graphs{
		"processes": {Label: p + " Processes", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "total_processes", Label: "Total Processes"},
			{Name: "active_processes", Label: "Active Processes"},
			{Name: "idle_processes", Label: "Idle Processes"},
		}},
		"max_active_processes": one("Max Active Processes", metrics.Integer, "max_active_processes", "Max Active Processes"),
		"max_children_reached": one("Max Children Reached", metrics.Integer, "max_children_reached", "Max Children Reached"),
		"queue": {Label: p + " Queue", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "listen_queue", Label: "Listen Queue"},
			{Name: "listen_queue_len", Label: "Listen Queue Len"},
		}},
		"max_listen_queue": one("Max Listen Queue", metrics.Integer, "max_listen_queue", "Max Listen Queue"),
		"slow_requests": {Label: p + " Slow Requests", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "slow_requests", Label: "Slow Requests Counter"},
			{Name: "slow_requests_delta", Label: "Slow Requests Delta"},
		}},
		"memory_peak":   one("Memory Peak", metrics.Bytes, "memory_peak", "Memory Peak"),
		"accepted_conn": one("Accepted Connections", metrics.Integer, "accepted_conn", "Accepted Connections"),
	}
}

// Validate parses the page's URL and builds the client.
func (o *options) Validate() error {
	u, err := url.Parse(string(o.URL))
	if err != nil || u.Path == "" || (o.Socket.Network == "" && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "")) {
		return fmt.Errorf("--url %s: want http(s)://HOST[:PORT]/PATH (with --socket, at least a path)", netclient.Redact(string(o.URL)))
	}
	o.page = u
	tlsConfig, err := o.TLSOptions.Config()
	if err != nil {
		return err
	}
	o.client = &netclient.HTTP{TLS: tlsConfig}
	return nil
}

// maxPage bounds a status page: with ?full it lists every process.
const maxPage = 4 << 20

// Collect reads the status page once.
func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	body, where, err := o.fetch(ctx)
	if err != nil {
		return err
	}
	st, err := parseStatus(body)
	if err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	var missing []string
	gauge := func(name, field string) {
		if v, ok := st[field]; ok {
			b.Gauge(name, v)
		} else {
			missing = append(missing, field)
		}
	}
	gauge("processes.total_processes", "total processes")
	gauge("processes.active_processes", "active processes")
	gauge("processes.idle_processes", "idle processes")
	gauge("max_active_processes.max_active_processes", "max active processes")
	gauge("max_children_reached.max_children_reached", "max children reached")
	gauge("queue.listen_queue", "listen queue")
	gauge("queue.listen_queue_len", "listen queue len")
	gauge("max_listen_queue.max_listen_queue", "max listen queue")
	gauge("slow_requests.slow_requests", "slow requests")
	var counters []string
	counter := func(name, field string) {
		if v, ok := st[field]; ok && v >= 0 {
			b.Counter(name, uint64(v))
			counters = append(counters, name)
		} else if !ok {
			missing = append(missing, field)
		}
	}
	counter("slow_requests.slow_requests_delta", "slow requests")
	counter("accepted_conn.accepted_conn", "accepted conn")
	b.Together(counters...) // a restarted pool starts both again
	// PHP before 8.4 has no memory peak; it is left out, not printed as 0.
	if v, ok := st["memory peak"]; ok && v > 0 {
		b.Gauge("memory_peak.memory_peak", v)
	}
	if len(missing) > 0 {
		inv.Warnf("%s has no %s: left out", where, strings.Join(missing, ", "))
	}
	return nil
}

// fetch returns the status page's body and a name for it in messages.
func (o *options) fetch(ctx context.Context) ([]byte, string, error) {
	if o.Socket.Network == "" {
		resp, err := o.client.Get(ctx, o.page.String())
		if err != nil {
			return nil, "", err
		}
		where := netclient.Redact(o.page.String())
		if resp.StatusCode != 200 {
			return nil, "", resp.Errorf("status %s (is pm.status_path set to this path?)", resp.Status)
		}
		if resp.Truncated {
			return nil, "", resp.Errorf("larger than %d bytes: not a status page", len(resp.Body))
		}
		return resp.Body, where, nil
	}
	where := fmt.Sprintf("%s://%s %s", o.Socket.Network, o.Socket.Address, o.page.Path)
	conn, err := (&netclient.Dialer{}).Dial(ctx, o.Socket.Network, o.Socket.Address)
	if err != nil {
		return nil, "", err
	}
	defer conn.Close()
	resp, err := fcgiGet(conn, o.page.Path, o.page.RawQuery, maxPage)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", where, err)
	}
	if resp.Status != 200 {
		hint := ""
		if resp.Stderr != "" {
			hint = ": " + firstLine(resp.Stderr)
		}
		return nil, "", fmt.Errorf("%s: status %d%s (is pm.status_path set to %s?)", where, resp.Status, hint, o.page.Path)
	}
	return resp.Body, where, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// parseStatus reads the status page in its JSON form (?json) or its
// plain form ("name: value" lines), keeping the numeric fields by name.
func parseStatus(body []byte) (map[string]float64, error) {
	out := map[string]float64{}
	trimmed := bytes.TrimSpace(body)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return nil, fmt.Errorf("the status page's JSON does not parse: %v", err)
		}
		for k, v := range raw {
			var n json.Number
			if json.Unmarshal(v, &n) == nil {
				if f, err := n.Float64(); err == nil {
					out[k] = f
				}
			}
		}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(trimmed))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				out[strings.TrimSpace(k)] = f
			}
		}
	}
	if _, ok := out["total processes"]; !ok {
		return nil, errors.New("not a PHP-FPM status page (no \"total processes\")")
	}
	return out, nil
}
