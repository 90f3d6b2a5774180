package checkdns

import (
	"net"
	"strconv"

	"github.com/miekg/dns"
)

// ConformanceArgs serves one A record on a loopback port for the
// conformance suite's run.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &dns.Server{PacketConn: conn, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		if rr, err := dns.NewRR("sample.test. 60 IN A 192.0.2.1"); err == nil && q.Question[0].Qtype == dns.TypeA {
			m.Answer = append(m.Answer, rr)
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	port := conn.LocalAddr().(*net.UDPAddr).Port
	return []string{"-H", "sample.test", "-s", "127.0.0.1", "-p", strconv.Itoa(port)}, func() { srv.Shutdown() }, nil
}
