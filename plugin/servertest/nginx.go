package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Nginx is an nginx started by StartNginx: stub_status at StatusURL.
type Nginx struct {
	Port      int
	StatusURL string // http://127.0.0.1:PORT/nginx_status
	Dir       string
	proc      *Process
}

// StartNginx runs nginx (Debian package nginx) in the foreground with
// its own prefix, configuration, logs and pid file in a fresh temp
// directory, serving stub_status at /nginx_status and "ok" at / on a
// free 127.0.0.1 port, and waits until it answers. Stop ends it and
// removes the directory. A port taken between choosing it and nginx
// binding it is retried twice.
func StartNginx() (*Nginx, error) {
	bin, err := Find("nginx", "nginx")
	if err != nil {
		return nil, err
	}
	dir, err := TempDir("nginx")
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(filepath.Join(dir, "tmp"), 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		n, err := startNginx(bin, dir)
		if err == nil || attempt == 3 {
			if err != nil {
				os.RemoveAll(dir)
			}
			return n, err
		}
	}
}

func startNginx(bin, dir string) (*Nginx, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	conf := fmt.Sprintf(`daemon off;
master_process on;
worker_processes 1;
pid %[1]q;
error_log %[2]q info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[3]q;
    proxy_temp_path %[3]q;
    fastcgi_temp_path %[3]q;
    uwsgi_temp_path %[3]q;
    scgi_temp_path %[3]q;
    server {
        listen 127.0.0.1:%[4]d;
        location = /nginx_status { stub_status; }
        location = / { return 200 "ok\n"; }
    }
}
`, filepath.Join(dir, "nginx.pid"), filepath.Join(dir, "error.log"), filepath.Join(dir, "tmp"), port)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	p, err := Start(exec.Command(bin, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "error.log")), filepath.Join(dir, "out.log"))
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if err := p.WaitWithin(10*time.Second, func() error { return WaitDial("tcp", addr, time.Second) }); err != nil {
		p.Stop()
		return nil, fmt.Errorf("nginx: %w", err)
	}
	return &Nginx{Port: port, StatusURL: "http://" + addr + "/nginx_status", Dir: dir, proc: p}, nil
}

// Stop ends nginx and removes its directory.
func (n *Nginx) Stop() {
	if n == nil {
		return
	}
	n.proc.Stop()
	os.RemoveAll(n.Dir)
}
