package checkntpoffset

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/teko-dev/teko/plugin/servertest"
)

// The real chronyd servers, started once for the package: one
// synchronised ("local stratum 8": it serves its own clock, which is ours)
// and one with no time source, which answers as unsynchronised.
var (
	syncedChrony   servertest.Shared[*chrony]
	unsyncedChrony servertest.Shared[*chrony]
)

func TestMain(m *testing.M) {
	code := m.Run()
	syncedChrony.Close()
	unsyncedChrony.Close()
	os.Exit(code)
}

// chrony is a chronyd serving NTP on 127.0.0.1:Port, its command socket
// at Socket, leaving the system clock alone (-x).
type chrony struct {
	Port   int
	Socket string
}

func (c *chrony) Addr() string { return "127.0.0.1:" + strconv.Itoa(c.Port) }

func startChrony(local bool) func() (*chrony, func(), error) {
	return func() (*chrony, func(), error) {
		bin, err := servertest.Find("chrony", "chronyd")
		if err != nil {
			return nil, nil, err
		}
		dir, err := servertest.TempDir("chrony")
		if err != nil {
			return nil, nil, err
		}
		// chronyd refuses a command socket in a directory others can enter.
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, nil, err
		}
		port, err := servertest.FreePort()
		if err != nil {
			return nil, nil, err
		}
		c := &chrony{Port: port, Socket: filepath.Join(dir, "chronyd.sock")}
		conf := fmt.Sprintf("port %d\nbindaddress 127.0.0.1\nallow 127.0.0.1\ncmdport 0\nbindcmdaddress %s\npidfile %s/chronyd.pid\ndriftfile %s/drift\n",
			port, c.Socket, dir, dir)
		if local {
			conf += "local stratum 8\n"
		}
		if err := os.WriteFile(filepath.Join(dir, "chrony.conf"), []byte(conf), 0o644); err != nil {
			return nil, nil, err
		}
		p, err := servertest.Start(exec.Command(bin, "-d", "-x", "-u", "root", "-f", filepath.Join(dir, "chrony.conf")), filepath.Join(dir, "chronyd.log"))
		if err != nil {
			return nil, nil, err
		}
		stop := func() { p.Stop(); os.RemoveAll(dir) }
		err = p.WaitWithin(20*time.Second, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := querySNTP(ctx, c.Addr(), time.Now)
			return err
		})
		if err != nil {
			stop()
			return nil, nil, err
		}
		return c, stop, nil
	}
}
