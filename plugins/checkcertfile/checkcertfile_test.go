package checkcertfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/certinfo/certtest"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// at returns the harness clock plus d days.
func at(d float64) time.Time {
	return plugintest.Start.Add(time.Duration(d * 24 * float64(time.Hour)))
}

func write(t *testing.T, name string, parts ...[]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	var data []byte
	for _, p := range parts {
		data = append(data, p...)
	}
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

func leaf(t *testing.T, days float64, parent *certtest.Cert) *certtest.Cert {
	t.Helper()
	return certtest.MustNew(certtest.Spec{CN: "www.example.test", NotBefore: at(-30), NotAfter: at(days)}, parent)
}

// Days left around the default thresholds (30 and 14), the same
// comparisons as the original: fewer days than the threshold alerts.
func TestThresholds(t *testing.T) {
	h := plugintest.New(t, Plugin)
	for _, c := range []struct {
		days float64
		code int
		msg  string
	}{
		{30, 0, "CERT Expiry OK: 30 days remaining"},
		{29.99, 1, "CERT Expiry WARNING: 29 days remaining"},
		{14, 1, "CERT Expiry WARNING: 14 days remaining"},
		{13.5, 2, "CERT Expiry CRITICAL: 13 days remaining"},
		{0.2, 2, "CERT Expiry CRITICAL: 0 days remaining"},
		{-0.2, 2, "CERT Expiry CRITICAL: expired 1 day ago (2026-11-23T19:12:00Z)"},
		{-3, 2, "CERT Expiry CRITICAL: expired 3 days ago (2026-11-21T00:00:00Z)"},
	} {
		path := write(t, "cert.pem", leaf(t, c.days, nil).PEM())
		r := h.Run("-f", path)
		assert.Equal(t, c.code, r.Code, "%v days: %s", c.days, r.Stdout)
		assert.Equal(t, c.msg, strings.SplitN(r.Stdout, "\n", 2)[0], "%v days", c.days)
	}
	path := write(t, "cert.pem", leaf(t, 45, nil).PEM())
	r := h.Run("--file", path, "--warning", "50", "--critical", "46", "--format", "nagios")
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, "CERT Expiry CRITICAL: 45 days remaining | days=45;50:;46:\n", strings.SplitN(r.Stdout, "\n", 2)[0]+"\n")
}

// DER made the original panic (exit 2, nothing on stdout); here it is read.
func TestDER(t *testing.T) {
	path := write(t, "cert.der", leaf(t, 45, nil).DER)
	r := plugintest.New(t, Plugin).Run("-f", path)
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "CERT Expiry OK: 45 days remaining\ncert.der DER: leaf CN=www.example.test (2027-01-08)\n", r.Stdout)
	assert.Empty(t, r.Stderr)
}

// A bundle whose intermediate expires first is judged by it (the
// original read only the first certificate).
func TestBundleEarliest(t *testing.T) {
	root := certtest.MustNew(certtest.Spec{CN: "Test Root", CA: true, NotBefore: at(-30), NotAfter: at(3000)}, nil)
	inter := certtest.MustNew(certtest.Spec{CN: "Test CA", CA: true, NotBefore: at(-30), NotAfter: at(10)}, root)
	l := leaf(t, 80, inter)
	path := write(t, "fullchain.pem", l.PEM(), inter.PEM(), root.PEM())
	r := plugintest.New(t, Plugin).Run("-f", path)
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Equal(t, "CERT Expiry CRITICAL: 10 days remaining (intermediate CN=Test CA, certificate 2 of 3, expires first)\n"+
		"fullchain.pem PEM: leaf CN=www.example.test (2027-02-12) ← intermediate CN=Test CA (2026-12-04) ← root CN=Test Root (2035-02-10)\n", r.Stdout)
}

// A private key and its certificate in one file, in either order.
func TestKeyAndCertificate(t *testing.T) {
	l := leaf(t, 60, nil)
	h := plugintest.New(t, Plugin)
	for _, path := range []string{write(t, "a.pem", l.KeyPEM(), l.PEM()), write(t, "b.pem", l.PEM(), l.KeyPEM())} {
		r := h.Run("-f", path)
		assert.Equal(t, 0, r.Code, r.Stdout)
		assert.True(t, strings.HasPrefix(r.Stdout, "CERT Expiry OK: 60 days remaining\n"), r.Stdout)
	}
}

