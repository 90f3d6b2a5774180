package servertest

import (
	"net"
	"os"
	"path/filepath"

	"github.com/teko-dev/teko/plugin/certinfo/certtest"
)

// TLSFiles are the PEM files WriteTLSFiles makes: a CA and a server
// certificate it signed, valid for "localhost", 127.0.0.1 and ::1.
type TLSFiles struct {
	CA   string // the CA certificate, for a client's trust store
	Cert string // the server's certificate
	Key  string // the server's private key
}

// WriteTLSFiles writes ca.pem, cert.pem and key.pem into dir, made with
// package certtest (plugin/certinfo/certtest), the SDK's certificate kit
// for tests; use certtest directly for any other certificate.
func WriteTLSFiles(dir string) (TLSFiles, error) {
	f := TLSFiles{CA: filepath.Join(dir, "ca.pem"), Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem")}
	caPEM, certPEM, keyPEM, err := serverCertificate()
	if err != nil {
		return f, err
	}
	for path, pem := range map[string][]byte{f.CA: caPEM, f.Cert: certPEM, f.Key: keyPEM} {
		// Readable by all: servers started as root often drop privileges.
		if err := os.WriteFile(path, pem, 0o644); err != nil {
			return f, err
		}
	}
	return f, nil
}

// serverCertificate returns a fresh CA certificate, and a server
// certificate and key it signed for localhost, 127.0.0.1 and ::1, in PEM.
func serverCertificate() (caPEM, certPEM, keyPEM []byte, err error) {
	ca, err := certtest.New(certtest.Spec{CN: "teko test CA", CA: true}, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	leaf, err := certtest.New(certtest.Spec{CN: "localhost", DNSNames: []string{"localhost"},
		IPs: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}}, ca)
	if err != nil {
		return nil, nil, nil, err
	}
	return ca.PEM(), leaf.PEM(), leaf.KeyPEM(), nil
}
