package checkhttp

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/teko-dev/teko/plugin/certinfo/certtest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// The real servers of these tests, each started once for the package by
// the first test that needs it.
var (
	nginx servertest.Shared[*testNginx]
	squid servertest.Shared[*testSquid]
)

func stopServers() {
	nginx.Close()
	squid.Close()
}

// testNginx is nginx with the pages and certificates the tests use.
type testNginx struct {
	*servertest.Nginx
	CAFile                string // the test CA, which signed the server and client certificates
	ClientCert, ClientKey string
	Body                  string // the body of /
}

// Ports of the nginx configuration.
const (
	portHTTP       = iota // plain HTTP on 127.0.0.1 and [::1]
	portHTTPS             // certificate for 127.0.0.1, localhost and ::1 from the test CA
	portClientAuth        // as portHTTPS, and a client certificate from the test CA is required
	portExpired           // an expired certificate from the test CA
	portWrongHost         // a certificate for other.example from the test CA
	portSelfSigned        // a self-signed certificate
	nPorts
)

const nginxHTTP = `
    server {
        listen 127.0.0.1:{{index .Ports 0}} default_server;
        listen [::1]:{{index .Ports 0}} default_server;
        listen 127.0.0.1:{{index .Ports 1}} ssl default_server;
        listen [::1]:{{index .Ports 1}} ssl default_server;
        ssl_certificate "{{.Dir}}/server.pem";
        ssl_certificate_key "{{.Dir}}/server.key";
        location = / { default_type text/plain; return 200 "hello from teko tests\n"; }
        location = /notfound { return 404; }
        location = /error { return 500; }
        location = /unavailable { return 503; }
        location = /hop { return 302 /; }
        location = /hop2 { return 301 /hop; }
        location = /loop { return 302 /loop; }
        location = /ua { default_type text/plain; return 200 "$http_user_agent\n"; }
        location = /method { default_type text/plain; return 200 "$request_method\n"; }
        location = /big { alias "{{.Dir}}/big.txt"; default_type text/plain; }
        location = /auth { auth_basic "teko"; auth_basic_user_file "{{.Dir}}/htpasswd"; default_type text/plain; alias "{{.Dir}}/welcome.txt"; }
        location = /to_https { return 302 https://localhost:{{index .Ports 1}}/; }
    }
    server {
        listen 127.0.0.1:{{index .Ports 0}};
        server_name vhost.test;
        location = / { default_type text/plain; return 200 "the virtual host\n"; }
    }
    server {
        listen 127.0.0.1:{{index .Ports 2}} ssl;
        ssl_certificate "{{.Dir}}/server.pem";
        ssl_certificate_key "{{.Dir}}/server.key";
        ssl_client_certificate "{{.Dir}}/ca.pem";
        ssl_verify_client on;
        location = / { default_type text/plain; return 200 "client $ssl_client_s_dn\n"; }
    }
    server {
        listen 127.0.0.1:{{index .Ports 3}} ssl;
        ssl_certificate "{{.Dir}}/expired.pem";
        ssl_certificate_key "{{.Dir}}/expired.key";
        location = / { return 200 "expired\n"; }
    }
    server {
        listen 127.0.0.1:{{index .Ports 4}} ssl;
        ssl_certificate "{{.Dir}}/wronghost.pem";
        ssl_certificate_key "{{.Dir}}/wronghost.key";
        location = / { return 200 "wrong host\n"; }
    }
    server {
        listen 127.0.0.1:{{index .Ports 5}} ssl;
        ssl_certificate "{{.Dir}}/selfsigned.pem";
        ssl_certificate_key "{{.Dir}}/selfsigned.key";
        location = / { return 200 "self-signed\n"; }
    }
`

// bigSize is the size of /big, over the plugin's default body cap.
const bigSize = 3 << 20

