package checksslcert

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/certinfo/certtest"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

func TestMain(m *testing.M) { os.Exit(plugintest.RunTests(m)) }

// now is the harness clock's time, which the certificates are made
// around (the check counts days by the run's clock).
var now = plugintest.Start

func days(n float64) time.Time { return now.Add(time.Duration(n * 24 * float64(time.Hour))) }

// pki is a root CA, an intermediate and what a test makes of them.
type pki struct {
	root, inter *certtest.Cert
	caFile      string
}

func newPKI(t *testing.T, interDays float64) *pki {
	root := certtest.MustNew(certtest.Spec{CN: "Teko Test Root", CA: true, NotBefore: days(-400), NotAfter: days(3650)}, nil)
	inter := certtest.MustNew(certtest.Spec{CN: "Teko Test Intermediate", CA: true, NotBefore: days(-400), NotAfter: days(interDays)}, root)
	caFile := filepath.Join(t.TempDir(), "root.pem")
	require.NoError(t, os.WriteFile(caFile, root.PEM(), 0o644))
	return &pki{root, inter, caFile}
}

func (p *pki) leaf(cn string, notAfter float64, names ...string) *certtest.Cert {
	return certtest.MustNew(certtest.Spec{CN: cn, DNSNames: names, NotBefore: days(-10), NotAfter: days(notAfter)}, p.inter)
}

// serve runs a TLS server on loopback presenting chain (leaf first) and
// returns its port.
func serve(t *testing.T, network string, chain []*certtest.Cert, clientCAs *x509.CertPool) string {
	t.Helper()
	cert := tls.Certificate{PrivateKey: chain[0].Key}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.DER)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCAs != nil {
		cfg.ClientCAs, cfg.ClientAuth = clientCAs, tls.RequireAndVerifyClientCert
	}
	addr := servertest.Serve(t, network, "", func(c net.Conn) {
		tc := tls.Server(c, cfg)
		tc.Handshake()
		time.Sleep(50 * time.Millisecond)
		tc.Close()
	})
	_, port, _ := net.SplitHostPort(addr)
	return port
}

func check(t *testing.T, args ...string) plugintest.Result {
	t.Helper()
	return plugintest.New(t, Plugin).Run(append(args, "--format", "nagios")...)
}

func TestDaysLeftAgainstThresholds(t *testing.T) {
	p := newPKI(t, 3000)
	for _, tc := range []struct {
		days float64
		code int
		want string
	}{
		{90.5, 0, "SSL OK: Certificate '127.0.0.1:PORT' expires in 90 days"},
		{29.9, 1, "SSL WARNING: Certificate '127.0.0.1:PORT' expires in 29 days"},
		{13, 2, "SSL CRITICAL: Certificate '127.0.0.1:PORT' expires in 13 days"},
		{1.5, 2, "expires in 1 day ("},
	} {
		port := serve(t, "tcp", []*certtest.Cert{p.leaf("localhost", tc.days, "localhost"), p.inter}, nil)
		r := check(t, "-H", "127.0.0.1", "--sni", "localhost", "-p", port, "--ca-file", p.caFile)
		assert.Equal(t, tc.code, r.Code, "%v: %v", tc.days, r)
		assert.Contains(t, r.Stdout, strings.ReplaceAll(tc.want, "PORT", port))
		assert.Contains(t, r.Stdout, "| days=")
	}
}

func TestAnExpiringIntermediateIsNamed(t *testing.T) {
	p := newPKI(t, 5.5)
	port := serve(t, "tcp", []*certtest.Cert{p.leaf("localhost", 300, "localhost"), p.inter}, nil)
	r := check(t, "-H", "localhost", "-p", port, "--ca-file", p.caFile)
	assert.Equal(t, 2, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "expires in 5 days")
	assert.Contains(t, r.Stdout, "(its intermediate CN=Teko Test Intermediate expires first)")
}

func TestVerificationFailuresSayWhy(t *testing.T) {
	p := newPKI(t, 3000)
	good := p.leaf("localhost", 200, "localhost")
	self := certtest.MustNew(certtest.Spec{CN: "selfie.test", DNSNames: []string{"selfie.test"}, NotBefore: days(-1), NotAfter: days(200)}, nil)
	for name, tc := range map[string]struct {
		chain []*certtest.Cert
		args  []string
		want  []string
	}{
		"expired leaf": {[]*certtest.Cert{p.leaf("localhost", -3, "localhost"), p.inter}, []string{"-H", "localhost"},
			[]string{"SSL CRITICAL: certificate CN=localhost expired on ", "; Certificate '", "expired 3 days ago"}},
		"wrong host": {[]*certtest.Cert{good, p.inter}, []string{"-H", "127.0.0.1", "--sni", "www.example.test"},
			[]string{"SSL CRITICAL: certificate CN=localhost is not valid for www.example.test (it names localhost)", "expires in 200 days"}},
		"self-signed": {[]*certtest.Cert{self}, []string{"-H", "127.0.0.1", "--sni", "selfie.test"},
			[]string{"SSL CRITICAL: certificate CN=selfie.test is self-signed"}},
		"intermediate missing": {[]*certtest.Cert{good}, []string{"-H", "localhost"},
			[]string{"SSL CRITICAL: the chain is signed by \"Teko Test Intermediate\", an authority not trusted here (is an intermediate certificate missing"}},
	} {
		port := serve(t, "tcp", tc.chain, nil)
		r := check(t, append(tc.args, "-p", port, "--ca-file", p.caFile)...)
		assert.Equal(t, 2, r.Code, "%s: %v", name, r)
		for _, w := range tc.want {
			assert.Contains(t, r.Stdout, w, name)
		}
	}
	// Without verification only the days count, as the original's --no-check-certificate.
	port := serve(t, "tcp", []*certtest.Cert{self}, nil)
	r := check(t, "-H", "127.0.0.1", "-p", port, "--no-check-certificate")
	assert.Equal(t, 0, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "expires in 200 days")
}

