package checksslcert

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/certinfo/certtest"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// A real nginx serving a leaf and its intermediate on one port and an
// expired certificate on another: the check reads what a real TLS
// server sends, the chain nginx builds from its ssl_certificate file.
func TestRealNginx(t *testing.T) {
	// nginx's own clock is the real one: make the certificates around it
	// and judge them with a harness whose clock is set to now.
	real := time.Now()
	at := func(days float64) time.Time { return real.Add(time.Duration(days * 24 * float64(time.Hour))) }
	root := certtest.MustNew(certtest.Spec{CN: "Teko Nginx Root", CA: true, NotBefore: at(-30), NotAfter: at(3650)}, nil)
	inter := certtest.MustNew(certtest.Spec{CN: "Teko Nginx Intermediate", CA: true, NotBefore: at(-30), NotAfter: at(400)}, root)
	good := certtest.MustNew(certtest.Spec{CN: "localhost", DNSNames: []string{"localhost"}, NotBefore: at(-1), NotAfter: at(45.5)}, inter)
	old := certtest.MustNew(certtest.Spec{CN: "localhost", DNSNames: []string{"localhost"}, NotBefore: at(-30), NotAfter: at(-2.5)}, inter)
	n, stop, err := servertest.StartNginx(servertest.NginxConfig{
		Ports: 2,
		Files: map[string][]byte{
			"good.pem": append(good.PEM(), inter.PEM()...), "good.key": good.KeyPEM(),
			"old.pem": append(old.PEM(), inter.PEM()...), "old.key": old.KeyPEM(),
		},
		HTTP: `
server { listen 127.0.0.1:{{index .Ports 0}} ssl; ssl_certificate {{.Dir}}/good.pem; ssl_certificate_key {{.Dir}}/good.key; return 200 "ok\n"; }
server { listen 127.0.0.1:{{index .Ports 1}} ssl; ssl_certificate {{.Dir}}/old.pem; ssl_certificate_key {{.Dir}}/old.key; return 200 "ok\n"; }
`,
	})
	if err != nil {
		servertest.Unavailable(t, err)
	}
	defer stop()
	caFile := filepath.Join(t.TempDir(), "root.pem")
	require.NoError(t, os.WriteFile(caFile, root.PEM(), 0o644))

	h := plugintest.New(t, Plugin)
	h.Set(real)
	r := h.Run("-H", "localhost", "-p", strconv.Itoa(n.Ports[0]), "--ca-file", caFile, "--format", "nagios")
	assert.Equal(t, 0, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "SSL OK: Certificate 'localhost:"+strconv.Itoa(n.Ports[0])+"' expires in 45 days")
	assert.Contains(t, r.Stdout, "| days=45;30:;14:")
	assert.Contains(t, r.Stdout, "chain: leaf CN=localhost")

	r = h.Run("-H", "localhost", "-p", strconv.Itoa(n.Ports[1]), "--ca-file", caFile)
	assert.Equal(t, 2, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "SSL CRITICAL: certificate CN=localhost expired on ")
	assert.Contains(t, r.Stdout, "expired 3 days ago")

	// The original's spelling: no verification, days only.
	r = h.Run("-H", "127.0.0.1", "-p", strconv.Itoa(n.Ports[1]), "--no-check-certificate", "-c", "0", "-w", "0")
	assert.Equal(t, 2, r.Code, "an expired certificate is CRITICAL even with -c 0: %v", r)
}
