package metricspostgres

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/teko-dev/teko/plugin/servertest"
)

var (
	pgServer  servertest.Shared[*servertest.Postgres]
	pgReplica servertest.Shared[*servertest.Postgres]
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgReplica.Close()
	pgServer.Close()
	os.Exit(code)
}

const monPassword = `mon "pw' x`

func getServer(t *testing.T) *servertest.Postgres {
	t.Helper()
	return pgServer.Get(t, func() (*servertest.Postgres, func(), error) {
		pg, err := servertest.StartPostgres()
		if err != nil {
			return nil, nil, err
		}
		if _, err := pg.Exec("postgres", `CREATE ROLE mon LOGIN PASSWORD 'mon "pw'' x'; GRANT pg_monitor TO mon`); err != nil {
			pg.Stop()
			return nil, nil, err
		}
		if _, err := pg.Exec("postgres", `CREATE DATABASE "app.v1"`); err != nil {
			pg.Stop()
			return nil, nil, err
		}
		return pg, pg.Stop, nil
	})
}

// getReplica returns a streaming replica of the package's server.
func getReplica(t *testing.T) *servertest.Postgres {
	t.Helper()
	primary := getServer(t)
	return pgReplica.Get(t, func() (*servertest.Postgres, func(), error) {
		r, err := servertest.StartPostgresReplica(primary)
		if err != nil {
			return nil, nil, err
		}
		return r, r.Stop, nil
	})
}

func args(pg *servertest.Postgres, more ...string) []string {
	return append([]string{"-hostname", "127.0.0.1", "-port", strconv.Itoa(pg.Port), "-user", "mon", "-database", "postgres", "-password", monPassword}, more...)
}

// one returns the single value a query gives.
func one(t *testing.T, pg *servertest.Postgres, sql string) float64 {
	t.Helper()
	out, err := pg.Exec("postgres", sql)
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(out), 64)
	if err != nil {
		t.Fatalf("%s: %q", sql, out)
	}
	return v
}

// session opens a session of the test's own over the socket.
func session(t *testing.T, pg *servertest.Postgres) *pgconn.PgConn {
	t.Helper()
	c, err := pgconn.Connect(context.Background(), fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres", pg.SocketDir, pg.Port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func exec(t *testing.T, c *pgconn.PgConn, sql string) {
	t.Helper()
	if _, err := c.Exec(context.Background(), sql).ReadAll(); err != nil && !strings.Contains(sql, "1/0") {
		t.Fatalf("%s: %v", sql, err)
	}
}
