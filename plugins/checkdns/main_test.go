package checkdns

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/teko-dev/teko/plugin/servertest"
)

// dnsmasq is a real dnsmasq serving the zone teko.test, started once for
// the package: it answers only from its own records (no upstream), and
// NXDOMAIN for any other name in the zone.
var dnsmasq servertest.Shared[string]

func TestMain(m *testing.M) {
	code := m.Run()
	dnsmasq.Close()
	os.Exit(code)
}

// The zone the tests query.
var zone = []string{
	"--host-record=host.teko.test,192.0.2.10,2001:db8::10",
	"--host-record=host.teko.test,192.0.2.11",
	"--cname=www.teko.test,host.teko.test",
	"--cname=deep.teko.test,www.teko.test",
	"--mx-host=teko.test,mail.teko.test,10",
	"--txt-record=teko.test,v=spf1 -all",
}

func startDnsmasq() (string, func(), error) {
	bin, err := servertest.Find("dnsmasq-base", "dnsmasq")
	if err != nil {
		return "", nil, err
	}
	dir, err := servertest.TempDir("dnsmasq")
	if err != nil {
		return "", nil, err
	}
	port, err := servertest.FreePort()
	if err != nil {
		return "", nil, err
	}
	args := append([]string{"-k", "--conf-file=/dev/null", fmt.Sprintf("--port=%d", port),
		"--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
		"--user=root", "--pid-file=" + filepath.Join(dir, "pid"), "--local=/teko.test/", "--log-facility=-"}, zone...)
	p, err := servertest.Start(exec.Command(bin, args...), filepath.Join(dir, "dnsmasq.log"))
	if err != nil {
		return "", nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
	stop := func() { p.Stop(); os.RemoveAll(dir) }
	err = p.WaitWithin(20*time.Second, func() error {
		q := new(dns.Msg)
		q.SetQuestion("host.teko.test.", dns.TypeA)
		_, _, err := (&dns.Client{Timeout: 300 * time.Millisecond}).Exchange(q, addr)
		return err
	})
	if err != nil {
		stop()
		return "", nil, err
	}
	return addr, stop, nil
}
