package metricsphpfpm

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// fpm is a real PHP-FPM from Debian, started once for the package with
// two pools: "www" on a unix socket (2 static children, status at
// /status) and "tcp" on a loopback port (3 children, /fpm-status).
var fpm servertest.Shared[*phpFPM]

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	fpm.Close()
	os.Exit(code)
}

type phpFPM struct {
	Socket string
	Port   int
}

const fpmConf = `[global]
pid = %[1]s/fpm.pid
error_log = %[1]s/fpm.log
daemonize = no
[www]
listen = %[1]s/fpm.sock
listen.mode = 0666
pm = static
pm.max_children = 2
pm.status_path = /status
[tcp]
listen = 127.0.0.1:%[2]d
pm = static
pm.max_children = 3
pm.status_path = /fpm-status
`

func startFPM() (*phpFPM, func(), error) {
	bin, err := servertest.Find("php-fpm", "php-fpm8.2", "php-fpm8.3", "php-fpm8.4", "php-fpm")
	if err != nil {
		return nil, nil, err
	}
	dir, err := servertest.TempDir("fpm")
	if err != nil {
		return nil, nil, err
	}
	port, err := servertest.FreePort()
	if err != nil {
		return nil, nil, err
	}
	conf := filepath.Join(dir, "fpm.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(fpmConf, dir, port)), 0o644); err != nil {
		return nil, nil, err
	}
	// -R lets the pools run as root (the tests do); -n: no php.ini.
	p, err := servertest.Start(exec.Command(bin, "-R", "-n", "-y", conf), filepath.Join(dir, "out.log"))
	if err != nil {
		return nil, nil, err
	}
	f := &phpFPM{Socket: filepath.Join(dir, "fpm.sock"), Port: port}
	stop := func() { p.Stop(); os.RemoveAll(dir) }
	err = p.WaitWithin(30*time.Second, func() error {
		// Ready when both pools run all their children.
		if err := children("unix", f.Socket, "/status", 2); err != nil {
			return err
		}
		return children("tcp", "127.0.0.1:"+strconv.Itoa(port), "/fpm-status", 3)
	})
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("%w; fpm.log: %s", err, servertest.Tail(filepath.Join(dir, "fpm.log"), 1000))
	}
	return f, stop, nil
}

// children returns nil when the pool at addr reports n processes.
func children(network, addr, path string, n int) error {
	conn, err := net.DialTimeout(network, addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	resp, err := fcgiGet(conn, path, "json", maxPage)
	if err != nil {
		return err
	}
	st, err := parseStatus(resp.Body)
	if err != nil {
		return err
	}
	if int(st["total processes"]) != n {
		return fmt.Errorf("%s has %v processes, not yet %d", path, st["total processes"], n)
	}
	return nil
}
