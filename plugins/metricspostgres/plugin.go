// Package metricspostgres is metrics-postgres: a drop-in for
// mackerel-plugin-postgres. See README.md.
package metricspostgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/pgclient"
	"github.com/teko-dev/teko/plugin/secret"
)

// Plugin is metrics-postgres. Its flags are mackerel-plugin-postgres's,
// in either spelling ("-hostname=x" or "--hostname=x").
var Plugin = &plugin.Plugin{
	Name:           "metrics-postgres",
	Description:    "sessions, commits, blocks, rows, sizes, deadlocks, I/O time, temp files and WAL from PostgreSQL",
	SingleDashLong: true,
	New:            func() any { return &options{} },
}

type options struct {
	Hostname       string       `long:"hostname" default:"localhost" description:"host name or address, or the directory of the server's unix socket"`
	Port           int          `long:"port" default:"5432" description:"TCP port of the server"`
	User           string       `long:"user" required:"yes" description:"user to log in as (required, as in the original)"`
	Database       string       `long:"database" description:"database to connect to (default: the user's name)"`
	Password       secret.Value `long:"password" statekey:"-" description:"password (default: $PGPASSWORD)"`
	PasswordFile   string       `long:"password-file" value-name:"FILE" statekey:"-" description:"read the password from this file's first line"`
	SSLMode        string       `long:"sslmode" default:"disable" description:"disable, allow, prefer, require, verify-ca or verify-full, as libpq's sslmode"`
	SSLRootCert    string       `long:"sslrootcert" value-name:"FILE" description:"PEM file of the CA certificates that verify the server (default: $PGSSLROOTCERT, else ~/.postgresql/root.crt)"`
	ConnectTimeout int          `long:"connect_timeout" default:"5" statekey:"-" description:"seconds to wait for the connection (at most 3/4 of --timeout)"`
	PerDatabase    bool         `long:"per-database" description:"also graph commits, blocks, rows, size, deadlocks, temp files and sessions of each database"`
	Tempfile       string       `long:"tempfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-postgres compatibility: the same as --state-dir with FILE's directory"`
}

func (o *options) Prefix() string { return "postgres" }

// Validate rejects bad flag values before the run.
func (o *options) Validate() error {
	switch {
	case o.Port < 1 || o.Port > 65535:
		return fmt.Errorf("--port %d: want 1 to 65535", o.Port)
	case !pgclient.ValidSSLMode(o.SSLMode):
		return fmt.Errorf("--sslmode %q: want one of %s", o.SSLMode, strings.Join(pgclient.SSLModes, ", "))
	case o.ConnectTimeout < 0:
		return fmt.Errorf("--connect_timeout %d: must not be negative", o.ConnectTimeout)
	}
	return nil
}

// GraphsFor labels the graphs as the original does for a metric key
// prefix: its first letter upper-cased ("pgmain" makes "Pgmain
// Connections"), so that two instances' graphs are told apart.
func (o *options) GraphsFor(prefix string) metrics.Graphs {
	gs := o.Graphs()
	word := cases.Title(language.Und, cases.NoLower).String(prefix)
	for k, g := range gs {
		if rest, ok := strings.CutPrefix(g.Label, "Postgres "); ok {
			g.Label = word + " " + rest
			gs[k] = g
		}
	}
	return gs
}

