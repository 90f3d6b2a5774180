// Package checkmysql is check-mysql: a drop-in for Mackerel's
// check-mysql, with the subcommands uptime, readonly, replication and
// connection. See README.md.
package checkmysql

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/mysqlclient"
	"github.com/teko-dev/teko/plugin/secret"
)

// Plugin is check-mysql.
var Plugin = &plugin.Plugin{
	Name:        "check-mysql",
	Title:       "MySQL",
	Description: "checks a MySQL or MariaDB server: uptime, read_only, replication, connections",
	New:         func() any { return &options{} },
}

type options struct {
	Uptime      uptimeCmd      `command:"uptime" description:"checks how long the server has been up"`
	Readonly    readonlyCmd    `command:"readonly" description:"checks that read_only is ON or OFF, as expected"`
	Replication replicationCmd `command:"replication" description:"checks that every replication channel runs and how far behind it is"`
	Connection  connectionCmd  `command:"connection" description:"checks the number of connected clients (Threads_connected)"`
}

func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	return plugin.CheckSubcommand(ctx, inv, &o.Uptime, &o.Readonly, &o.Replication, &o.Connection)
}

// Title is the original's: "MySQL" and the subcommand, capitalised
// ("MySQL Replication CRITICAL: …"), so that alerts and the filters
// people wrote on them read as before. A flag error keeps "MySQL".
func (o *options) Title() string {
	for _, s := range []struct {
		sub  plugin.ChosenChecker
		name string
	}{{&o.Uptime, "Uptime"}, {&o.Readonly, "Readonly"}, {&o.Replication, "Replication"}, {&o.Connection, "Connection"}} {
		if s.sub.Chosen() {
			return "MySQL " + s.name
		}
	}
	return ""
}

// server holds the connection flags every subcommand takes, spelled as
// the original spells them.
type server struct {
	Host          string       `short:"H" long:"host" default:"localhost" description:"host name or address of the server"`
	Port          int          `short:"p" long:"port" default:"3306" description:"TCP port of the server"`
	Socket        string       `short:"S" long:"socket" value-name:"PATH" description:"connect to this unix socket instead of host and port"`
	User          string       `short:"u" long:"user" default:"root" description:"user to log in as"`
	Password      secret.Value `short:"P" long:"password" statekey:"-" description:"password (default: $MYSQL_PASSWORD)"`
	PasswordFile  string       `long:"password-file" value-name:"FILE" statekey:"-" description:"read the password from this file's first line"`
	TLS           bool         `long:"tls" description:"connect with TLS"`
	TLSRootCert   string       `long:"tls-root-cert" value-name:"FILE" description:"PEM file of the CA certificates that verify the server (default: the system's)"`
	TLSSkipVerify bool         `long:"tls-skip-verify" description:"accept any server certificate"`
}

// connect opens the connection. A server that cannot be reached is
// CRITICAL (returned as a result); a refused login, a bad flag or any
// other failure is an error, which the runtime reports as UNKNOWN.
func (s *server) connect(ctx context.Context, inv *plugin.Invocation) (*mysqlclient.Conn, *checkers.Result, error) {
	if s.Port < 1 || s.Port > 65535 {
		return nil, nil, fmt.Errorf("--port %d: want 1 to 65535", s.Port)
	}
	pw, err := secret.Resolve(s.Password, s.PasswordFile, inv.Getenv, "MYSQL_PASSWORD")
	if err != nil {
		return nil, nil, err
	}
	conn, err := mysqlclient.Connect(ctx, mysqlclient.Config{
		Host: s.Host, Port: s.Port, Socket: s.Socket, User: s.User, Password: pw,
		TLS: s.TLS, TLSRootCert: s.TLSRootCert, TLSSkipVerify: s.TLSSkipVerify,
	})
	if mysqlclient.KindOf(err) == mysqlclient.Down {
		return nil, checkers.NewResult(checkers.Critical, "%s", err), nil
	}
	return conn, nil, err
}

