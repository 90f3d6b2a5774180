// Package checkpostgresql is check-postgresql: a drop-in for Mackerel's
// check-postgresql and its connection subcommand. See README.md.
package checkpostgresql

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/pgclient"
	"github.com/teko-dev/teko/plugin/secret"
)

// Plugin is check-postgresql.
var Plugin = &plugin.Plugin{
	Name:        "check-postgresql",
	Title:       "PostgreSQL",
	Description: "checks a PostgreSQL server: the number of client connections",
	New:         func() any { return &options{} },
}

type options struct {
	Connection connectionCmd `command:"connection" description:"checks the number of client connections"`
}

func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	return plugin.CheckSubcommand(ctx, inv, &o.Connection)
}

// Title is the original's: "PostgreSQL" and the subcommand, capitalised
// ("PostgreSQL Connection OK: …"). A flag error keeps "PostgreSQL".
func (o *options) Title() string {
	if o.Connection.Chosen() {
		return "PostgreSQL Connection"
	}
	return ""
}

// server holds the connection flags, spelled as the original spells
// them. The original's -t/--timeout (seconds to wait for the connection)
// is the runtime's -t, which bounds the whole run.
type server struct {
	Host         string       `short:"H" long:"host" default:"localhost" description:"host name or address, or the directory of the server's unix socket"`
	Port         int          `short:"p" long:"port" default:"5432" description:"TCP port of the server"`
	User         string       `short:"u" long:"user" default:"postgres" description:"user to log in as"`
	Password     secret.Value `short:"P" long:"password" statekey:"-" description:"password (default: $PGPASSWORD)"`
	PasswordFile string       `long:"password-file" value-name:"FILE" statekey:"-" description:"read the password from this file's first line"`
	Database     string       `short:"d" long:"database" description:"database to connect to (default: the user's name)"`
	SSLMode      string       `short:"s" long:"sslmode" default:"disable" description:"disable, allow, prefer, require, verify-ca or verify-full, as libpq's sslmode"`
	SSLRootCert  string       `long:"sslrootcert" value-name:"FILE" description:"PEM file of the CA certificates that verify the server (default: $PGSSLROOTCERT, else ~/.postgresql/root.crt)"`
}

func (s *server) connect(ctx context.Context, inv *plugin.Invocation) (*pgclient.Conn, *checkers.Result, error) {
	if s.Port < 1 || s.Port > 65535 {
		return nil, nil, fmt.Errorf("--port %d: want 1 to 65535", s.Port)
	}
	if !pgclient.ValidSSLMode(s.SSLMode) {
		return nil, nil, fmt.Errorf("--sslmode %q: want one of %s", s.SSLMode, strings.Join(pgclient.SSLModes, ", "))
	}
	pw, err := secret.Resolve(s.Password, s.PasswordFile, inv.Getenv, "PGPASSWORD")
	if err != nil {
		return nil, nil, err
	}
	conn, err := pgclient.Connect(ctx, pgclient.Config{
		Host: s.Host, Port: s.Port, User: s.User, Password: pw, Database: s.Database,
		SSLMode: s.SSLMode, SSLRootCert: s.SSLRootCert, ApplicationName: inv.Name,
	})
	if pgclient.KindOf(err) == pgclient.Down {
		return nil, checkers.NewResult(checkers.Critical, "%s", err), nil
	}
	return conn, nil, err
}

type connectionCmd struct {
	plugin.Subcommand
	server
	Warning  int64 `short:"w" long:"warning" default:"70" statekey:"-" description:"WARNING above this many client connections"`
	Critical int64 `short:"c" long:"critical" default:"90" statekey:"-" description:"CRITICAL above this many client connections"`
}

// connectionQuery counts client sessions: background processes
// (checkpointer, walwriter, autovacuum, …) take no connection slot. A
// role without pg_monitor (pg_read_all_stats) sees other roles' sessions
// with backend_type NULL: a session in a database (datid) of a user
// (usesysid) is a client's too.
const connectionQuery = `SELECT count(*) FILTER (WHERE backend_type = 'client backend' OR backend_type IS NULL AND datid IS NOT NULL AND usesysid IS NOT NULL),
 current_setting('max_connections') FROM pg_stat_activity`

func (c *connectionCmd) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	conn, res, err := c.connect(ctx, inv)
	if conn == nil {
		return res, err
	}
	defer conn.Close(ctx)
	q, err := conn.Query(ctx, connectionQuery)
	if err != nil {
		if pgclient.KindOf(err) == pgclient.Down {
			return checkers.NewResult(checkers.Critical, "%s", err), nil
		}
		return nil, err
	}
	if len(q.Rows) != 1 || len(q.Rows[0]) != 2 || q.Rows[0][0] == nil || q.Rows[0][1] == nil {
		return nil, fmt.Errorf("pg_stat_activity: unexpected answer")
	}
	n, err1 := strconv.ParseInt(*q.Rows[0][0], 10, 64)
	limit, err2 := strconv.ParseFloat(*q.Rows[0][1], 64)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("pg_stat_activity: %q and %q are not numbers", *q.Rows[0][0], *q.Rows[0][1])
	}
	st := checkers.OK
	switch {
	case n > c.Critical:
		st = checkers.Critical
	case n > c.Warning:
		st = checkers.Warning
	}
	r := checkers.NewResult(st, "%d connections", n)
	r.AddPerfdata(checkers.Perfdata{Label: "connections", Value: float64(n),
		Warn: &checkers.Range{End: float64(c.Warning)}, Crit: &checkers.Range{End: float64(c.Critical)},
		Min: checkers.Float(0), Max: checkers.Float(limit)})
	return r, nil
}
