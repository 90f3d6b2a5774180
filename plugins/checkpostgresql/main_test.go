package checkpostgresql

import (
	"net"
	"os"
	"testing"

	"github.com/teko-dev/teko/plugin/servertest"
)

var pgServer servertest.Shared[*servertest.Postgres]

func TestMain(m *testing.M) {
	code := m.Run()
	pgServer.Close()
	os.Exit(code)
}

// monPassword has a space and both quotes: the original's hand-built
// connection string breaks on it.
const monPassword = `pa ss"wo'rd`

func getServer(t *testing.T) *servertest.Postgres {
	t.Helper()
	return pgServer.Get(t, func() (*servertest.Postgres, func(), error) {
		pg, err := servertest.StartPostgres()
		if err != nil {
			return nil, nil, err
		}
		if _, err := pg.Exec("postgres", `CREATE ROLE mon LOGIN PASSWORD 'pa ss"wo''rd'; GRANT pg_monitor TO mon`); err != nil {
			pg.Stop()
			return nil, nil, err
		}
		return pg, pg.Stop, nil
	})
}

func silentServer(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}
