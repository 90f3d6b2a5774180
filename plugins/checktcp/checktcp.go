package checktcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/netclient"
)

// Plugin is check-tcp. Its title is "TCP", or the --service name as the
// original's was.
var Plugin = &plugin.Plugin{
	Name:        "check-tcp",
	Title:       "TCP",
	Description: "connects to a TCP port or unix socket, optionally sends, expects and quits, and times it",
	New:         func() any { return &options{} },
}

// defaultMaxBytes bounds what is read for --expect-pattern when
// --maxbytes is not given.
const defaultMaxBytes = 32 << 10

type options struct {
	Service      string             `long:"service" value-name:"NAME" description:"a preset of port, expect, quit and TLS: FTP, POP, SPOP, IMAP, SIMAP, SMTP, SSMTP or GEARMAN; the flags given win"`
	Hostname     string             `short:"H" long:"hostname" value-name:"HOST" description:"host name or IP address (an IPv6 address with or without brackets), optionally with the port (mail.example:25, [::1]:25)"`
	Port         netclient.Port     `short:"p" long:"port" value-name:"PORT" description:"port number or service name"`
	Send         string             `short:"s" long:"send" value-name:"STRING" description:"send this after connecting"`
	Expect       string             `short:"e" long:"expect-pattern" value-name:"REGEXP" description:"the answer must match this regular expression; reading goes on until it matches, the server closes, --maxbytes arrive or time runs out"`
	Quit         string             `short:"q" long:"quit" value-name:"STRING" description:"send this before closing (\\r\\n is added unless --escape)"`
	SSL          bool               `short:"S" long:"ssl" description:"speak TLS on the connection"`
	UnixSock     string             `short:"U" long:"unix-sock" value-name:"PATH" description:"connect to this unix socket instead of a host and port"`
	StatusAs     checkers.StatusMap `long:"status-as" value-name:"FROM=TO,..." description:"change the final status, e.g. warning=critical; comma-separated, repeatable"`
	MaxBytes     int                `short:"m" long:"maxbytes" value-name:"BYTES" description:"stop reading the answer after this many bytes (default 32768)"`
	Delay        float64            `short:"d" long:"delay" value-name:"SECONDS" description:"wait this long after sending before reading the answer"`
	Warning      float64            `short:"w" long:"warning" value-name:"SECONDS" description:"WARNING when the exchange takes longer than this (0: no threshold)"`
	Critical     float64            `short:"c" long:"critical" value-name:"SECONDS" description:"CRITICAL when the exchange takes longer than this (0: no threshold)"`
	Escape       bool               `short:"E" long:"escape" description:"read \\n, \\r, \\t and \\\\ in --send and --quit as escapes (and add nothing to --quit)"`
	ErrWarning   bool               `short:"W" long:"error-warning" description:"a failed connection or exchange is WARNING instead of CRITICAL (a response-time --critical still wins)"`
	ExpectClosed bool               `short:"C" long:"expect-closed" description:"OK when the port or socket is closed; open is CRITICAL (WARNING with -W)"`
	netclient.TLSOptions

	expect  *regexp.Regexp
	network string
	addr    string
	where   string
}

// preset is what --service sets unless a flag says otherwise.
type preset struct {
	port   int
	send   string
	expect string
	quit   string
	tls    bool
}

// presets are the services Mackerel's check-tcp knows, with the same
// ports, greetings and goodbyes.
var presets = map[string]preset{
	"FTP":     {port: 21, expect: `^220`, quit: "QUIT"},
	"POP":     {port: 110, expect: `^\+OK`, quit: "QUIT"},
	"SPOP":    {port: 995, expect: `^\+OK`, quit: "QUIT", tls: true},
	"IMAP":    {port: 143, expect: `^\* OK`, quit: "a1 LOGOUT"},
	"SIMAP":   {port: 993, expect: `^\* OK`, quit: "a1 LOGOUT", tls: true},
	"SMTP":    {port: 25, expect: `^220`, quit: "QUIT"},
	"SSMTP":   {port: 465, expect: `^220`, quit: "QUIT", tls: true},
	"GEARMAN": {port: 7003, send: "version\n", expect: `\A[0-9]+\.[0-9]+\n\z`},
}

