package checksslcert

import (
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/teko-dev/teko/plugin/certinfo/certtest"
)

// ConformanceArgs serves a certificate for localhost, valid from 2000 to
// 2100 (the suite's clock is not the real one) and signed by a CA written
// to dir, on a loopback port.
func (o *options) ConformanceArgs(dir string) ([]string, func(), error) {
	from, to := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	ca, err := certtest.New(certtest.Spec{CN: "Conformance CA", CA: true, NotBefore: from, NotAfter: to}, nil)
	if err != nil {
		return nil, nil, err
	}
	leaf, err := certtest.New(certtest.Spec{CN: "localhost", DNSNames: []string{"localhost"}, NotBefore: from, NotAfter: to}, ca)
	if err != nil {
		return nil, nil, err
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM(), 0o644); err != nil {
		return nil, nil, err
	}
	pair, err := tls.X509KeyPair(leaf.PEM(), leaf.KeyPEM())
	if err != nil {
		return nil, nil, err
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		return nil, nil, err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { c.(*tls.Conn).Handshake(); c.Close() }()
		}
	}()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	return []string{"-H", "127.0.0.1", "--sni", "localhost", "-p", port, "--ca-file", caFile}, func() { l.Close() }, nil
}
