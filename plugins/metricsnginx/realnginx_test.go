//go:build !windows

package metricsnginx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/teko-dev/teko/plugin/certinfo/certtest"
)

// This file runs a real nginx for the tests: its own prefix, configuration,
// error log, pid file and temp directories in a fresh directory, listening
// on 127.0.0.1 and on a unix socket, started in the foreground (daemon
// off) and stopped when the test ends. It is never a system service.

// requireNginxEnv, set to 1 in CI, turns "nginx is not installed" from a
// skip into a failure, so that the real-nginx tests cannot silently vanish.
const requireNginxEnv = "TEKO_REQUIRE_NGINX"

// nginxBinary returns the nginx executable or skips the test (fails it
// when TEKO_REQUIRE_NGINX=1).
func nginxBinary(t *testing.T) string {
	t.Helper()
	if path, err := exec.LookPath("nginx"); err == nil {
		return path
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	if os.Getenv(requireNginxEnv) == "1" {
		t.Fatalf("nginx not found in PATH or at /usr/sbin/nginx, and %s=1 requires it (apt-get install nginx)", requireNginxEnv)
	}
	t.Skipf("nginx not found in PATH or at /usr/sbin/nginx; install it (apt-get install nginx) to run this test, or set %s=1 to make its absence a failure", requireNginxEnv)
	return ""
}

// realNginx is one running nginx master process and its files.
type realNginx struct {
	t      *testing.T
	bin    string
	dir    string // prefix: nginx.conf, error.log, nginx.pid, nginx.sock, temp dirs
	Port   int    // plain HTTP on 127.0.0.1
	TLS    int    // HTTPS on 127.0.0.1 with a self-signed certificate for "localhost"
	Socket string // plain HTTP on this unix socket
	// ColonSocket is plain HTTP on a second unix socket, with a colon in its name.
	ColonSocket string
	cmd         *exec.Cmd
	exited      chan error
}

// The configuration: stub_status at /nginx_status on every listener, and
// gzip-compressed for a client that asks for it at /gzip_status; a
// redirect to the TLS port's page at /to_https; a second virtual server
// that serves it at /vhost_status only for the Host "status.internal",
// "ok" at / and 404 for any other path.
var nginxConf = template.Must(template.New("nginx.conf").Parse(`
daemon off;
master_process on;
worker_processes 1;
pid "{{.Dir}}/nginx.pid";
error_log "{{.Dir}}/error.log" info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path "{{.Dir}}/tmp/body";
    proxy_temp_path "{{.Dir}}/tmp/proxy";
    fastcgi_temp_path "{{.Dir}}/tmp/fastcgi";
    uwsgi_temp_path "{{.Dir}}/tmp/uwsgi";
    scgi_temp_path "{{.Dir}}/tmp/scgi";
    server {
        listen 127.0.0.1:{{.Port}} default_server;
        listen 127.0.0.1:{{.TLS}} ssl default_server;
        listen "unix:{{.Socket}}" default_server;
        listen "unix:{{.ColonSocket}}" default_server;
        ssl_certificate "{{.Dir}}/cert.pem";
        ssl_certificate_key "{{.Dir}}/key.pem";
        location = /nginx_status { stub_status; }
        location = /gzip_status { stub_status; gzip on; gzip_min_length 0; gzip_types text/plain; }
        location = /to_https { return 302 https://127.0.0.1:{{.TLS}}/nginx_status; }
        location = / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:{{.Port}};
        server_name status.internal;
        location = /vhost_status { stub_status; }
    }
}
`))

// startNginx starts nginx on two free loopback ports and a unix socket and
// waits until it listens. It is stopped when the test ends.
func startNginx(t *testing.T) *realNginx {
	t.Helper()
	bin := nginxBinary(t)
	// A short directory: a unix socket path must stay under ~100 bytes.
	dir, err := os.MkdirTemp("", "teko-nginx-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// Worker processes may run as another user (nginx started by root).
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeSelfSignedCert(t, dir)
	n := &realNginx{t: t, bin: bin, dir: dir, Socket: filepath.Join(dir, "nginx.sock"), ColonSocket: filepath.Join(dir, "status:edge.sock")}
	// A port can be taken between choosing it and nginx binding it; retry.
	for attempt := 1; ; attempt++ {
		n.Port, n.TLS = freePort(t), freePort(t)
		err := n.start()
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatal(err)
		}
		t.Logf("attempt %d: %v; retrying on other ports", attempt, err)
	}
	t.Cleanup(n.Stop)
	return n
}

// start writes the configuration and runs nginx until its pid file
// exists: nginx writes it after binding every listener, so connections
// succeed from then on. Waiting for it adds nothing to nginx's counters.
func (n *realNginx) start() error {
	var conf bytes.Buffer
	if err := nginxConf.Execute(&conf, map[string]any{"Dir": n.dir, "Port": n.Port, "TLS": n.TLS, "Socket": n.Socket, "ColonSocket": n.ColonSocket}); err != nil {
		return err
	}
	confPath := filepath.Join(n.dir, "nginx.conf")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o644); err != nil {
		return err
	}
	pidPath := filepath.Join(n.dir, "nginx.pid")
	os.Remove(pidPath)
	errorLog := filepath.Join(n.dir, "error.log")
	os.Remove(errorLog)

	n.cmd = exec.Command(n.bin, "-p", n.dir, "-c", confPath, "-e", errorLog)
	var stderr bytes.Buffer
	n.cmd.Stdout, n.cmd.Stderr = &stderr, &stderr
	if err := n.cmd.Start(); err != nil {
		return fmt.Errorf("start nginx: %w", err)
	}
	n.exited = make(chan error, 1)
	go func() { n.exited <- n.cmd.Wait() }()

	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-n.exited:
			log, _ := os.ReadFile(errorLog)
			n.cmd = nil
			return fmt.Errorf("nginx exited at start (%v): %s%s", err, stderr.Bytes(), log)
		case <-deadline:
			n.Stop()
			return errors.New("nginx did not write its pid file within 10s")
		case <-tick.C:
			if _, err := os.Stat(pidPath); err == nil {
				return nil
			}
		}
	}
}

