package checkhttp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/netclient"
)

// Plugin is check-http.
var Plugin = &plugin.Plugin{
	Name:        "check-http",
	Title:       "HTTP",
	Description: "requests a URL and checks the status, the body and the response time",
	New:         func() any { return &options{} },
}

type options struct {
	URL          string             `short:"u" long:"url" required:"true" value-name:"URL" description:"the URL to request (http or https)"`
	Status       checkers.StatusMap `short:"s" long:"status" value-name:"CODE[-CODE]=STATUS" description:"map HTTP status codes to a check status, e.g. 404=ok or 500-599=warning; repeatable, the first that covers a code wins (default: below 400 OK, 4xx WARNING, 500 and above CRITICAL); STATUS=STATUS rules (warning=critical) change the final status"`
	SourceIP     string             `short:"i" long:"source-ip" value-name:"IP" description:"connect from this local IP address"`
	Header       []string           `short:"H" long:"header" value-name:"'NAME: VALUE'" description:"add a request header; repeatable; \"Host: NAME\" sets the request's host (the virtual host)"`
	Pattern      string             `short:"p" long:"pattern" value-name:"REGEXP" description:"the body must match this regular expression (the first --max-body bytes of it)"`
	MaxRedirects int                `long:"max-redirects" value-name:"N" default:"10" description:"follow at most this many redirects; past it the last redirect is the response"`
	Method       string             `short:"m" long:"method" value-name:"METHOD" default:"GET" description:"the request method: GET, HEAD, POST or PUT"`
	ConnectTo    []string           `long:"connect-to" value-name:"HOST1:PORT1:HOST2:PORT2" description:"connect to HOST2:PORT2 for requests to HOST1:PORT1 (the request is unchanged); repeatable"`
	Proxy        string             `short:"x" long:"proxy" value-name:"[PROTOCOL://][USER:PASS@]HOST[:PORT]" description:"use this proxy (PROTOCOL http by default, PORT 1080); without it HTTP_PROXY, HTTPS_PROXY and NO_PROXY apply"`
	BasicAuth    string             `long:"user" value-name:"USER[:PASSWORD]" description:"basic authentication; the password never appears in messages"`
	RequireBytes int64              `short:"B" long:"require-bytes" value-name:"BYTES" default:"-1" description:"the body must be exactly this many bytes (-1: any)"`
	Body         string             `short:"d" long:"body" value-name:"DATA" description:"send this request body"`
	MinBytes     int64              `short:"g" long:"min-bytes" value-name:"BYTES" default:"-1" description:"the body must be at least this many bytes (-1: any)"`
	Warning      float64            `short:"w" long:"warning" value-name:"SECONDS" description:"WARNING when the response takes longer than this (0: no threshold)"`
	Critical     float64            `short:"c" long:"critical" value-name:"SECONDS" description:"CRITICAL when the response takes longer than this (0: no threshold)"`
	MaxBody      int64              `long:"max-body" value-name:"BYTES" default:"1048576" description:"read at most this many bytes of the body; the rest is not read (a body that never ends cannot hang the check)"`
	netclient.TLSOptions

	client  *netclient.HTTP
	pattern *regexp.Regexp
	user    string
	pass    string
}

// Validate reads every option once, so that a bad one is UNKNOWN before
// any request.
func (o *options) Validate() error {
	if _, err := netclient.ParseURL(o.URL); err != nil {
		return fmt.Errorf("--url %w", err)
	}
	var err error
	switch o.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut:
	default:
		return fmt.Errorf("--method %q: want GET, HEAD, POST or PUT", o.Method)
	}
	if o.Warning < 0 || o.Critical < 0 {
		return errors.New("--warning and --critical are seconds, 0 or more")
	}
	if o.MaxBody < 1 {
		return fmt.Errorf("--max-body %d: want 1 or more", o.MaxBody)
	}
	if o.Pattern != "" {
		if o.pattern, err = regexp.Compile(o.Pattern); err != nil {
			return fmt.Errorf("--pattern %q: %v", o.Pattern, err)
		}
	}
	header, err := netclient.ParseHeaders("-H", o.Header)
	if err != nil {
		return err
	}
	c := &netclient.HTTP{Header: header, MaxBody: o.MaxBody, KeepLastRedirect: true, MaxRedirects: o.MaxRedirects}
	if o.MaxRedirects <= 0 {
		c.MaxRedirects = -1 // --max-redirects 0 follows none, as the original
	}
	if c.TLS, err = o.TLSOptions.Config(); err != nil {
		return err
	}
	if o.SourceIP != "" {
		if c.LocalAddr = net.ParseIP(o.SourceIP); c.LocalAddr == nil {
			return fmt.Errorf("--source-ip %q: not an IP address", o.SourceIP)
		}
	}
	for _, ct := range o.ConnectTo {
		rule, err := netclient.ParseConnectTo(ct)
		if err != nil {
			return err
		}
		c.ConnectTo = append(c.ConnectTo, rule)
	}
	if o.Proxy != "" {
		if c.Proxy, err = netclient.ParseProxy(o.Proxy); err != nil {
			return fmt.Errorf("--%v", err)
		}
	}
	if o.BasicAuth != "" {
		o.user, o.pass, _ = strings.Cut(o.BasicAuth, ":")
		c.Secrets = append(c.Secrets, o.pass)
	}
	o.client = c
	return nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Check requests the URL once.
