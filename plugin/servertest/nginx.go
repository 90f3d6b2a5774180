package servertest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"text/template"
	"time"
)

// Nginx is a running nginx started by StartNginx: its own prefix
// directory, configuration, logs and pid file, in the foreground (daemon
// off), never a system service.
type Nginx struct {
	// Dir holds nginx.conf, error.log, nginx.pid, the temp directories
	// and the files of NginxConfig.Files.
	Dir string
	// Ports are the loopback ports picked for the configuration, in the
	// order of NginxConfig.Ports.
	Ports []int
	// Process is the nginx master, e.g. for signals: SIGUSR1 reopens
	// the logs, SIGHUP reloads the configuration.
	Process *Process
}

// NginxConfig says what the nginx of StartNginx serves.
type NginxConfig struct {
	// Ports is how many free loopback ports to pick; the template sees
	// them as {{index .Ports 0}}, ….
	Ports int
	// Files are written into Dir before nginx starts (certificates,
	// keys, pages), by name; the template refers to them as
	// {{.Dir}}/name.
	Files map[string][]byte
	// HTTP is the inside of the http {} block, a text/template with
	// .Dir and .Ports: typically server {} blocks listening on
	// 127.0.0.1:{{index .Ports 0}}. Logs and temp paths are set already.
	HTTP string
}

// StartNginx starts nginx (Debian package nginx, or nginx-light) with
// cfg and waits until it has written its pid file, which it does after
// binding every listener. Its results fit Shared.Get:
//
//	var ngx servertest.Shared[*servertest.Nginx]
//	n := ngx.Get(t, func() (*servertest.Nginx, func(), error) { return servertest.StartNginx(cfg) })
func StartNginx(cfg NginxConfig) (*Nginx, func(), error) {
	bin, err := Find("nginx", "nginx")
	if err != nil {
		return nil, nil, err
	}
	tmpl, err := template.New("nginx.conf").Parse(cfg.HTTP)
	if err != nil {
		return nil, nil, fmt.Errorf("nginx configuration template: %w", err)
	}
	dir, err := TempDir("nginx")
	if err != nil {
		return nil, nil, err
	}
	n := &Nginx{Dir: dir}
	fail := func(err error) (*Nginx, func(), error) {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	for range cfg.Ports {
		p, err := FreePort()
		if err != nil {
			return fail(err)
		}
		n.Ports = append(n.Ports, p)
	}
	for name, data := range cfg.Files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fail(err)
		}
	}
	var inner bytes.Buffer
	if err := tmpl.Execute(&inner, map[string]any{"Dir": dir, "Ports": n.Ports}); err != nil {
		return fail(fmt.Errorf("nginx configuration template: %w", err))
	}
	conf := fmt.Sprintf(`daemon off;
master_process on;
worker_processes 1;
pid "%[1]s/nginx.pid";
error_log "%[1]s/error.log" info;
events { worker_connections 128; }
http {
    access_log off;
    client_body_temp_path "%[1]s/tmp/body";
    proxy_temp_path "%[1]s/tmp/proxy";
    fastcgi_temp_path "%[1]s/tmp/fastcgi";
    uwsgi_temp_path "%[1]s/tmp/uwsgi";
    scgi_temp_path "%[1]s/tmp/scgi";
%[2]s
}
`, dir, inner.String())
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return fail(err)
	}
	errorLog := filepath.Join(dir, "error.log")
	n.Process, err = Start(exec.Command(bin, "-p", dir, "-c", confPath, "-e", errorLog), filepath.Join(dir, "stderr.log"))
	if err != nil {
		return fail(err)
	}
	pidPath := filepath.Join(dir, "nginx.pid")
	err = WaitFor(10*time.Second, func() error {
		if err := n.Process.Exited(); err != nil {
			return stopWaiting{fmt.Errorf("%v\nerror.log: %s", err, Tail(errorLog, 2000))}
		}
		_, err := os.Stat(pidPath)
		return err
	})
	if err != nil {
		n.Process.Stop()
		return fail(fmt.Errorf("nginx: %w", err))
	}
	return n, n.Stop, nil
}

// Stop stops nginx and removes its directory.
func (n *Nginx) Stop() {
	n.Process.Stop()
	os.RemoveAll(n.Dir)
}

// Addr returns "127.0.0.1:PORT" for the i-th port.
func (n *Nginx) Addr(i int) string { return "127.0.0.1:" + strconv.Itoa(n.Ports[i]) }
