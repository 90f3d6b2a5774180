// Package certinfo reads X.509 certificates the way a certificate check
// needs them: from whatever file an operator points at (PEM or DER, one
// certificate or a bundle, a private key and its certificate in one
// file), or from a TLS handshake; it finds the one that expires first,
// counts the days left in UTC, and describes a chain in one line.
//
//	b, err := certinfo.ReadFile("/etc/ssl/private/site.pem")
//	if err != nil { … no certificate in it, and why … }
//	c := b.Earliest()                      // a bundle is as good as its first expiry
//	days := certinfo.DaysLeft(c.NotAfter, time.Now())
//	fmt.Println(days, certinfo.Name(c), b.Chain())
//
// check-cert-file uses it for files; check-ssl-cert and check-tcp use
// FromChain with the peer certificates of a handshake.
package certinfo

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// Bundle is the certificates of one file or handshake, in their order.
type Bundle struct {
	// Certs are the certificates, in the order they were found: for a
	// server's chain, the leaf first.
	Certs []*x509.Certificate
	// Format is "PEM" or "DER" ("TLS" for FromChain).
	Format string
	// Other lists the types of the PEM blocks that are not certificates
	// ("PRIVATE KEY", "EC PARAMETERS", …), in order; they are skipped.
	Other []string
}

// maxFileSize bounds what ReadFile reads: the largest bundles (a
// system's CA list) are a few hundred KiB.
const maxFileSize = 16 << 20

// ReadFile reads the certificates of a file; see Parse. A path that is
// not a regular file (a device, a FIFO, a directory) or holds more than
// 16 MiB is refused without reading it: /dev/zero would be read for ever
// and a FIFO without a writer would block.
func ReadFile(path string) (*Bundle, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fileKind(fi.Mode()))
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: %d bytes, more than a certificate file holds (at most 16 MiB read)", path, fi.Size())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: more than a certificate file holds (at most 16 MiB read)", path)
	}
	b, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	}
	return "not a plain file"
}

// Parse reads certificates from data:
//   - PEM: every "CERTIFICATE" block (also "X509 CERTIFICATE" and
//     "TRUSTED CERTIFICATE"), in order; other blocks, such as the private
//     key of a combined key-and-certificate file, are skipped and listed in
//     Other;
//   - DER: one certificate, or several concatenated.
//
// A leading UTF-8 byte order mark is skipped, as OpenSSL skips it.
// It fails, saying what it found, when data holds no certificate or a
// certificate block that does not parse.
func Parse(data []byte) (*Bundle, error) {
	// A UTF-8 byte order mark (a file saved by a Windows editor), which
	// OpenSSL skips before a PEM block.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("empty file, no certificate")
	}
	if bytes.Contains(data, []byte("-----BEGIN ")) {
		return parsePEM(data)
	}
	certs, err := x509.ParseCertificates(data)
	if err != nil {
		if len(data) > 0 && data[0] == 0x30 { // an ASN.1 SEQUENCE: DER, but not a certificate
			return nil, fmt.Errorf("not a DER certificate: %v", err)
		}
		return nil, errors.New("neither PEM nor DER: no certificate")
	}
	if len(certs) == 0 {
		return nil, errors.New("no certificate")
	}
	return &Bundle{Certs: certs, Format: "DER"}, nil
}

func parsePEM(data []byte) (*Bundle, error) {
	b := &Bundle{Format: "PEM"}
	rest := data
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil && block.Type == "TRUSTED CERTIFICATE" {
				// OpenSSL's trusted form appends trust settings after the
				// certificate: parse the leading certificate only.
				cs, err2 := x509.ParseCertificates(block.Bytes)
				if err2 == nil && len(cs) > 0 {
					c, err = cs[0], nil
				}
			}
			if err != nil {
				return nil, fmt.Errorf("PEM block %d (%s): %v", n, block.Type, err)
			}
			b.Certs = append(b.Certs, c)
		default:
			b.Other = append(b.Other, block.Type)
		}
	}
	if len(b.Certs) == 0 {
		if len(b.Other) > 0 {
			return nil, fmt.Errorf("no certificate, only %s", strings.Join(b.Other, ", "))
		}
		return nil, errors.New("no valid PEM block, no certificate")
	}
	return b, nil
}

// FromChain wraps the certificates of a TLS handshake
// (tls.ConnectionState.PeerCertificates), the leaf first.
func FromChain(certs []*x509.Certificate) *Bundle {
	return &Bundle{Certs: slices.Clone(certs), Format: "TLS"}
}

// Earliest returns the certificate that expires first (the first of
// several with the same NotAfter), or nil for an empty bundle. A chain
// is only as valid as its first expiry.
func (b *Bundle) Earliest() *x509.Certificate {
	var e *x509.Certificate
	for _, c := range b.Certs {
		if e == nil || c.NotAfter.Before(e.NotAfter) {
			e = c
		}
	}
	return e
}

// Index returns the position of c in the bundle, or -1.
func (b *Bundle) Index(c *x509.Certificate) int {
	return slices.Index(b.Certs, c)
}

// DaysLeft returns the whole days from now until notAfter, both taken in
// UTC, rounded down: 29.9 days left is 29, and a certificate that
// expired an hour ago has -1 day left (never "0 days remaining" after
// the fact). Daylight-saving changes in the local zone do not shift it.
func DaysLeft(notAfter, now time.Time) int {
	d := notAfter.UTC().Sub(now.UTC())
	return int(math.Floor(d.Hours() / 24))
}

// Name returns a short name for c: its subject's common name, else its
// first DNS name, else its whole subject, else its serial number.
func Name(c *x509.Certificate) string {
	switch {
	case c.Subject.CommonName != "":
		return "CN=" + c.Subject.CommonName
	case len(c.DNSNames) > 0:
		return "DNS:" + c.DNSNames[0]
	case c.Subject.String() != "":
		return c.Subject.String()
	}
	return "serial " + c.SerialNumber.String()
}

// Role says what c is within a chain: "leaf", "intermediate", "root"
// (self-signed CA) or "CA".
func Role(c *x509.Certificate, i, n int) string {
	selfSigned := bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
	switch {
	case c.IsCA && selfSigned:
		return "root"
	case !c.IsCA:
		return "leaf"
	case i > 0 && i < n:
		return "intermediate"
	}
	return "CA"
}

// Chain describes the bundle in one line, each certificate with its role
// and expiry date, joined by "←" where a certificate is signed by the
// next one and by ";" where it is not (a bundle in the wrong order, or
// unrelated certificates):
//
//	leaf CN=www.example.com (2027-03-01) ← intermediate CN=R3 (2027-09-15) ← root CN=ISRG Root X1 (2035-06-04)
func (b *Bundle) Chain() string {
	var s strings.Builder
	for i, c := range b.Certs {
		if i > 0 {
			if b.Certs[i-1].CheckSignatureFrom(c) == nil {
				s.WriteString(" ← ")
			} else {
				s.WriteString("; ")
			}
		}
		fmt.Fprintf(&s, "%s %s (%s)", Role(c, i, len(b.Certs)), Name(c), c.NotAfter.UTC().Format(time.DateOnly))
	}
	return s.String()
}