// Validate applies the preset and reads every option once.
func (o *options) Validate() error {
	if strings.Contains(o.Hostname, "://") {
		return fmt.Errorf("-H %q: want a host name or an IP address, not a URL", o.Hostname)
	}
	if host, port, err := net.SplitHostPort(o.Hostname); err == nil { // "mail.example:25", "[::1]:25"
		n, err := netclient.ParsePort(port, "tcp")
		switch {
		case err != nil:
			return fmt.Errorf("-H %q: %v", o.Hostname, err)
		case o.Port != 0 && int(o.Port) != n:
			return fmt.Errorf("-H %q has port %d and -p says %d: give one", o.Hostname, n, o.Port)
		}
		o.Hostname, o.Port = host, netclient.Port(n)
	}
	if o.Service != "" {
		o.Service = strings.ToUpper(o.Service)
		p, ok := presets[o.Service]
		if !ok {
			return fmt.Errorf("--service %q: want one of FTP, POP, SPOP, IMAP, SIMAP, SMTP, SSMTP, GEARMAN", o.Service)
		}
		if o.Port == 0 {
			o.Port = netclient.Port(p.port)
		}
		if o.Send == "" {
			o.Send = p.send
		}
		if o.Expect == "" {
			o.Expect = p.expect
		}
		if o.Quit == "" {
			o.Quit = p.quit
		}
		o.SSL = o.SSL || p.tls
	}
	if o.Escape {
		o.Send, o.Quit = unescape(o.Send), unescape(o.Quit)
	} else if o.Quit != "" {
		o.Quit += "\r\n"
	}
	var err error
	if o.Expect != "" {
		if o.expect, err = regexp.Compile(o.Expect); err != nil {
			return fmt.Errorf("--expect-pattern %q: %v", o.Expect, err)
		}
	}
	switch {
	case o.Warning < 0 || o.Critical < 0 || o.Delay < 0:
		return errors.New("--warning, --critical and --delay are seconds, 0 or more")
	case o.MaxBytes < 0:
		return fmt.Errorf("--maxbytes %d: want 0 (the default, 32768) or more", o.MaxBytes)
	case o.UnixSock != "" && (o.Hostname != "" || o.Port != 0 && o.Service == ""):
		return errors.New("--unix-sock and --hostname/--port both say where to connect; give one")
	case o.UnixSock != "":
		o.network, o.addr, o.where = "unix", o.UnixSock, "socket "+o.UnixSock
	case o.Port == 0:
		return errors.New("no --port (or --service, or --unix-sock): where should it connect?")
	default:
		o.network, o.addr = "tcp", netclient.JoinHostPort(o.Hostname, int(o.Port))
		o.where = fmt.Sprintf("port %d", o.Port)
		if o.Hostname != "" {
			o.where = fmt.Sprintf("%s port %d", o.Hostname, o.Port)
		}
	}
	if _, err := o.TLSOptions.Config(); err != nil {
		return err
	}
	return nil
}

// unescape reads \n, \r, \t and \\; any other backslash stays as it is.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '\\':
			b.WriteByte('\\')
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// Check has the conversation once.
func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	if delay := time.Duration(o.Delay * float64(time.Second)); delay > 0 {
		if share := netclient.Share(ctx, 0); delay >= share {
			return nil, fmt.Errorf("--delay %s leaves no time to read the answer: the exchange has %s of --timeout", delay, share)
		}
	}
	res := o.converse(ctx)
	o.StatusAs.ApplyResult(res)
	return res, nil
}

