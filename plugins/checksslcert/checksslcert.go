// Package checksslcert is check-ssl-cert: how many days are left before
// the certificates a TLS server presents expire, and is the chain one a
// client would trust for that name? One handshake under the run's
// deadline; the chain is verified apart from it, so that an expired,
// untrusted or misnamed certificate is CRITICAL with its reason — and its
// days still counted.
package checksslcert

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/certinfo"
	"github.com/teko-dev/teko/plugin/netclient"
)

// Plugin is check-ssl-cert, with the flags of Mackerel's check-ssl-cert.
var Plugin = &plugin.Plugin{
	Name:        "check-ssl-cert",
	Title:       "SSL",
	Description: "days left before the certificates a TLS server presents expire, and whether they are trusted for its name",
	New:         func() any { return &options{} },
}

type options struct {
	Host     string         `short:"H" long:"host" value-name:"HOST" required:"true" description:"the server: a host name (also sent as SNI and verified against the certificate) or an IP address, optionally with its port (example.com:8443)"`
	Port     netclient.Port `short:"p" long:"port" value-name:"PORT" default:"443" description:"the server's port (a number or a service name)"`
	Warning  int            `short:"w" long:"warning" value-name:"DAYS" default:"30" statekey:"-" description:"WARNING when fewer days than this are left"`
	Critical int            `short:"c" long:"critical" value-name:"DAYS" default:"14" statekey:"-" description:"CRITICAL when fewer days than this are left"`
	SNI      string         `long:"sni" value-name:"NAME" description:"the server name to send and to verify the certificate against, when it is not -H (a server reached by IP address, or through a balancer)"`
	netclient.TLSOptions

	tls *tls.Config
}

// Validate builds the TLS configuration, so that an unreadable CA or
// client certificate is a flag error.
func (o *options) Validate() error {
	switch {
	case strings.TrimSpace(o.Host) == "":
		return errors.New("-H: empty host")
	case o.Warning < 0 || o.Critical < 0:
		return errors.New("-w and -c are numbers of days, 0 or more")
	case strings.Contains(o.Host, "://"):
		return fmt.Errorf("-H %q: want a host name or an IP address, not a URL", o.Host)
	case strings.ContainsAny(o.Host, " \t/"):
		return fmt.Errorf("-H %q: not a host name or an IP address", o.Host)
	}
	if host, port, err := net.SplitHostPort(o.Host); err == nil { // "example.com:8443"
		n, err := netclient.ParsePort(port, "tcp")
		switch {
		case err != nil:
			return fmt.Errorf("-H %q: %v", o.Host, err)
		case o.Port != 443 && int(o.Port) != n:
			return fmt.Errorf("-H %q has port %d and -p says %d: give one", o.Host, n, o.Port)
		}
		o.Host, o.Port = host, netclient.Port(n)
	}
	cfg, err := o.TLSOptions.Config()
	if err != nil {
		return err
	}
	o.tls = cfg
	return nil
}

// serverName is the name sent as SNI and verified: --sni, else -H unless
// it is an IP address.
func (o *options) serverName() string {
	if o.SNI != "" {
		return o.SNI
	}
	return strings.Trim(o.Host, "[]")
}

// Check shakes hands with the server and judges what it presented.
func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	addr := netclient.JoinHostPort(o.Host, int(o.Port))
	cfg := o.tls.Clone()
	if cfg == nil {
		cfg = &tls.Config{}
	}
	verifyOwn := !cfg.InsecureSkipVerify
	// Verification is done below, with the reasons spelled out; the
	// handshake itself takes any chain, so that its days can be counted.
	cfg.InsecureSkipVerify = true
	if name := o.serverName(); net.ParseIP(name) == nil {
		cfg.ServerName = name
	}
	conn, err := (&netclient.Dialer{TLS: cfg}).Dial(ctx, "tcp", addr)
	if err != nil {
		return netclient.Failed(err), nil
	}
	state := conn.Conn.(*tls.Conn).ConnectionState()
	conn.Close()
	if len(state.PeerCertificates) == 0 {
		return checkers.NewResult(checkers.Critical, "%s presented no certificate", addr), nil
	}
	b := certinfo.FromChain(state.PeerCertificates)
	now := inv.Now()
	res := o.judgeDays(addr, b, now)
	if verifyOwn {
		if why := verify(state.PeerCertificates, o.tls, o.serverName(), now); why != "" {
			res.Status = checkers.Critical
			res.Summary = why + "; " + res.Summary
		}
	}
	res.AddDetail("chain: %s", b.Chain())
	return res, nil
}