// No certificate, an unreadable file or garbage: CRITICAL as in the
// original, with the reason, and never a panic.
func TestNotACertificate(t *testing.T) {
	l := leaf(t, 60, nil)
	h := plugintest.New(t, Plugin)
	key := write(t, "key.pem", l.KeyPEM())
	garbage := write(t, "random.bin", []byte{0x00, 0x01, 0xff, 0x30})
	for _, c := range []struct{ path, msg string }{
		{key, "CERT Expiry CRITICAL: " + key + ": no certificate, only PRIVATE KEY\n"},
		{garbage, "CERT Expiry CRITICAL: " + garbage + ": neither PEM nor DER: no certificate\n"},
		{"/nonexistent/cert.pem", "CERT Expiry CRITICAL: /nonexistent/cert.pem: no such file or directory\n"},
	} {
		r := h.Run("-f", c.path)
		assert.Equal(t, 2, r.Code, r.Stdout)
		assert.Equal(t, c.msg, r.Stdout)
		assert.Empty(t, r.Stderr)
	}
	r := h.Run()
	assert.Equal(t, 3, r.Code, "a missing -f is a flag error: %s", r.Stdout)
	assert.Contains(t, r.Stdout, "CERT Expiry UNKNOWN: ")
	assert.Contains(t, r.Stdout, "-f, --file")
}

// A certificate not valid yet is CRITICAL: clients refuse it.
func TestNotYetValid(t *testing.T) {
	c := certtest.MustNew(certtest.Spec{CN: "future.test", NotBefore: at(2), NotAfter: at(90)}, nil)
	r := plugintest.New(t, Plugin).Run("-f", write(t, "f.pem", c.PEM()))
	assert.Equal(t, 2, r.Code)
	assert.True(t, strings.HasPrefix(r.Stdout, "CERT Expiry CRITICAL: 90 days remaining; not valid before 2026-11-26T00:00:00Z\n"), r.Stdout)
}

// Several files: the worst decides, each named.
func TestSeveralFiles(t *testing.T) {
	ok := write(t, "ok.pem", leaf(t, 100, nil).PEM())
	warn := write(t, "warn.pem", leaf(t, 20, nil).PEM())
	h := plugintest.New(t, Plugin)
	r := h.Run("-f", ok, "-f", warn)
	assert.Equal(t, 1, r.Code)
	assert.True(t, strings.HasPrefix(r.Stdout, "CERT Expiry WARNING: "+warn+": 20 days remaining\n"), r.Stdout)
	r = h.Run("-f", ok, "-f", ok)
	assert.Equal(t, 0, r.Code)
	assert.True(t, strings.HasPrefix(r.Stdout, "CERT Expiry OK: 2 files, the first expiry in 100 days\n"), r.Stdout)
}

// Certificates made by openssl itself, PEM and DER: the days left are
// those of openssl's own end date.
func TestOpenSSLCertificates(t *testing.T) {
	bin, err := servertest.Find("openssl", "openssl")
	if err != nil {
		servertest.Unavailable(t, err)
	}
	dir := t.TempDir()
	pemPath, derPath := filepath.Join(dir, "c.pem"), filepath.Join(dir, "c.der")
	out, err := exec.Command(bin, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", filepath.Join(dir, "k.pem"), "-out", pemPath, "-days", "40", "-subj", "/CN=openssl.test").CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.Command(bin, "x509", "-in", pemPath, "-outform", "der", "-out", derPath).CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.Command(bin, "x509", "-in", pemPath, "-noout", "-enddate").Output()
	require.NoError(t, err)
	end, err := time.Parse("Jan _2 15:04:05 2006 MST", strings.TrimSpace(strings.TrimPrefix(string(out), "notAfter=")))
	require.NoError(t, err, "%s", out)
	h := plugintest.New(t, Plugin)
	h.Advance(time.Until(plugintest.Start) * -1) // the harness clock to now
	want := int(end.Sub(h.Now()).Hours() / 24)
	for _, p := range []string{pemPath, derPath} {
		r := h.Run("-f", p)
		assert.Equal(t, 0, r.Code, r.Stdout)
		assert.True(t, strings.HasPrefix(r.Stdout, "CERT Expiry OK: "+itoa(want)+" days remaining\n"), "%s: %s", p, r.Stdout)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// A PEM file saved with a UTF-8 byte order mark (a Windows editor) is
// read, as OpenSSL — and so nginx and Apache — read it; it was a CRITICAL
// "no valid PEM block" for a certificate the server uses.
func TestPEMWithByteOrderMark(t *testing.T) {
	path := write(t, "bom.pem", []byte("\xef\xbb\xbf"), leaf(t, 45, nil).PEM())
	r := plugintest.New(t, Plugin).Run("-f", path)
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "CERT Expiry OK: 45 days remaining\n"), r.Stdout)
}
