package certtest_test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/teko-dev/teko/plugin/certinfo/certtest"
)

func TestIssuedCertificatesVerify(t *testing.T) {
	root := certtest.MustNew(certtest.Spec{CN: "Test Root", CA: true}, nil)
	inter := certtest.MustNew(certtest.Spec{CN: "Test CA", CA: true}, root)
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	if !roots.AppendCertsFromPEM(root.PEM()) {
		t.Fatal("root PEM does not parse")
	}
	inters.AddCert(inter.Cert)
	verify := func(c *certtest.Cert, name string, usage x509.ExtKeyUsage) error {
		if _, err := tls.X509KeyPair(c.PEM(), c.KeyPEM()); err != nil {
			t.Fatal(err)
		}
		_, err := c.Cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, DNSName: name, KeyUsages: []x509.ExtKeyUsage{usage}})
		return err
	}
	server := x509.ExtKeyUsageServerAuth
	good := certtest.MustNew(certtest.Spec{CN: "localhost", DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, inter)
	if err := verify(good, "localhost", server); err != nil {
		t.Errorf("valid certificate: %v", err)
	}
	if err := verify(good, "127.0.0.1", server); err != nil {
		t.Errorf("IP SAN: %v", err)
	}
	if err := verify(good, "other.example", server); err == nil {
		t.Error("a certificate for localhost verified for other.example")
	}
	if err := verify(good, "localhost", x509.ExtKeyUsageClientAuth); err == nil {
		t.Error("a server certificate verified for client authentication")
	}
	client := certtest.MustNew(certtest.Spec{CN: "monitor", Client: true}, inter)
	if err := verify(client, "", x509.ExtKeyUsageClientAuth); err != nil {
		t.Errorf("client certificate: %v", err)
	}
	expired := certtest.MustNew(certtest.Spec{CN: "localhost", DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)}, inter)
	if err := verify(expired, "localhost", server); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired certificate: %v", err)
	}
	self := certtest.MustNew(certtest.Spec{CN: "localhost", DNSNames: []string{"localhost"}}, nil)
	if err := verify(self, "localhost", server); err == nil {
		t.Error("a self-signed certificate verified against the root")
	}
}