// judgeDays judges the certificate that expires first.
func (o *options) judgeDays(addr string, b *certinfo.Bundle, now time.Time) *checkers.Result {
	c := b.Earliest()
	days := certinfo.DaysLeft(c.NotAfter, now)
	status := checkers.OK
	switch {
	case days < o.Critical || days < 0:
		status = checkers.Critical
	case days < o.Warning:
		status = checkers.Warning
	}
	which := ""
	if len(b.Certs) > 1 && b.Index(c) > 0 {
		which = fmt.Sprintf(" (its %s %s expires first)", certinfo.Role(c, b.Index(c), len(b.Certs)), certinfo.Name(c))
	}
	var res *checkers.Result
	if days < 0 {
		res = checkers.NewResult(status, "Certificate '%s' expired %d days ago (%s)%s", addr, -days, c.NotAfter.UTC().Format(time.DateTime+" MST"), which)
	} else {
		res = checkers.NewResult(status, "Certificate '%s' expires in %s (%s)%s", addr, plural(days, "day"), c.NotAfter.UTC().Format(time.DateTime+" MST"), which)
	}
	res.AddPerfdata(checkers.Perfdata{Label: "days", Value: float64(days),
		Warn: &checkers.Range{Start: float64(o.Warning), End: math.Inf(1)},
		Crit: &checkers.Range{Start: float64(o.Critical), End: math.Inf(1)}})
	return res
}

// verify checks the chain as a client connecting to name would, at now,
// and returns why it would refuse it ("" when it would not).
func verify(chain []*x509.Certificate, cfg *tls.Config, name string, now time.Time) string {
	opts := x509.VerifyOptions{DNSName: name, CurrentTime: now, Intermediates: x509.NewCertPool()}
	if cfg != nil {
		opts.Roots = cfg.RootCAs
	}
	for _, c := range chain[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := chain[0].Verify(opts)
	if err == nil {
		return ""
	}
	var (
		invalid   x509.CertificateInvalidError
		host      x509.HostnameError
		authority x509.UnknownAuthorityError
	)
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		c := invalid.Cert
		if now.Before(c.NotBefore) {
			return fmt.Sprintf("certificate %s is not valid before %s", certinfo.Name(c), c.NotBefore.UTC().Format(time.DateTime+" MST"))
		}
		return fmt.Sprintf("certificate %s expired on %s", certinfo.Name(c), c.NotAfter.UTC().Format(time.DateTime+" MST"))
	case errors.As(err, &host):
		names := host.Certificate.DNSNames
		for _, ip := range host.Certificate.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 {
			names = []string{"no names"}
		}
		return fmt.Sprintf("certificate %s is not valid for %s (it names %s)", certinfo.Name(host.Certificate), name, strings.Join(names, ", "))
	case errors.As(err, &authority):
		c := authority.Cert
		if c != nil && c.Subject.String() == c.Issuer.String() {
			return fmt.Sprintf("certificate %s is self-signed, not signed by a trusted authority", certinfo.Name(c))
		}
		issuer := "an unknown authority"
		if c != nil {
			issuer = fmt.Sprintf("%q, an authority not trusted here", c.Issuer.CommonName)
		}
		return "the chain is signed by " + issuer + " (is an intermediate certificate missing from the server's configuration?)"
	}
	return "the chain does not verify: " + err.Error()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
