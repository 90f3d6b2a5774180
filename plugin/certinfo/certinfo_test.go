package certinfo_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/certinfo"
	"github.com/teko-dev/teko/plugin/certinfo/certtest"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func days(n float64) time.Time { return now.Add(time.Duration(n * 24 * float64(time.Hour))) }

type chain struct{ root, inter, leaf *certtest.Cert }

func newChain(t *testing.T, leafDays, interDays float64) chain {
	t.Helper()
	root := certtest.MustNew(certtest.Spec{CN: "Teko Test Root", CA: true, NotBefore: days(-10), NotAfter: days(3650)}, nil)
	inter := certtest.MustNew(certtest.Spec{CN: "Teko Test Intermediate", CA: true, NotBefore: days(-10), NotAfter: days(interDays)}, root)
	leaf := certtest.MustNew(certtest.Spec{CN: "www.example.test", DNSNames: []string{"www.example.test"}, NotBefore: days(-10), NotAfter: days(leafDays)}, inter)
	return chain{root, inter, leaf}
}

func TestFormats(t *testing.T) {
	c := newChain(t, 90, 20)
	cat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		data   []byte
		format string
		n      int
		other  []string
	}{
		{"pem", c.leaf.PEM(), "PEM", 1, nil},
		{"der", c.leaf.DER, "DER", 1, nil},
		{"der bundle", cat(c.leaf.DER, c.inter.DER), "DER", 2, nil},
		{"pem bundle", cat(c.leaf.PEM(), c.inter.PEM(), c.root.PEM()), "PEM", 3, nil},
		{"key then cert", cat(c.leaf.KeyPEM(), c.leaf.PEM()), "PEM", 1, []string{"PRIVATE KEY"}},
		{"text around", cat([]byte("subject=CN = www\n"), c.leaf.PEM(), []byte("\n")), "PEM", 1, nil},
	} {
		b, err := certinfo.Parse(tc.data)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.format, b.Format, tc.name)
		assert.Len(t, b.Certs, tc.n, tc.name)
		assert.Equal(t, tc.other, b.Other, tc.name)
		assert.Equal(t, "CN=www.example.test", certinfo.Name(b.Certs[0]), tc.name)
	}
}

func TestNoCertificate(t *testing.T) {
	c := newChain(t, 90, 20)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"key only", c.leaf.KeyPEM(), "no certificate, only PRIVATE KEY"},
		{"empty", []byte("\n"), "empty file, no certificate"},
		{"garbage", []byte("hello world"), "neither PEM nor DER: no certificate"},
		{"broken pem", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "PEM block 1 (CERTIFICATE): x509: malformed certificate"},
		{"broken der", c.leaf.DER[:100], "not a DER certificate"},
		{"pem without end", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n"), "no valid PEM block, no certificate"},
	} {
		_, err := certinfo.Parse(tc.data)
		if assert.Error(t, err, tc.name) {
			assert.Contains(t, err.Error(), tc.want, tc.name)
		}
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(path, c.leaf.KeyPEM(), 0o600))
	_, err := certinfo.ReadFile(path)
	assert.EqualError(t, err, path+": no certificate, only PRIVATE KEY")
}

// A bundle is judged by its earliest expiry, here the intermediate's.
func TestEarliestAndChain(t *testing.T) {
	c := newChain(t, 90, 20)
	b, err := certinfo.Parse(append(append(c.leaf.PEM(), c.inter.PEM()...), c.root.PEM()...))
	require.NoError(t, err)
	e := b.Earliest()
	assert.Equal(t, c.inter.Cert.Raw, e.Raw)
	assert.Equal(t, 1, b.Index(e))
	assert.Equal(t, "leaf CN=www.example.test (2027-03-01) ← intermediate CN=Teko Test Intermediate (2026-12-21) ← root CN=Teko Test Root (2036-11-28)", b.Chain())

	wrongOrder := certinfo.FromChain([]*x509.Certificate{c.root.Cert, c.leaf.Cert})
	assert.Equal(t, "root CN=Teko Test Root (2036-11-28); leaf CN=www.example.test (2027-03-01)", wrongOrder.Chain())
	assert.Equal(t, "TLS", wrongOrder.Format)
	assert.Nil(t, (&certinfo.Bundle{}).Earliest())
}

func TestDaysLeft(t *testing.T) {
	for _, tc := range []struct {
		d    float64
		want int
	}{{30, 30}, {29.99, 29}, {0.5, 0}, {0, 0}, {-0.01, -1}, {-1, -1}, {-1.5, -2}} {
		assert.Equal(t, tc.want, certinfo.DaysLeft(days(tc.d), now), "%v days", tc.d)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	assert.Equal(t, 10, certinfo.DaysLeft(days(10).In(tokyo), now.In(time.FixedZone("PST", -8*3600))), "zones do not matter")
}
