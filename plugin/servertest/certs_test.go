package servertest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"
)

func TestCAIssues(t *testing.T) {
	ca, err := NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca.CertPEM) {
		t.Fatal("CA PEM does not parse")
	}
	verify := func(c Cert, name string) error {
		pair, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := pem.Decode(c.CertPEM)
		cert, err := x509.ParseCertificate(leaf.Bytes)
		if err != nil || len(pair.Certificate) != 1 {
			t.Fatal(err)
		}
		_, err = cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: name})
		return err
	}
	good, _ := ca.Issue(CertSpec{Names: []string{"localhost", "127.0.0.1"}})
	if err := verify(good, "localhost"); err != nil {
		t.Errorf("valid certificate: %v", err)
	}
	if err := verify(good, "127.0.0.1"); err != nil {
		t.Errorf("IP SAN: %v", err)
	}
	if err := verify(good, "other.example"); err == nil {
		t.Error("a certificate for localhost verified for other.example")
	}
	expired, _ := ca.Issue(CertSpec{Names: []string{"localhost"}, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	if err := verify(expired, "localhost"); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("expired certificate: %v", err)
	}
	self, _ := SelfSigned(CertSpec{Names: []string{"localhost"}})
	if err := verify(self, "localhost"); err == nil {
		t.Error("a self-signed certificate verified against the CA")
	}
}
