// Package checkdns is check-dns: does a name resolve, at this server, to
// what it should? One query (UDP, then TCP when the answer was cut),
// under the run's deadline; the answer's records of the asked type are
// compared with the expected ones, CNAME chains followed to the end.
package checkdns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

// Plugin is check-dns, with the flags of Mackerel's check-dns.
var Plugin = &plugin.Plugin{
	Name:        "check-dns",
	Title:       "DNS",
	Description: "checks that a DNS server answers a query for a name, and with the expected records",
	New:         func() any { return &options{resolvConf: "/etc/resolv.conf"} },
}

type options struct {
	Host      string   `short:"H" long:"host" value-name:"NAME" required:"true" description:"the name to look up"`
	Server    string   `short:"s" long:"server" value-name:"ADDRESS" description:"the DNS server to ask, an IP address or a name, optionally with its port (127.0.0.1:5353, [::1]:5353) (default: the first nameserver in /etc/resolv.conf)"`
	Port      int      `short:"p" long:"port" value-name:"PORT" default:"53" description:"the server's port"`
	QueryType string   `short:"q" long:"querytype" value-name:"TYPE" default:"A" description:"the record type to ask for: A, AAAA, CNAME, MX, TXT, NS, SOA, PTR, SRV, CAA, …"`
	Norec     bool     `long:"norec" description:"ask without recursion (for an authoritative server)"`
	Expected  []string `short:"e" long:"expected-string" value-name:"VALUE" description:"a record the answer must hold: an address for A/AAAA (after any CNAME chain), the text of the record otherwise (\"10 mail.example.com.\" for MX); repeat for each; all given and no others is OK, some is WARNING, none is CRITICAL"`

	qtype      uint16
	resolvConf string // where the default server is read; tests point it elsewhere
}

// Validate checks the type, the port and the expected values.
func (o *options) Validate() error {
	t, ok := dns.StringToType[strings.ToUpper(strings.TrimSpace(o.QueryType))]
	if !ok || t == dns.TypeNone || t == dns.TypeANY {
		return fmt.Errorf("-q %q: not a DNS record type (A, AAAA, CNAME, MX, TXT, …)", o.QueryType)
	}
	o.qtype = t
	if o.Port < 1 || o.Port > 65535 {
		return fmt.Errorf("-p %d: not a port (1-65535)", o.Port)
	}
	if h, port, err := net.SplitHostPort(o.Server); err == nil {
		n, err := strconv.Atoi(port)
		switch {
		case err != nil || n < 1 || n > 65535:
			return fmt.Errorf("-s %q: %q is not a port (1-65535)", o.Server, port)
		case o.Port != 53 && o.Port != n:
			return fmt.Errorf("-s %q has port %d and -p says %d: give one", o.Server, n, o.Port)
		}
		o.Server, o.Port = h, n
	}
	if strings.TrimSpace(o.Host) == "" {
		return errors.New("-H: empty name")
	}
	if _, ok := dns.IsDomainName(o.Host); !ok {
		return fmt.Errorf("-H %q: not a domain name", o.Host)
	}
	if o.qtype == dns.TypeA || o.qtype == dns.TypeAAAA {
		for _, e := range o.Expected {
			if _, err := netip.ParseAddr(e); err != nil {
				return fmt.Errorf("-e %q: not an IP address (a %s query is compared by address)", e, o.QueryType)
			}
		}
	}
	return nil
}

// server returns host:port of the server to ask.
func (o *options) server() (string, error) {
	host := o.Server
	if host == "" {
		conf, err := dns.ClientConfigFromFile(o.resolvConf)
		if err != nil {
			return "", fmt.Errorf("no -s given and %v", err)
		}
		if len(conf.Servers) == 0 {
			return "", fmt.Errorf("no -s given and no nameserver in %s", o.resolvConf)
		}
		host = conf.Servers[0]
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(o.Port)), nil
}

// Check sends the query and judges the answer.
func (o *options) Check(ctx context.Context, _ *plugin.Invocation) (*checkers.Result, error) {
	server, err := o.server()
	if err != nil {
		return nil, err
	}
	name := dns.Fqdn(o.Host)
	q := new(dns.Msg)
	q.SetQuestion(name, o.qtype)
	q.RecursionDesired = !o.Norec

	// The query may take three quarters of what is left of the run, so
	// that a silent server is named before the run's own deadline.
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Until(deadline)*3/4)
		defer cancel()
	}
	start := time.Now()
	resp, err := exchange(ctx, q, server)
	elapsed := time.Since(start)
	var garbage *notDNSError
	switch {
	case errors.As(err, &garbage):
		return checkers.NewResult(checkers.Critical, "%s answered %s %s with something that is not a DNS message: %v", server, name, typeName(o.qtype), garbage.err), nil
	case err != nil:
		return checkers.NewResult(checkers.Critical, "%s did not answer for %s %s: %v", server, name, typeName(o.qtype), err), nil
	}
	res := o.judge(resp, name, server)
	res.AddPerfdata(checkers.Perfdata{Label: "time", Value: elapsed.Seconds(), UOM: "s"})
	return res, nil
}