// failure is the status of a failed connection or exchange.
func (o *options) failure() checkers.Status {
	if o.ErrWarning {
		return checkers.Warning
	}
	return checkers.Critical
}

func (o *options) converse(ctx context.Context) *checkers.Result {
	tlsConfig, _ := o.TLSOptions.Config() // read in Validate
	d := &netclient.Dialer{}
	if o.SSL {
		d.TLS = tlsConfig
		if d.TLS == nil {
			d.TLS = defaultTLS()
		}
	}
	start := time.Now()
	conn, err := d.Dial(ctx, o.network, o.addr)
	if o.ExpectClosed {
		if err != nil {
			if netclient.IsTimeout(err) {
				return checkers.NewResult(o.failure(), "%s: no answer, neither open nor refused: %v", o.where, err)
			}
			return checkers.NewResult(checkers.OK, "%s is closed, as expected", o.where)
		}
		conn.Close()
		return checkers.NewResult(o.failure(), "%s is open, expected closed", o.where)
	}
	if err != nil {
		return checkers.NewResult(o.failure(), "%v", err)
	}
	defer conn.Close()

	if o.Send != "" {
		if _, err := io.WriteString(conn, o.Send); err != nil {
			return checkers.NewResult(o.failure(), "%v", err)
		}
	}
	if o.Delay > 0 {
		t := time.NewTimer(time.Duration(o.Delay * float64(time.Second)))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	answer := ""
	if o.expect != nil {
		got, err := conn.ReadUntil(o.expect.Match, cmpOr(o.MaxBytes, defaultMaxBytes))
		answer = string(got)
		if !o.expect.Match(got) {
			why := "unexpected response"
			switch {
			case errors.Is(err, io.EOF):
				why = "the server closed the connection with an unexpected response"
			case err != nil:
				why = err.Error() + "; the response so far"
			}
			res := checkers.NewResult(o.failure(), "%s from %s: %s", why, o.where, quote(answer))
			res.AddDetail("expected /%s/", o.Expect)
			return res
		}
	}
	if o.Quit != "" {
		if _, err := io.WriteString(conn, o.Quit); err != nil {
			return checkers.NewResult(o.failure(), "%v", err)
		}
	}
	secs := time.Since(start).Seconds()

	res := checkers.NewResult(checkers.OK, "%s answered", o.where)
	if o.expect == nil {
		res.Summary = o.where + " accepted the connection"
	}
	if answer != "" {
		res.Summary += " [" + strings.Trim(answer, "\r\n") + "]"
	}
	perf := checkers.Perfdata{Label: "time", Value: roundMicro(secs), UOM: "s", Min: checkers.Float(0)}
	if o.Warning > 0 {
		perf.Warn = &checkers.Range{Start: 0, End: o.Warning}
	}
	if o.Critical > 0 {
		perf.Crit = &checkers.Range{Start: 0, End: o.Critical}
	}
	res.AddPerfdata(perf)
	switch {
	case o.Critical > 0 && secs > o.Critical:
		res.Status = checkers.Critical
		res.AddDetail("%.3f seconds response time, over --critical %s", secs, formatSeconds(o.Critical))
	case o.Warning > 0 && secs > o.Warning:
		res.Status = checkers.Warning
		res.AddDetail("%.3f seconds response time, over --warning %s", secs, formatSeconds(o.Warning))
	}
	return res
}

func cmpOr(v, fallback int) int {
	if v > 0 {
		return v
	}
	return fallback
}

// quote shows an answer on one line, control characters escaped, at
// most 200 bytes of it.
func quote(s string) string {
	if len(s) > 200 {
		return strconv.Quote(s[:200]) + "…"
	}
	return strconv.Quote(s)
}

func roundMicro(s float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(s, 'f', 6, 64), 64)
	return v
}

func formatSeconds(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) }

// Title is the --service name when one is given ("SMTP"), as the
// original's was; otherwise the plugin's "TCP".
func (o *options) Title() string { return o.Service }
