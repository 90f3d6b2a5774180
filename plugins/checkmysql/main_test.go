package checkmysql

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// pair is a MariaDB primary and its GTID replica, started once for the
// package by the first test that needs them.
type pair struct{ primary, replica *servertest.MariaDB }

var servers servertest.Shared[pair]

func TestMain(m *testing.M) {
	code := m.Run()
	servers.Close()
	os.Exit(code)
}

// monPassword has a space and both quotes, as real passwords do.
const monPassword = `pa ss"wo'rd`

func startPair() (pair, func(), error) {
	p, r, err := servertest.StartMariaDBReplication()
	if err != nil {
		return pair{}, nil, err
	}
	stop := func() { r.Stop(); p.Stop() }
	// The monitoring user of the README, with the least privileges; it
	// replicates to the replica.
	if _, err := p.Exec(`CREATE USER 'mon'@'127.0.0.1' IDENTIFIED BY 'pa ss"wo''rd';
		GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR ON *.* TO 'mon'@'127.0.0.1';
		CREATE USER 'nopriv'@'127.0.0.1' IDENTIFIED BY 'x';
		CREATE DATABASE t; CREATE TABLE t.a (id INT PRIMARY KEY)`); err != nil {
		stop()
		return pair{}, nil, err
	}
	if err := servertest.WaitFor(20*time.Second, func() error {
		out, err := r.Exec("SELECT COUNT(*) FROM mysql.user WHERE user='nopriv'")
		if err == nil && strings.TrimSpace(out) != "1" {
			return os.ErrNotExist
		}
		return err
	}); err != nil {
		stop()
		return pair{}, nil, err
	}
	return pair{p, r}, stop, nil
}

func getPair(t *testing.T) pair {
	t.Helper()
	return servers.Get(t, startPair)
}

// tcp returns the flags that reach m over TCP as mon.
func tcp(m *servertest.MariaDB) []string {
	return []string{"-H", "127.0.0.1", "-p", strconv.Itoa(m.Port), "-u", "mon", "-P", monPassword}
}

func run(t *testing.T, args ...string) plugintest.Result {
	t.Helper()
	return plugintest.New(t, Plugin).Run(args...)
}

func statusOf(t *testing.T, m *servertest.MariaDB, name string) int64 {
	t.Helper()
	out, err := m.Exec("SHOW GLOBAL STATUS LIKE '" + name + "'")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(out)
	if len(f) != 2 {
		t.Fatalf("SHOW GLOBAL STATUS LIKE '%s': %q", name, out)
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	p, err := servertest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