func TestClientCertificateIsPresented(t *testing.T) {
	p := newPKI(t, 3000)
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(p.root.Cert)
	seen := make(chan string, 4)
	leaf := p.leaf("localhost", 100, "localhost")
	cfg := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.DER, p.inter.DER}, PrivateKey: leaf.Key}},
		ClientCAs:    clientCAs, ClientAuth: tls.RequestClientCert, // test certificates carry no client-auth usage: record, do not verify
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) > 0 {
				seen <- cs.PeerCertificates[0].Subject.CommonName
			}
			return nil
		},
	}
	_, port, _ := net.SplitHostPort(servertest.Serve(t, "tcp", "", func(c net.Conn) {
		tc := tls.Server(c, cfg)
		tc.Handshake()
		tc.Close()
	}))

	client := p.leaf("monitoring", 100)
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	require.NoError(t, os.WriteFile(cert, append(client.PEM(), p.inter.PEM()...), 0o644))
	require.NoError(t, os.WriteFile(key, client.KeyPEM(), 0o600))
	r := check(t, "-H", "localhost", "-p", port, "--ca-file", p.caFile, "--cert-file", cert, "--key-file", key)
	assert.Equal(t, 0, r.Code, "%v", r)
	select {
	case cn := <-seen:
		assert.Equal(t, "monitoring", cn, "the server got the client certificate")
	case <-time.After(2 * time.Second):
		t.Fatal("the server saw no client certificate")
	}
	r = check(t, "-H", "localhost", "-p", port, "--ca-file", p.caFile, "--cert-file", cert)
	assert.Equal(t, 3, r.Code, "a certificate without its key is a flag error: %v", r)
}

func TestIPv6Literal(t *testing.T) {
	p := newPKI(t, 3000)
	port := serve(t, "tcp6", []*certtest.Cert{p.leaf("localhost", 100, "localhost"), p.inter}, nil)
	r := check(t, "-H", "::1", "--sni", "localhost", "-p", port, "--ca-file", p.caFile)
	assert.Equal(t, 0, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "Certificate '[::1]:"+port+"' expires in 100 days")
}

func TestAServerThatNeverShakesHandsEndsWithinTheRun(t *testing.T) {
	_, port, _ := net.SplitHostPort(servertest.Hang(t, "tcp"))
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-ssl-cert")
	start := time.Now()
	out, err := exec.Command(exe, "-H", "127.0.0.1", "-p", port, "-t", "1").Output()
	elapsed := time.Since(start)
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 2, ee.ExitCode(), "a hung server is CRITICAL: %s", out)
	assert.Less(t, elapsed, 3*time.Second)
	assert.Contains(t, string(out), "127.0.0.1:"+port)
}

func TestRefusedIsCritical(t *testing.T) {
	_, port, _ := net.SplitHostPort(servertest.ClosedPort(t, "tcp"))
	r := check(t, "-H", "127.0.0.1", "-p", port)
	assert.Equal(t, 2, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "refused")
}

func TestBadFlagsAreUnknown(t *testing.T) {
	for _, args := range [][]string{
		{}, {"-H", ""}, {"-H", "x", "-p", "99999"}, {"-H", "x", "--ca-file", "/nonexistent/ca.pem"}, {"-H", "x", "-w", "-1"},
		// What operators paste into -H: a URL, a name with a space, a
		// port that -p contradicts.
		{"-H", "https://example.com/"}, {"-H", "example.com "}, {"-H", "example.com:8443", "-p", "9443"},
	} {
		r := check(t, args...)
		assert.Equal(t, 3, r.Code, "%v: %v", args, r)
		assert.True(t, strings.HasPrefix(r.Stdout, "SSL UNKNOWN: "), "%v: %v", args, r)
	}
}

// -H may carry the port, as operators write "example.com:8443"; the
// message then names the address as dialled.
func TestHostWithPort(t *testing.T) {
	p := newPKI(t, 3000)
	port := serve(t, "tcp", []*certtest.Cert{p.leaf("localhost", 100, "localhost"), p.inter}, nil)
	for _, host := range []string{"localhost:" + port} {
		r := check(t, "-H", host, "--ca-file", p.caFile)
		assert.Equal(t, 0, r.Code, "%v", r)
		assert.Contains(t, r.Stdout, "Certificate 'localhost:"+port+"' expires in 100 days")
	}
}