// exchange asks over UDP and again over TCP when the answer was cut.
func exchange(ctx context.Context, q *dns.Msg, server string) (*dns.Msg, error) {
	start := time.Now()
	c := &dns.Client{Net: "udp"}
	resp, _, err := c.ExchangeContext(ctx, q, server)
	over := ""
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		over = " over TCP (the UDP answer was truncated)"
		resp, _, err = c.ExchangeContext(ctx, q, server)
	}
	if err != nil {
		var ne net.Error
		if ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) {
			waited := time.Since(start)
			if deadline, ok := ctx.Deadline(); ok {
				waited = deadline.Sub(start)
			}
			return nil, fmt.Errorf("no answer%s within %s", over, waited.Round(time.Millisecond))
		}
		if !errors.As(err, &ne) { // not the network's: the packet did not parse
			return nil, &notDNSError{err}
		}
		return nil, err
	}
	if resp.Id != q.Id {
		return nil, errors.New("the answer is for another query")
	}
	return resp, nil
}

// notDNSError is an answer that is not a DNS message.
type notDNSError struct{ err error }

func (e *notDNSError) Error() string { return "not a DNS message: " + e.err.Error() }

func typeName(t uint16) string { return dns.TypeToString[t] }

// judge reads the answer: the response code, the records of the asked
// type (the end of any CNAME chain) and, with -e, how they compare.
func (o *options) judge(resp *dns.Msg, name, server string) *checkers.Result {
	qt := typeName(o.qtype)
	if resp.Rcode != dns.RcodeSuccess {
		return checkers.NewResult(checkers.Critical, "%s answered %s for %s %s", server, dns.RcodeToString[resp.Rcode], name, qt)
	}
	values, chain := answerValues(resp, name, o.qtype)
	via := ""
	if len(chain) > 0 {
		via = " via " + strings.Join(chain, " → ")
	}
	if len(values) == 0 {
		return checkers.NewResult(checkers.Critical, "%s has no %s record at %s%s", name, qt, server, via)
	}
	shown := strings.Join(values, ", ")
	if len(o.Expected) == 0 {
		return checkers.NewResult(checkers.OK, "%s %s %s%s (%s)", name, qt, shown, via, server)
	}
	matched, missing := 0, []string{}
	for _, e := range o.Expected {
		if slices.Contains(values, o.normalize(e)) {
			matched++
		} else {
			missing = append(missing, e)
		}
	}
	unexpected := 0
	for _, v := range values {
		if !slices.ContainsFunc(o.Expected, func(e string) bool { return o.normalize(e) == v }) {
			unexpected++
		}
	}
	switch {
	case matched == 0:
		return checkers.NewResult(checkers.Critical, "%s %s is %s%s, none of the expected %s", name, qt, shown, via, strings.Join(o.Expected, ", "))
	case len(missing) > 0:
		return checkers.NewResult(checkers.Warning, "%s %s is %s%s, without the expected %s", name, qt, shown, via, strings.Join(missing, ", "))
	case unexpected > 0:
		return checkers.NewResult(checkers.Warning, "%s %s is %s%s, more than the expected %s", name, qt, shown, via, strings.Join(o.Expected, ", "))
	}
	return checkers.NewResult(checkers.OK, "%s %s %s%s as expected (%s)", name, qt, shown, via, server)
}

// normalize writes an expected value as answerValues writes records.
func (o *options) normalize(e string) string {
	if a, err := netip.ParseAddr(e); err == nil {
		return a.Unmap().String()
	}
	switch o.qtype {
	case dns.TypeCNAME, dns.TypeNS, dns.TypePTR:
		return strings.ToLower(dns.Fqdn(e))
	case dns.TypeMX: // "10 mail.example.com", as written without the final dot
		if f := strings.Fields(e); len(f) == 2 {
			if pref, err := strconv.ParseUint(f[0], 10, 16); err == nil {
				return fmt.Sprintf("%d %s", pref, strings.ToLower(dns.Fqdn(f[1])))
			}
		}
	}
	return e
}

// answerValues returns the sorted values of the answer's records of type
// qt for name, following CNAMEs from name (chain lists the names passed
// through). A CNAME query returns the CNAME's own target.
func answerValues(resp *dns.Msg, name string, qt uint16) (values, chain []string) {
	owner := strings.ToLower(name)
	if qt != dns.TypeCNAME {
		for range 16 { // a chain longer than this is a loop
			next := ""
			for _, rr := range resp.Answer {
				if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, owner) {
					next = strings.ToLower(c.Target)
				}
			}
			if next == "" {
				break
			}
			owner = next
			chain = append(chain, strings.TrimSuffix(next, "."))
		}
	}
	for _, rr := range resp.Answer {
		if rr.Header().Rrtype != qt || !strings.EqualFold(rr.Header().Name, owner) {
			continue
		}
		values = append(values, recordValue(rr))
	}
	slices.Sort(values)
	return slices.Compact(values), chain
}

// recordValue is a record's data as -e compares it: an address for A and
// AAAA, the TXT strings joined, the lower-cased target for CNAME, NS and
// PTR, and otherwise the record's text after its header.
func recordValue(rr dns.RR) string {
	switch r := rr.(type) {
	case *dns.A:
		a, _ := netip.AddrFromSlice(r.A)
		return a.Unmap().String()
	case *dns.AAAA:
		a, _ := netip.AddrFromSlice(r.AAAA)
		return a.String()
	case *dns.TXT:
		return strings.Join(r.Txt, "")
	case *dns.CNAME:
		return strings.ToLower(r.Target)
	case *dns.NS:
		return strings.ToLower(r.Ns)
	case *dns.PTR:
		return strings.ToLower(r.Ptr)
	case *dns.MX:
		return fmt.Sprintf("%d %s", r.Preference, strings.ToLower(r.Mx))
	}
	return strings.TrimSpace(strings.TrimPrefix(rr.String(), rr.Header().String()))
}
