// Package certtest makes real X.509 certificates for tests: a root CA,
// intermediates and leaves with the validity dates a test needs, as PEM
// or DER, with their keys. Keys are ECDSA P-256, quick to generate.
// It is the one certificate kit of the SDK's tests: servers started by
// plugin/servertest use it too (servertest.WriteTLSFiles).
//
//	root := certtest.MustNew(certtest.Spec{CN: "Test Root", CA: true, NotAfter: in(3650)}, nil)
//	leaf := certtest.MustNew(certtest.Spec{CN: "www.example.test", NotAfter: in(20)}, root)
//	os.WriteFile(path, append(leaf.PEM(), root.PEM()...), 0o644)
package certtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"sync/atomic"
	"time"
)

// Spec describes a certificate to make.
type Spec struct {
	CN        string
	DNSNames  []string
	IPs       []net.IP  // IP address SANs, e.g. 127.0.0.1 and ::1
	NotBefore time.Time // zero: now minus a day
	NotAfter  time.Time // zero: now plus a day
	CA        bool
	// Client makes a leaf for client authentication (mutual TLS)
	// instead of a server one.
	Client bool
}

// Cert is a made certificate and its key.
type Cert struct {
	Cert *x509.Certificate
	DER  []byte
	Key  *ecdsa.PrivateKey
}

var serial atomic.Int64

// New makes a certificate signed by parent, or self-signed when parent
// is nil.
func New(s Spec, parent *Cert) (*Cert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	nb := s.NotBefore
	if nb.IsZero() {
		nb = time.Now().Add(-24 * time.Hour)
	}
	na := s.NotAfter
	if na.IsZero() {
		na = time.Now().Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{CommonName: s.CN},
		DNSNames:              s.DNSNames,
		IPAddresses:           s.IPs,
		NotBefore:             nb,
		NotAfter:              na,
		BasicConstraintsValid: true,
		IsCA:                  s.CA,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if s.CA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	} else if s.Client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Cert{Cert: c, DER: der, Key: key}, nil
}

// MustNew is New that panics, for test set-up.
func MustNew(s Spec, parent *Cert) *Cert {
	c, err := New(s, parent)
	if err != nil {
		panic(err)
	}
	return c
}

// PEM returns the certificate as a PEM "CERTIFICATE" block.
func (c *Cert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})
}

// KeyPEM returns the private key as a PEM "PRIVATE KEY" (PKCS #8) block.
func (c *Cert) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