// statusValue reads one integer of SHOW GLOBAL STATUS.
func statusValue(ctx context.Context, conn *mysqlclient.Conn, name string) (int64, error) {
	_, rows, err := conn.Rows(ctx, "SHOW GLOBAL STATUS LIKE '"+name+"'")
	if err != nil {
		return 0, queryFailure(err)
	}
	if len(rows) != 1 || len(rows[0]) < 2 || rows[0][1] == nil {
		return 0, fmt.Errorf("the server has no status variable %s", name)
	}
	n, err := strconv.ParseInt(*rows[0][1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("status variable %s: %q is not a number", name, *rows[0][1])
	}
	return n, nil
}

// queryFailure explains a refused statement.
func queryFailure(err error) error {
	if mysqlclient.KindOf(err) == mysqlclient.Denied {
		return fmt.Errorf("%v (grant the monitoring user the privileges in check-mysql's README)", err)
	}
	return err
}

// downResult makes a query that failed because the server went away
// mid-run: CRITICAL, as when it cannot be reached.
func downResult(err error) (*checkers.Result, error) {
	if mysqlclient.KindOf(err) == mysqlclient.Down {
		return checkers.NewResult(checkers.Critical, "%s", err), nil
	}
	return nil, err
}

type uptimeCmd struct {
	plugin.Subcommand
	server
	Critical int64 `short:"c" long:"critical" default:"0" statekey:"-" description:"CRITICAL when up for fewer seconds than this (0: never)"`
	Warning  int64 `short:"w" long:"warning" default:"0" statekey:"-" description:"WARNING when up for fewer seconds than this (0: never)"`
}

func (c *uptimeCmd) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	conn, res, err := c.connect(ctx, inv)
	if conn == nil {
		return res, err
	}
	defer conn.Close()
	up, err := statusValue(ctx, conn, "Uptime")
	if err != nil {
		return downResult(err)
	}
	st := checkers.OK
	switch {
	case c.Critical > 0 && up < c.Critical:
		st = checkers.Critical
	case c.Warning > 0 && up < c.Warning:
		st = checkers.Warning
	}
	r := checkers.NewResult(st, "up %s", uptimeString(up))
	r.AddPerfdata(checkers.Perfdata{Label: "uptime", Value: float64(up), UOM: "s"})
	return r, nil
}

// uptimeString is the original's "3 days, 04:05:06".
func uptimeString(s int64) string {
	return fmt.Sprintf("%d days, %02d:%02d:%02d", s/86400, s%86400/3600, s%3600/60, s%60)
}

type readonlyCmd struct {
	plugin.Subcommand
	server
	Args struct {
		Expected string `positional-arg-name:"ON|OFF" description:"the value read_only should have"`
	} `positional-args:"yes" required:"yes"`
}

func (c *readonlyCmd) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	want := strings.ToUpper(c.Args.Expected)
	if want != "ON" && want != "OFF" {
		return nil, fmt.Errorf("readonly %q: want ON or OFF", c.Args.Expected)
	}
	conn, res, err := c.connect(ctx, inv)
	if conn == nil {
		return res, err
	}
	defer conn.Close()
	vars, err := conn.KeyValues(ctx, "SHOW GLOBAL VARIABLES LIKE 'read_only'")
	if err != nil {
		return downResult(queryFailure(err))
	}
	got, ok := vars["read_only"]
	if !ok {
		return nil, errors.New("the server has no read_only variable")
	}
	if !strings.EqualFold(got, want) {
		return checkers.NewResult(checkers.Critical, "the expected value of read_only is different. readOnlyStatus:%s", got), nil
	}
	return checkers.NewResult(checkers.OK, "read_only is the expected value (%s)", want), nil
}

type connectionCmd struct {
	plugin.Subcommand
	server
	Critical int64 `short:"c" long:"critical" default:"250" statekey:"-" description:"CRITICAL above this many connections"`
	Warning  int64 `short:"w" long:"warning" default:"200" statekey:"-" description:"WARNING above this many connections"`
}

func (c *connectionCmd) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	conn, res, err := c.connect(ctx, inv)
	if conn == nil {
		return res, err
	}
	defer conn.Close()
	n, err := statusValue(ctx, conn, "Threads_connected")
	if err != nil {
		return downResult(err)
	}
	st := checkers.OK
	switch {
	case n > c.Critical:
		st = checkers.Critical
	case n > c.Warning:
		st = checkers.Warning
	}
	r := checkers.NewResult(st, "%d connections", n)
	r.AddPerfdata(checkers.Perfdata{Label: "connections", Value: float64(n), Min: checkers.Float(0)})
	return r, nil
}
