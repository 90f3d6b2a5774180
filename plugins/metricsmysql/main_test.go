package metricsmysql

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/teko-dev/teko/plugin/servertest"
)

type pair struct{ primary, replica *servertest.MariaDB }

var servers servertest.Shared[pair]

func TestMain(m *testing.M) {
	code := m.Run()
	servers.Close()
	os.Exit(code)
}

func getPair(t *testing.T) pair {
	t.Helper()
	return servers.Get(t, func() (pair, func(), error) {
		p, r, err := servertest.StartMariaDBReplication()
		if err != nil {
			return pair{}, nil, err
		}
		stop := func() { r.Stop(); p.Stop() }
		if _, err := p.Exec(`CREATE USER 'mon'@'127.0.0.1' IDENTIFIED BY 'mon pw';
			GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR ON *.* TO 'mon'@'127.0.0.1';
			CREATE USER 'noproc'@'127.0.0.1' IDENTIFIED BY 'x'`); err != nil {
			stop()
			return pair{}, nil, err
		}
		return pair{p, r}, stop, nil
	})
}

// args are the flags that reach m over TCP as mon, in the original's
// one-dash spelling.
func args(m *servertest.MariaDB, more ...string) []string {
	return append([]string{"-host", "127.0.0.1", "-port", strconv.Itoa(m.Port), "-username", "mon", "-password", "mon pw"}, more...)
}

// status reads SHOW GLOBAL STATUS and VARIABLES with the mariadb client.
func status(t *testing.T, m *servertest.MariaDB, query string) map[string]float64 {
	t.Helper()
	out, err := m.Exec(query)
	if err != nil {
		t.Fatal(err)
	}
	vals := map[string]float64{}
	for _, line := range strings.Split(out, "\n") {
		name, v, ok := strings.Cut(line, "\t")
		if f, err := strconv.ParseFloat(v, 64); ok && err == nil {
			vals[name] = f
		}
	}
	return vals
}

// open returns one connection of the test's own, as root over the socket.
func open(t *testing.T, m *servertest.MariaDB) *sql.Conn {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "unix", m.Socket
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
