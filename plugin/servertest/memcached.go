package servertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Memcached is a memcached started by StartMemcached.
type Memcached struct {
	Dir     string
	Port    int // TCP on 127.0.0.1
	Process *Process
}

// StartMemcached starts memcached (Debian package memcached) in the
// foreground on a free loopback port, TCP only (no UDP), with 64 MB of
// memory, as user nobody when run as root (memcached refuses root), and
// waits until it accepts connections. extra are more arguments.
func StartMemcached(extra ...string) (*Memcached, func(), error) {
	bin, err := Find("memcached", "memcached")
	if err != nil {
		return nil, nil, err
	}
	dir, err := TempDir("memcached")
	if err != nil {
		return nil, nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := FreePort()
		if err != nil {
			return nil, nil, err
		}
		args := []string{"-l", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "0", "-m", "64"}
		if os.Geteuid() == 0 {
			args = append(args, "-u", "nobody")
		}
		p, err := Start(exec.Command(bin, append(args, extra...)...), filepath.Join(dir, "memcached.log"))
		if err != nil {
			removeAll(dir)
			return nil, nil, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		err = p.WaitWithin(10*time.Second, func() error { return WaitDial("tcp", addr, 200*time.Millisecond) })
		if err == nil {
			return &Memcached{Dir: dir, Port: port, Process: p}, func() { p.Stop(); removeAll(dir) }, nil
		}
		p.Stop()
		lastErr = err
	}
	removeAll(dir)
	return nil, nil, lastErr
}

// Addr is "127.0.0.1:port".
func (m *Memcached) Addr() string { return "127.0.0.1:" + strconv.Itoa(m.Port) }
