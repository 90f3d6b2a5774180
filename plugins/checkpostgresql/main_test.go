package checkpostgresql

import (
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