// Stop shuts nginx down (SIGTERM, then SIGKILL after 10 s) and waits for
// it; a second call does nothing.
func (n *realNginx) Stop() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(10 * time.Second):
		n.t.Errorf("nginx ignored SIGTERM for 10s; killing it")
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
	n.cmd = nil
}

// Restart stops nginx and starts a new master on the same ports: the
// stub_status counters start again from zero, as after a real restart.
func (n *realNginx) Restart() {
	n.t.Helper()
	n.Stop()
	if err := n.start(); err != nil {
		n.t.Fatal(err)
	}
}

// URL returns the plain-HTTP URL of path.
func (n *realNginx) URL(path string) string {
	return "http://127.0.0.1:" + strconv.Itoa(n.Port) + path
}

// GetMany makes count requests for path on one kept-alive connection
// (accepts and handled +1, requests +count), the last one closing it,
// and reads the answers until nginx closes the connection: then they are
// all counted.
func (n *realNginx) GetMany(path string, count int) {
	n.t.Helper()
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(n.Port)), 5*time.Second)
	if err != nil {
		n.t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	var req bytes.Buffer
	for i := range count {
		closing := "keep-alive"
		if i == count-1 {
			closing = "close"
		}
		fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: %s\r\n\r\n", path, closing)
	}
	if _, err := conn.Write(req.Bytes()); err != nil {
		n.t.Fatal(err)
	}
	resp, err := io.ReadAll(conn)
	if err != nil {
		n.t.Fatal(err)
	}
	if got := bytes.Count(resp, []byte("HTTP/1.1 200 ")); got != count {
		n.t.Fatalf("GET %s ×%d on one connection: %d answers", path, count, got)
	}
}

// Get makes one request for path on a connection of its own and reads the
// response until nginx closes that connection. nginx updates its counters
// before closing, so when Get returns the request is fully counted
// (accepts, handled and requests each +1) and no longer active.
func (n *realNginx) Get(path string) {
	n.t.Helper()
	n.GetMany(path, 1)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// writeSelfSignedCert writes cert.pem and key.pem for "localhost" and
// 127.0.0.1 into dir.
func writeSelfSignedCert(t *testing.T, dir string) {
	t.Helper()
	c := certtest.MustNew(certtest.Spec{CN: "localhost", DNSNames: []string{"localhost"}, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, nil)
	for name, b := range map[string][]byte{"cert.pem": c.PEM(), "key.pem": c.KeyPEM()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