func (o *options) Check(ctx context.Context, _ *plugin.Invocation) (*checkers.Result, error) {
	req, err := http.NewRequest(o.Method, o.URL, strings.NewReader(o.Body))
	if err != nil {
		return nil, fmt.Errorf("--url %q: %v", netclient.Redact(o.URL), unwrapURLError(err))
	}
	if o.BasicAuth != "" {
		req.SetBasicAuth(o.user, o.pass)
	}
	resp, err := o.client.Do(ctx, req)
	if err != nil {
		return o.failed(err), nil
	}
	return o.judge(resp), nil
}

// failed reports a request that got no response: the service's failure,
// CRITICAL (a hung server included: netclient.Failed), through the
// status rules of -s.
func (o *options) failed(err error) *checkers.Result {
	res := netclient.Failed(err)
	o.Status.ApplyResult(res)
	return res
}

// judge turns a response into the result: the status code through -s,
// then the body tests, then the response time.
func (o *options) judge(resp *netclient.Response) *checkers.Result {
	status, mapped := o.Status.Code(resp.StatusCode)
	if !mapped {
		switch code := resp.StatusCode; {
		case code < 400:
			status = checkers.OK
		case code < 500:
			status = checkers.Warning
		default:
			status = checkers.Critical
		}
	}
	size := int64(len(resp.Body))
	if resp.ContentLength >= 0 && !resp.Truncated {
		size = max(size, resp.ContentLength)
	}
	sizeText := fmt.Sprintf("%d bytes", size)
	if resp.Truncated {
		sizeText = fmt.Sprintf("more than %d bytes", len(resp.Body))
		if resp.ContentLength > int64(len(resp.Body)) {
			size, sizeText = resp.ContentLength, fmt.Sprintf("%d bytes", resp.ContentLength)
		}
	}
	res := checkers.NewResult(status, "%s %s - %s", resp.Proto, resp.Status, sizeText)
	if resp.RedirectsStopped {
		res.Summary += fmt.Sprintf(" (a redirect not followed: --max-redirects %d reached at %s)", max(o.MaxRedirects, 0), resp.URL.Redacted())
	} else if resp.Redirects > 0 {
		res.AddDetail("after %d redirect(s), from %s", resp.Redirects, resp.URL.Redacted())
	}
	var failures []string
	if o.pattern != nil && !o.pattern.Match(resp.Body) {
		where := "in the content"
		if resp.Truncated {
			where = fmt.Sprintf("in the first %d bytes of the content", len(resp.Body))
		}
		failures = append(failures, fmt.Sprintf("'%s' not found %s", o.Pattern, where))
	}
	exactKnown := !resp.Truncated || resp.ContentLength >= 0
	if o.RequireBytes >= 0 && (size != o.RequireBytes || !exactKnown) {
		failures = append(failures, fmt.Sprintf("response was %s instead of %d", sizeText, o.RequireBytes))
	}
	if o.MinBytes >= 0 && size < o.MinBytes {
		failures = append(failures, fmt.Sprintf("response was %s instead of the indicated minimum %d", sizeText, o.MinBytes))
	}
	if len(failures) > 0 {
		res.Status = checkers.Critical
		res.Summary = strings.Join(failures, "; ") + " - " + res.Summary
	}
	secs := resp.Elapsed.Seconds()
	perf := checkers.Perfdata{Label: "time", Value: roundMicro(secs), UOM: "s", Min: checkers.Float(0)}
	if o.Warning > 0 {
		perf.Warn = &checkers.Range{Start: 0, End: o.Warning}
	}
	if o.Critical > 0 {
		perf.Crit = &checkers.Range{Start: 0, End: o.Critical}
	}
	slow := checkers.OK
	switch {
	case o.Critical > 0 && secs > o.Critical:
		slow = checkers.Critical
		res.AddDetail("response time %.3f s is over --critical %s s", secs, formatSeconds(o.Critical))
	case o.Warning > 0 && secs > o.Warning:
		slow = checkers.Warning
		res.AddDetail("response time %.3f s is over --warning %s s", secs, formatSeconds(o.Warning))
	}
	res.Status = checkers.Worst(res.Status, slow)
	if res.Status != checkers.OK {
		// Not in an OK message: mackerel-agent re-sends an OK whose
		// text changed, so the OK text stays the same from run to run.
		res.AddDetail("%.6f second response time", secs)
	}
	res.AddPerfdata(perf, checkers.Perfdata{Label: "size", Value: float64(size), UOM: "B", Min: checkers.Float(0)})
	o.Status.ApplyResult(res)
	return res
}

func roundMicro(s float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(s, 'f', 6, 64), 64)
	return v
}

func formatSeconds(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) }
