package servertest_test

import (
	"fmt"
	"net"
	"testing"

	"github.com/teko-dev/teko/plugin/certinfo/certtest"
	"github.com/teko-dev/teko/plugin/servertest"
)

var ngx servertest.Shared[*servertest.Nginx]

// An nginx serving HTTPS with a certificate from a test CA, started once
// per test package. (Compiled, not run: it needs nginx.)
func ExampleStartNginx() {
	start := func() (*servertest.Nginx, func(), error) {
		ca, err := certtest.New(certtest.Spec{CN: "test CA", CA: true}, nil)
		if err != nil {
			return nil, nil, err
		}
		leaf, err := certtest.New(certtest.Spec{CN: "localhost", DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, ca)
		if err != nil {
			return nil, nil, err
		}
		return servertest.StartNginx(servertest.NginxConfig{
			Ports: 1,
			Files: map[string][]byte{"ca.pem": ca.PEM(), "cert.pem": leaf.PEM(), "key.pem": leaf.KeyPEM()},
			HTTP: `
    server {
        listen 127.0.0.1:{{index .Ports 0}} ssl;
        ssl_certificate "{{.Dir}}/cert.pem";
        ssl_certificate_key "{{.Dir}}/key.pem";
        location = / { return 200 "ok\n"; }
    }`,
		})
	}
	testSomething := func(t *testing.T) {
		n := ngx.Get(t, start)
		fmt.Println("https://" + n.Addr(0) + "/") // a client trusts n.Dir + "/ca.pem"
	}
	_ = testSomething // a test of the package; TestMain calls ngx.Close() after m.Run
}
