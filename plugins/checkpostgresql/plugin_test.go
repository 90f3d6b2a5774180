package checkpostgresql

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/pgclient/pgfake"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

func run(t *testing.T, args ...string) plugintest.Result {
	t.Helper()
	return plugintest.New(t, Plugin).Run(args...)
}

func tcp(pg *servertest.Postgres) []string {
	return []string{"-H", "127.0.0.1", "-p", strconv.Itoa(pg.Port), "-u", "mon", "-d", "postgres", "-P", monPassword}
}

func TestConnectionCountsClientSessions(t *testing.T) {
	pg := getServer(t)
	open := func() *pgconn.PgConn {
		c, err := pgconn.Connect(context.Background(), fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres", pg.SocketDir, pg.Port))
		require.NoError(t, err)
		t.Cleanup(func() { c.Close(context.Background()) })
		return c
	}
	// Three idle sessions of the test's own, and one it asks with (a
	// psql run would linger a moment after it ends and spoil the count).
	open()
	open()
	open()
	observer := open()
	count := func(sql string) int {
		t.Helper()
		res, err := observer.Exec(context.Background(), sql).ReadAll()
		require.NoError(t, err)
		n, err := strconv.Atoi(string(res[0].Rows[0][0]))
		require.NoError(t, err)
		return n
	}
	clients := "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
	require.NoError(t, servertest.WaitFor(5*time.Second, func() error {
		if count(clients) != 4 {
			return assert.AnError
		}
		return nil
	}))
	all := count("SELECT count(*) FROM pg_stat_activity")
	want := 4 + 1 // and the plugin's own session

	r := run(t, append([]string{"connection"}, tcp(pg)...)...)
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, fmt.Sprintf("PostgreSQL Connection OK: %d connections\n", want), r.Stdout, "the original counts every row: %d", all+1)
	assert.Greater(t, all+1, want, "background processes are rows too")

	require.NoError(t, servertest.WaitFor(5*time.Second, func() error {
		if count(clients) != 4 {
			return assert.AnError
		}
		return nil
	}))
	r = run(t, append([]string{"connection", "-w", "1", "-c", "100", "--format", "nagios"}, tcp(pg)...)...)
	assert.Equal(t, 1, r.Code, r.Stdout)
	assert.Equal(t, fmt.Sprintf("PostgreSQL Connection WARNING: %d connections | connections=%d;1;100;0;40\n", want, want), r.Stdout)
	r = run(t, append([]string{"connection", "-w", "1", "-c", "2"}, tcp(pg)...)...)
	assert.Equal(t, 2, r.Code, r.Stdout)

	// A role without pg_monitor sees other roles' sessions with their
	// backend_type hidden: they still count.
	_, err := pg.Exec("postgres", `DROP ROLE IF EXISTS nomon; CREATE ROLE nomon LOGIN PASSWORD 'nomon'`)
	require.NoError(t, err)
	require.NoError(t, servertest.WaitFor(5*time.Second, func() error {
		if count(clients) != 4 {
			return assert.AnError
		}
		return nil
	}))
	r = run(t, "connection", "-H", "127.0.0.1", "-p", strconv.Itoa(pg.Port), "-u", "nomon", "-d", "postgres", "-P", "nomon")
	assert.Equal(t, fmt.Sprintf("PostgreSQL Connection OK: %d connections\n", want), r.Stdout, "as a role without pg_monitor")

	// Over the unix socket, as postgres (trusted there).
	r = run(t, "connection", "-H", pg.SocketDir, "-p", strconv.Itoa(pg.Port))
	assert.Equal(t, 0, r.Code, r.Stdout)
}

func TestPasswordWithSpacesAndQuotes(t *testing.T) {
	pg := getServer(t)
	base := []string{"connection", "-H", "127.0.0.1", "-p", strconv.Itoa(pg.Port), "-u", "mon", "-d", "postgres"}

	r := run(t, append(base, "-P", monPassword)...)
	assert.Equal(t, 0, r.Code, r.Stdout)

	h := plugintest.New(t, Plugin)
	h.Env["PGPASSWORD"] = monPassword
	r = h.Run(base...)
	assert.Equal(t, 0, r.Code, r.Stdout)

	file := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(file, []byte(monPassword+"\n"), 0o600))
	r = run(t, append(base, "--password-file", file)...)
	assert.Equal(t, 0, r.Code, r.Stdout)
}

func TestWrongPasswordIsUnknownNamingTheLogin(t *testing.T) {
	pg := getServer(t)
	r := run(t, "connection", "-H", "127.0.0.1", "-p", strconv.Itoa(pg.Port), "-u", "mon", "-d", "postgres", "-P", "wrong secret")
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, fmt.Sprintf("PostgreSQL Connection UNKNOWN: login mon@127.0.0.1:%d refused", pg.Port))
	assert.NotContains(t, r.Stdout+r.Stderr, "wrong secret")
}

// The server offers TLS with a certificate for 127.0.0.1 from its own CA.
func TestSSLMode(t *testing.T) {
	pg := getServer(t)
	base := append([]string{"connection"}, tcp(pg)...)
	for _, mode := range []string{"disable", "allow", "prefer", "require"} {
		r := run(t, append(base, "-s", mode)...)
		assert.Equal(t, 0, r.Code, "%s: %s", mode, r.Stdout)
	}
	for _, mode := range []string{"verify-ca", "verify-full"} {
		r := run(t, append(base, "--sslmode", mode, "--sslrootcert", pg.CACert)...)
		assert.Equal(t, 0, r.Code, "%s: %s", mode, r.Stdout)
	}
	// TLS is really negotiated: without the CA, verification fails.
	r := run(t, append(base, "--sslmode", "verify-full")...)
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "certificate")

	other := filepath.Join(t.TempDir(), "other-ca.crt")
	require.NoError(t, os.WriteFile(other, []byte("not a certificate"), 0o644))
	r = run(t, append(base, "--sslmode", "verify-ca", "--sslrootcert", other)...)
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "no PEM certificate")

	r = run(t, append(base, "-s", "sometimes")...)
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, `--sslmode "sometimes": want one of disable, allow, prefer, require, verify-ca, verify-full`)
}