// Graphs are mackerel-plugin-postgres's (labels with the default
// prefix), plus the per-database graphs when asked for.
func (o *options) Graphs() metrics.Graphs {
	gs := metrics.Graphs{
		"connections": {Label: "Postgres Connections", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "active", Label: "Active", Stacked: true},
			{Name: "active_waiting", Label: "Active waiting", Stacked: true},
			{Name: "idle", Label: "Idle", Stacked: true},
			{Name: "idle_in_transaction", Label: "Idle in transaction", Stacked: true},
			{Name: "idle_in_transaction_aborted_", Label: "Idle in transaction (aborted)", Stacked: true},
			{Name: "fastpath_function_call", Label: "fast-path function call", Stacked: true},
			{Name: "disabled", Label: "Disabled", Stacked: true},
		}},
		"commits": {Label: "Postgres Commits", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "xact_commit", Label: "Xact Commit"}, {Name: "xact_rollback", Label: "Xact Rollback"}}},
		"blocks": {Label: "Postgres Blocks", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "blks_read", Label: "Blocks Read"}, {Name: "blks_hit", Label: "Blocks Hit"}}},
		"rows": {Label: "Postgres Rows", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "tup_returned", Label: "Returned Rows"}, {Name: "tup_fetched", Label: "Fetched Rows", Stacked: true},
			{Name: "tup_inserted", Label: "Inserted Rows", Stacked: true}, {Name: "tup_updated", Label: "Updated Rows", Stacked: true},
			{Name: "tup_deleted", Label: "Deleted Rows", Stacked: true}}},
		"size": {Label: "Postgres Data Size", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "total_size", Label: "Total Size"}}},
		"deadlocks": {Label: "Postgres Dead Locks", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "deadlocks", Label: "Deadlocks"}}},
		"iotime": {Label: "Postgres Block I/O time", Unit: metrics.Float, Metrics: []metrics.Metric{
			{Name: "blk_read_time", Label: "Block Read Time (ms)"}, {Name: "blk_write_time", Label: "Block Write Time (ms)"}}},
		"tempfile": {Label: "Postgres Temporary file", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "temp_bytes", Label: "Temporary file size (byte)"}}},
		"xlog_location": {Label: "Postgres Amount of Transaction location change", Unit: metrics.Bytes, Metrics: []metrics.Metric{
			{Name: "xlog_location_bytes", Label: "Amount of Transaction location change (byte)"}}},
	}
	if o.PerDatabase {
		gs["db_connections.#"] = metrics.Graph{Label: "Postgres Sessions per Database", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "numbackends", Label: "Sessions"}}}
		gs["db_commits.#"] = metrics.Graph{Label: "Postgres Commits per Database", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "xact_commit", Label: "Xact Commit"}, {Name: "xact_rollback", Label: "Xact Rollback"}}}
		gs["db_blocks.#"] = metrics.Graph{Label: "Postgres Blocks per Database", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "blks_read", Label: "Blocks Read"}, {Name: "blks_hit", Label: "Blocks Hit"}}}
		gs["db_rows.#"] = metrics.Graph{Label: "Postgres Rows per Database", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "tup_returned", Label: "Returned Rows"}, {Name: "tup_fetched", Label: "Fetched Rows"},
			{Name: "tup_inserted", Label: "Inserted Rows"}, {Name: "tup_updated", Label: "Updated Rows"},
			{Name: "tup_deleted", Label: "Deleted Rows"}}}
		gs["db_size.#"] = metrics.Graph{Label: "Postgres Data Size per Database", Unit: metrics.Bytes, Metrics: []metrics.Metric{
			{Name: "size", Label: "Size"}}}
		gs["db_deadlocks.#"] = metrics.Graph{Label: "Postgres Dead Locks per Database", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "deadlocks", Label: "Deadlocks"}}}
		gs["db_tempfile.#"] = metrics.Graph{Label: "Postgres Temporary file per Database", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "temp_bytes", Label: "Temporary file size (byte)"}}}
	}
	return gs
}

// databaseQuery reads pg_stat_database with each database's size (for
// those the user may connect to, as the original sums them).
const databaseQuery = `SELECT s.datname, coalesce(d.datistemplate, false), s.numbackends,
 s.xact_commit, s.xact_rollback, s.blks_read, s.blks_hit,
 s.tup_returned, s.tup_fetched, s.tup_inserted, s.tup_updated, s.tup_deleted,
 s.deadlocks, s.temp_bytes, s.blk_read_time, s.blk_write_time,
 CASE WHEN d.oid IS NOT NULL AND has_database_privilege(d.oid, 'CONNECT') THEN pg_database_size(d.oid) END
FROM pg_stat_database s LEFT JOIN pg_database d ON d.oid = s.datid`

// activityQuery counts sessions by state (background processes have
// none) and reads the WAL position of a primary; its last column says
// whether the login sees other roles' sessions (pg_read_all_stats, part
// of pg_monitor): without it their state is NULL and they count nowhere. Only an active session
// can be waiting in the original's sense: an idle one always waits for
// its client (ClientRead), and is idle.
const activityQuery = `SELECT
 count(*) FILTER (WHERE state = 'active' AND wait_event IS NULL),
 count(*) FILTER (WHERE state = 'active' AND wait_event IS NOT NULL),
 count(*) FILTER (WHERE state = 'idle'),
 count(*) FILTER (WHERE state = 'idle in transaction'),
 count(*) FILTER (WHERE state = 'idle in transaction (aborted)'),
 count(*) FILTER (WHERE state = 'fastpath function call'),
 count(*) FILTER (WHERE state = 'disabled'),
 CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') END,
 pg_has_role('pg_read_all_stats', 'USAGE')
FROM pg_stat_activity`

var sessionStates = []string{"active", "active_waiting", "idle", "idle_in_transaction", "idle_in_transaction_aborted_", "fastpath_function_call", "disabled"}