func startNginx() (*testNginx, func(), error) {
	ca, err := certtest.New(certtest.Spec{CN: "teko test CA", CA: true}, nil)
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{
		"ca.pem":      ca.PEM(),
		"htpasswd":    []byte("monitor:{PLAIN}s3cret-pw\n"),
		"welcome.txt": []byte("welcome monitor\n"),
		"big.txt":     []byte(strings.Repeat("0123456789abcdef", bigSize/16)),
	}
	v4, v6 := net.IPv4(127, 0, 0, 1), net.IPv6loopback
	for name, spec := range map[string]certtest.Spec{
		"server":     {CN: "localhost", DNSNames: []string{"localhost"}, IPs: []net.IP{v4, v6}},
		"expired":    {CN: "localhost", DNSNames: []string{"localhost"}, IPs: []net.IP{v4}, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)},
		"wronghost":  {CN: "other.example", DNSNames: []string{"other.example"}},
		"client":     {CN: "monitoring-client", DNSNames: []string{"monitoring-client"}, Client: true},
		"selfsigned": {CN: "localhost", DNSNames: []string{"localhost"}, IPs: []net.IP{v4}},
	} {
		parent := ca
		if name == "selfsigned" {
			parent = nil
		}
		c, err := certtest.New(spec, parent)
		if err != nil {
			return nil, nil, err
		}
		files[name+".pem"], files[name+".key"] = c.PEM(), c.KeyPEM()
	}
	n, stop, err := servertest.StartNginx(servertest.NginxConfig{Ports: nPorts, Files: files, HTTP: nginxHTTP})
	if err != nil {
		return nil, nil, err
	}
	return &testNginx{
		Nginx:      n,
		CAFile:     filepath.Join(n.Dir, "ca.pem"),
		ClientCert: filepath.Join(n.Dir, "client.pem"),
		ClientKey:  filepath.Join(n.Dir, "client.key"),
		Body:       "hello from teko tests\n",
	}, stop, nil
}

func getNginx(t *testing.T) *testNginx {
	t.Helper()
	return nginx.Get(t, startNginx)
}

// URL returns the http URL of path on port i (https for the TLS ports).
func (n *testNginx) URL(i int, path string) string {
	scheme := "https"
	if i == portHTTP {
		scheme = "http"
	}
	return scheme + "://127.0.0.1:" + strconv.Itoa(n.Ports[i]) + path
}

// testSquid is a squid forward proxy on a loopback port, logging every
// request it forwards.
type testSquid struct {
	Port      int
	AccessLog string
	proc      *servertest.Process
	dir       string
}

func startSquid() (*testSquid, func(), error) {
	bin, err := servertest.Find("squid", "squid")
	if err != nil {
		return nil, nil, err
	}
	dir, err := servertest.TempDir("squid")
	if err != nil {
		return nil, nil, err
	}
	if err := os.Chmod(dir, 0o777); err != nil { // squid drops root for its own user
		return nil, nil, err
	}
	port, err := servertest.FreePort()
	if err != nil {
		return nil, nil, err
	}
	s := &testSquid{Port: port, AccessLog: filepath.Join(dir, "access.log"), dir: dir}
	conf := fmt.Sprintf(`http_port 127.0.0.1:%[2]d
http_access allow localhost
http_access deny all
cache deny all
pid_filename %[1]s/squid.pid
cache_log %[1]s/cache.log
access_log stdio:%[1]s/access.log
coredump_dir %[1]s
shutdown_lifetime 0 seconds
strip_query_terms off
dns_v4_first on
`, dir, port)
	confPath := filepath.Join(dir, "squid.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, nil, err
	}
	s.proc, err = servertest.Start(exec.Command(bin, "-N", "-f", confPath), filepath.Join(dir, "stderr.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	err = servertest.WaitFor(30*time.Second, func() error {
		if err := s.proc.Exited(); err != nil {
			return fmt.Errorf("%v\ncache.log: %s", err, servertest.Tail(filepath.Join(dir, "cache.log"), 2000))
		}
		return servertest.WaitDial("tcp", "127.0.0.1:"+strconv.Itoa(port), 100*time.Millisecond)
	})
	if err != nil {
		s.stop()
		return nil, nil, fmt.Errorf("squid: %w", err)
	}
	return s, s.stop, nil
}

func (s *testSquid) stop() {
	s.proc.Stop()
	os.RemoveAll(s.dir)
}

// requireLogged waits until squid's access log has a line containing
// want (squid logs a request once its connection is done).
func (s *testSquid) requireLogged(t *testing.T, want string) {
	t.Helper()
	err := servertest.WaitFor(5*time.Second, func() error {
		log, err := os.ReadFile(s.AccessLog)
		if err != nil {
			return err
		}
		if !strings.Contains(string(log), want) {
			return fmt.Errorf("squid's access log has no %q:\n%s", want, log)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