// The CA file may come from $PGSSLROOTCERT, as libpq and the original's
// driver take it: configurations that verify the server that way keep
// working.
func TestSSLRootCertFromTheEnvironment(t *testing.T) {
	pg := getServer(t)
	t.Setenv("PGSSLROOTCERT", pg.CACert)
	r := run(t, append([]string{"connection", "-s", "verify-full"}, tcp(pg)...)...)
	assert.Equal(t, 0, r.Code, r.Stdout)
	t.Setenv("PGSSLROOTCERT", filepath.Join(t.TempDir(), "none.crt"))
	r = run(t, append([]string{"connection", "-s", "verify-full"}, tcp(pg)...)...)
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "none.crt")
}

// Over the unix socket there is no TLS to negotiate: libpq, and lib/pq
// (the original's driver), ignore sslmode there, so a configuration that
// says sslmode require for every server also works for a local socket.
func TestSSLModeIgnoredOnTheSocket(t *testing.T) {
	pg := getServer(t)
	for _, mode := range []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"} {
		r := run(t, "connection", "-H", pg.SocketDir, "-p", strconv.Itoa(pg.Port), "-s", mode)
		assert.Equal(t, 0, r.Code, "%s: %s", mode, r.Stdout)
	}
}

// A server without TLS (the stand-in declines it): require is a
// configuration that cannot work, UNKNOWN; prefer falls back.
func TestSSLModeWithoutServerTLS(t *testing.T) {
	args, stop, err := (&options{}).ConformanceArgs("")
	require.NoError(t, err)
	defer stop()
	r := run(t, append(args, "-s", "prefer")...)
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = run(t, append(args, "-s", "require")...)
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "does not offer TLS, and sslmode require requires it")
}

func TestServerDownIsCritical(t *testing.T) {
	port, err := servertest.FreePort()
	require.NoError(t, err)
	r := run(t, "connection", "-H", "127.0.0.1", "-p", strconv.Itoa(port), "-P", "hunter2")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "PostgreSQL Connection CRITICAL: cannot connect to 127.0.0.1:"+strconv.Itoa(port))
	assert.Contains(t, r.Stdout, "connection refused")
	assert.NotContains(t, r.Stdout, "hunter2")
}

func TestSilentServerEndsWithinTimeout(t *testing.T) {
	_, port, _ := net.SplitHostPort(servertest.Hang(t, "tcp"))
	start := time.Now()
	r := run(t, "connection", "-H", "127.0.0.1", "-p", port, "-t", "2")
	assert.Less(t, time.Since(start), 4*time.Second, "-t 2 (a loaded machine may add a little)")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Regexp(t, `^PostgreSQL Connection CRITICAL: no answer from 127\.0\.0\.1:`+port+` within 1\.\ds\n$`, r.Stdout)
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"uptime"}, {"connection", "-p", "70000"}, {"connection", "-w", "x"}} {
		r := run(t, args...)
		assert.Equal(t, 3, r.Code, "%q: %s", args, r.Stdout)
		assert.Regexp(t, `^PostgreSQL (Connection )?UNKNOWN: `, r.Stdout)
	}
	help := run(t, "connection", "--help")
	assert.Equal(t, 0, help.Code)
	assert.Contains(t, help.Stdout, "--sslmode")
	assert.NotContains(t, help.Stdout, monPassword)
}

// A server that logs in and then never answers a statement: the run
// still ends within -t, CRITICAL.
func TestServerHangingOnAStatement(t *testing.T) {
	release := make(chan struct{})
	srv, err := pgfake.Start(func(string) (*pgfake.Result, error) {
		<-release
		return nil, nil
	})
	require.NoError(t, err)
	defer srv.Close()
	defer close(release)
	start := time.Now()
	r := run(t, "connection", "-H", "127.0.0.1", "-p", strconv.Itoa(srv.Addr().Port), "-t", "2")
	assert.Less(t, time.Since(start), 4*time.Second, "-t 2 (a loaded machine may add a little)")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Regexp(t, `^PostgreSQL Connection CRITICAL: SELECT count.*: no answer from 127\.0\.0\.1:\d+ within 1\.\ds\n$`, r.Stdout)
}

// No password given: the one in $PGPASSFILE (or ~/.pgpass) for the
// login, as libpq does.
func TestPassfile(t *testing.T) {
	pg := getServer(t)
	file := filepath.Join(t.TempDir(), "pgpass")
	line := fmt.Sprintf("127.0.0.1:%d:postgres:mon:%s\n", pg.Port, strings.NewReplacer(`\`, `\\`, `:`, `\:`).Replace(monPassword))
	require.NoError(t, os.WriteFile(file, []byte(line), 0o600))
	t.Setenv("PGPASSFILE", file)
	r := run(t, "connection", "-H", "127.0.0.1", "-p", strconv.Itoa(pg.Port), "-u", "mon", "-d", "postgres")
	assert.Equal(t, 0, r.Code, r.Stdout)
}