// counters are the pg_stat_database columns (from the third on) that are
// counters, in databaseQuery's order, with their graph.
var counters = []struct{ graph, name string }{
	{"commits", "xact_commit"}, {"commits", "xact_rollback"}, {"blocks", "blks_read"}, {"blocks", "blks_hit"},
	{"rows", "tup_returned"}, {"rows", "tup_fetched"}, {"rows", "tup_inserted"}, {"rows", "tup_updated"}, {"rows", "tup_deleted"},
	{"deadlocks", "deadlocks"}, {"tempfile", "temp_bytes"},
}

func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	pw, err := secret.Resolve(o.Password, o.PasswordFile, inv.Getenv, "PGPASSWORD")
	if err != nil {
		return err
	}
	conn, err := pgclient.Connect(ctx, pgclient.Config{
		Host: o.Hostname, Port: o.Port, User: o.User, Password: pw, Database: o.Database,
		SSLMode: o.SSLMode, SSLRootCert: o.SSLRootCert, ConnectTimeout: time.Duration(o.ConnectTimeout) * time.Second,
		ApplicationName: inv.Name,
	})
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	act, err := conn.Query(ctx, activityQuery)
	if err != nil {
		return err
	}
	dbs, err := conn.Query(ctx, databaseQuery)
	if err != nil {
		return err
	}
	if err := o.record(act, dbs, b); err != nil {
		return err
	}
	if row := act.Rows[0]; len(row) > len(sessionStates)+1 && row[len(sessionStates)+1] != nil && *row[len(sessionStates)+1] == "f" {
		inv.Warnf("other roles' sessions are hidden from %s: they are not counted (GRANT pg_monitor TO %s)", o.User, o.User)
	}
	return nil
}

func (o *options) record(act, dbs *pgclient.Result, b *metrics.Batch) error {
	if len(act.Rows) != 1 || len(act.Rows[0]) < len(sessionStates)+1 {
		return fmt.Errorf("pg_stat_activity: unexpected answer")
	}
	row := act.Rows[0]
	for i, st := range sessionStates {
		n, err := number(row[i])
		if err != nil {
			return fmt.Errorf("pg_stat_activity: %w", err)
		}
		b.Gauge("connections."+st, n)
	}
	var all []string
	if wal := row[len(sessionStates)]; wal != nil { // a replica has none: nothing printed, never 0
		v, err := number(wal)
		if err != nil || v < 0 {
			return fmt.Errorf("WAL position: %q is not a position", *wal)
		}
		b.Counter("xlog_location.xlog_location_bytes", uint64(v))
	}

	totals := make([]uint64, len(counters))
	var readMS, writeMS float64
	var size float64
	for _, r := range dbs.Rows {
		if len(r) != 17 {
			return fmt.Errorf("pg_stat_database: %d columns, want 17", len(r))
		}
		vals := make([]uint64, len(counters))
		for i := range counters {
			v, err := number(r[3+i])
			if err != nil && r[3+i] != nil {
				return fmt.Errorf("pg_stat_database %s: %w", counters[i].name, err)
			}
			if v > 0 {
				vals[i] = uint64(v)
			}
			totals[i] += vals[i]
		}
		rt, _ := number(r[14])
		wt, _ := number(r[15])
		readMS += rt
		writeMS += wt
		dbSize, sizeErr := number(r[16])
		if sizeErr == nil {
			size += dbSize
		}
		if !o.PerDatabase || r[0] == nil || r[1] != nil && *r[1] == "t" {
			continue // the shared-objects row and templates have no graph of their own
		}
		db := metrics.Segment(*r[0])
		name := func(graph, metric string) string { return "db_" + graph + "." + db + "." + metric }
		backends, _ := number(r[2])
		b.Gauge(name("connections", "numbackends"), backends)
		for i, c := range counters {
			b.Counter(name(c.graph, c.name), vals[i])
			all = append(all, name(c.graph, c.name))
		}
		if sizeErr == nil {
			b.Gauge(name("size", "size"), dbSize)
		}
	}
	for i, c := range counters {
		name := c.graph + "." + c.name
		b.Counter(name, totals[i])
		all = append(all, name)
	}
	// Milliseconds with fractions: kept in microseconds, drawn as
	// milliseconds per minute; running totals (prometheus, json) in milliseconds.
	b.ConvertedCounter("iotime.blk_read_time", uint64(readMS*1000), 1e-3, 1e-3)
	b.ConvertedCounter("iotime.blk_write_time", uint64(writeMS*1000), 1e-3, 1e-3)
	all = append(all, "iotime.blk_read_time", "iotime.blk_write_time")
	b.Gauge("size.total_size", size)
	b.Together(all...) // a statistics reset (pg_stat_reset) zeroes them together
	return nil
}

func number(s *string) (float64, error) {
	if s == nil {
		return 0, fmt.Errorf("NULL")
	}
	v, err := strconv.ParseFloat(*s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", *s)
	}
	return v, nil
}
