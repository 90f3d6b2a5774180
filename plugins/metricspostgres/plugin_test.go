package metricspostgres

import (
	"context"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin/pgclient"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// Sessions by state, compared with pg_stat_activity. The original never
// prints idle_in_transaction_aborted_ (it declares that name and prints
// idle_in_transaction_aborted) and counts idle sessions as an undeclared
// idle_waiting (they wait on ClientRead).
func TestSessionsMatchPgStatActivity(t *testing.T) {
	pg := getServer(t)
	session(t, pg)
	session(t, pg)
	exec(t, session(t, pg), "BEGIN; SELECT 1")
	exec(t, session(t, pg), "BEGIN; SELECT 1/0")
	// The test asks pg_stat_activity over a session of its own (idle
	// while the plugin runs): a psql run would linger a moment as idle
	// after it ends and spoil the count.
	observer := session(t, pg)
	count := func(where string) float64 {
		t.Helper()
		res, err := observer.Exec(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE "+where).ReadAll()
		require.NoError(t, err)
		v, err := strconv.ParseFloat(string(res[0].Rows[0][0]), 64)
		require.NoError(t, err)
		return v
	}
	require.NoError(t, servertest.WaitFor(5*time.Second, func() error {
		// Only the test's five sessions, the aborted one settled.
		if count("backend_type = 'client backend'") != 5 || count("state = 'idle in transaction (aborted)'") != 1 {
			return assert.AnError
		}
		return nil
	}))
	h := plugintest.New(t, Plugin)
	got := h.Values(h.Run(args(pg)...), args(pg)...)
	require.NoError(t, servertest.WaitFor(5*time.Second, func() error { // the plugin's session takes a moment to go
		if count("backend_type = 'client backend'") != 5 {
			return assert.AnError
		}
		return nil
	}))
	// The observer is active now, as the plugin's session was during its
	// run, and idle then.
	assert.Equal(t, count("state = 'active'"), got["postgres.connections.active"])
	assert.Equal(t, count("state = 'idle'")+1, got["postgres.connections.idle"])
	assert.Equal(t, count("state = 'idle in transaction'"), got["postgres.connections.idle_in_transaction"])
	assert.Equal(t, count("state = 'idle in transaction (aborted)'"), got["postgres.connections.idle_in_transaction_aborted_"])
	assert.Equal(t, 3.0, got["postgres.connections.idle"], "two idle sessions and the observer; a second connection of the plugin would be idle here too")
	assert.Equal(t, 1.0, got["postgres.connections.idle_in_transaction_aborted_"])
	assert.Equal(t, 0.0, got["postgres.connections.fastpath_function_call"])
	assert.Equal(t, one(t, pg, "SELECT sum(pg_database_size(datname)) FROM pg_database WHERE has_database_privilege(datname, 'connect')"),
		got["postgres.size.total_size"])
}

// Every declared metric is printed (on a primary, from the second run).
func TestEveryDeclaredMetricIsPrinted(t *testing.T) {
	pg := getServer(t)
	h := plugintest.New(t, Plugin)
	h.Values(h.Run(args(pg)...), args(pg)...)
	h.Advance(time.Minute)
	got := h.Values(h.Run(args(pg)...), args(pg)...)
	for key, g := range Plugin.New().(*options).Graphs() {
		for _, m := range g.Metrics {
			assert.Contains(t, got, "postgres."+key+"."+m.Name)
		}
	}
}

func TestRatesMatchPgStatDatabase(t *testing.T) {
	pg := getServer(t)
	c := session(t, pg)
	h := plugintest.New(t, Plugin)
	lsn0 := one(t, pg, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")
	h.Values(h.Run(args(pg)...), args(pg)...)
	inserted0 := one(t, pg, "SELECT sum(tup_inserted) FROM pg_stat_database")
	const n = 40
	exec(t, c, "CREATE TABLE IF NOT EXISTS r (i int)")
	for i := range n {
		exec(t, c, "INSERT INTO r VALUES ("+strconv.Itoa(i)+")")
	}
	// An idle session flushes its statistics only after 10 s; one that
	// ends, at once.
	c.Close(context.Background())
	require.NoError(t, servertest.WaitFor(5*time.Second, func() error {
		if one(t, pg, "SELECT sum(tup_inserted) FROM pg_stat_database") < inserted0+n {
			return assert.AnError
		}
		return nil
	}))
	h.Advance(30 * time.Second)
	r := h.Run(args(pg)...)
	got := h.Values(r, args(pg)...)
	assert.Empty(t, r.Stderr)
	lsn1 := one(t, pg, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")
	// n commits in 30 s are 2n a minute, plus a few of the plugin's and
	// psql's own.
	assert.GreaterOrEqual(t, got["postgres.commits.xact_commit"], float64(2*n))
	assert.Less(t, got["postgres.commits.xact_commit"], float64(2*n+40))
	assert.Greater(t, got["postgres.xlog_location.xlog_location_bytes"], 0.0)
	assert.LessOrEqual(t, got["postgres.xlog_location.xlog_location_bytes"], 2*(lsn1-lsn0))
	assert.GreaterOrEqual(t, got["postgres.rows.tup_inserted"], float64(2*n))
}

func TestPerDatabase(t *testing.T) {
	pg := getServer(t)
	h := plugintest.New(t, Plugin)
	a := args(pg, "-per-database")
	got := h.Values(h.Run(a...), a...)
	assert.Equal(t, one(t, pg, `SELECT pg_database_size('app.v1')`), got["postgres.db_size.app_v1.size"])
	assert.Equal(t, one(t, pg, `SELECT pg_database_size('postgres')`), got["postgres.db_size.postgres.size"])
	assert.NotContains(t, got, "postgres.db_size.template1.size")
	h.Advance(time.Minute)
	got = h.Values(h.Run(a...), a...)
	assert.Contains(t, got, "postgres.db_commits.postgres.xact_commit")
	assert.Contains(t, got, "postgres.db_rows.app_v1.tup_fetched")
}

// A replica has no WAL position of its own: nothing is printed, never 0
// (the original prints 0 there, and on any primary whose wal_level is
// not logical); everything else is.
func TestReplicaPrintsNoWAL(t *testing.T) {
	r := getReplica(t)
	require.Equal(t, "t", strings.TrimSpace(must(r.Exec("postgres", "SELECT pg_is_in_recovery()"))))
	h := plugintest.New(t, Plugin)
	a := args(r)
	h.Values(h.Run(a...), a...)
	h.Advance(time.Minute)
	got := h.Values(h.Run(a...), a...)
	assert.NotContains(t, got, "postgres.xlog_location.xlog_location_bytes")
	for key, g := range Plugin.New().(*options).Graphs() {
		for _, m := range g.Metrics {
			if key != "xlog_location" {
				assert.Contains(t, got, "postgres."+key+"."+m.Name)
			}
		}
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

func TestRecordWithoutWAL(t *testing.T) {
	o := &options{}
	s := func(v string) *string { return &v }
	act := &pgclient.Result{Rows: [][]*string{{s("1"), s("0"), s("2"), s("0"), s("0"), s("0"), s("0"), nil}}}
	b := metrics.NewBatch()
	require.NoError(t, o.record(act, &pgclient.Result{}, b))
	values, _, _ := b.Resolve(metrics.Memory{}, time.Now(), metrics.Rates{})
	for _, v := range values {
		assert.NotEqual(t, "xlog_location.xlog_location_bytes", v.Name)
	}
}

func TestFailures(t *testing.T) {
	port, err := servertest.FreePort()
	require.NoError(t, err)
	h := plugintest.New(t, Plugin)
	r := h.Run("-hostname", "127.0.0.1", "-port", strconv.Itoa(port), "-user", "mon", "-password", "hunter2")
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "cannot connect to 127.0.0.1:"+strconv.Itoa(port))
	assert.NotContains(t, r.Stderr, "hunter2")

	_, silent, _ := net.SplitHostPort(servertest.Hang(t, "tcp"))
	start := time.Now()
	r = h.Run("-hostname", "127.0.0.1", "-port", silent, "-user", "mon", "-t", "2")
	assert.Less(t, time.Since(start), 4*time.Second, "-t 2 (a loaded machine may add a little)")
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stderr, "no answer from 127.0.0.1:"+silent)

	r = h.Run("-hostname", "127.0.0.1")
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, "user")

	pg := getServer(t)
	r = h.Run("-hostname", "127.0.0.1", "-port", strconv.Itoa(pg.Port), "-user", "mon", "-database", "postgres", "-password", "nope")
	assert.Equal(t, 3, r.Code)
	assert.True(t, strings.Contains(r.Stderr, "login mon@127.0.0.1:"+strconv.Itoa(pg.Port)+" refused"), r.Stderr)
}

// Over the unix socket, as the original's -hostname /var/run/postgresql.
func TestUnixSocket(t *testing.T) {
	pg := getServer(t)
	h := plugintest.New(t, Plugin)
	a := []string{"-hostname", pg.SocketDir, "-port", strconv.Itoa(pg.Port), "-user", "postgres"}
	got := h.Values(h.Run(a...), a...)
	assert.Contains(t, got, "postgres.size.total_size")
}

// With -metric-key-prefix the graph labels start with the capitalised
// prefix, as the original makes them: two instances side by side have
// graphs told apart.
func TestLabelsFollowThePrefix(t *testing.T) {
	for prefix, want := range map[string]string{"postgres": "Postgres ", "pgmain": "Pgmain "} {
		r := plugintest.New(t, Plugin).Meta("-user", "mon", "-per-database", "-metric-key-prefix", prefix)
		require.Equal(t, 0, r.Code, r.Stderr)
		_, body, _ := strings.Cut(r.Stdout, "\n")
		var meta struct {
			Graphs map[string]struct {
				Label string `json:"label"`
			} `json:"graphs"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &meta))
		assert.Equal(t, want+"Connections", meta.Graphs[prefix+".connections"].Label)
		for key, g := range meta.Graphs {
			assert.True(t, strings.HasPrefix(g.Label, want), "%s: %s", key, g.Label)
		}
	}
}

// A login without pg_monitor sees other roles' sessions without their
// state: the counts would silently leave them out. The run says so on
// stderr, with the grant that fixes it; with pg_monitor it says nothing.
func TestSessionsHiddenWithoutPgMonitor(t *testing.T) {
	pg := getServer(t)
	_, err := pg.Exec("postgres", `DROP ROLE IF EXISTS nomon; CREATE ROLE nomon LOGIN PASSWORD 'nomon'`)
	require.NoError(t, err)
	exec(t, session(t, pg), "BEGIN; SELECT 1") // postgres's, idle in transaction
	h := plugintest.New(t, Plugin)
	r := h.Run("-hostname", "127.0.0.1", "-port", strconv.Itoa(pg.Port), "-user", "nomon", "-password", "nomon", "-database", "postgres")
	require.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stderr, "other roles' sessions are hidden from nomon: they are not counted (GRANT pg_monitor TO nomon)")
	r = h.Run(args(pg)...)
	require.Equal(t, 0, r.Code, r.Stderr)
	assert.NotContains(t, r.Stderr, "hidden")
}
