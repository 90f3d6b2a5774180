// Package mysqlclient is the MySQL and MariaDB client the teko plugins
// share: one connection per run, opened from a configuration struct
// (never a DSN string built by hand), every round trip bounded by the
// run's context, and errors sorted into the kinds a check reports
// differently.
//
//	conn, err := mysqlclient.Connect(ctx, mysqlclient.Config{Host: "db1", Port: 3306, User: "mackerel", Password: pw})
//	if err != nil {
//		// mysqlclient.KindOf(err): Down (CRITICAL for a check), Auth or Other (UNKNOWN)
//	}
//	defer conn.Close()
//	status, err := conn.KeyValues(ctx, "SHOW GLOBAL STATUS")
//
// # Flavours
//
// MySQL and MariaDB differ in how they name replication (SHOW REPLICA
// STATUS and Replica_IO_Running on MySQL 8.0.22 and later; SHOW ALL
// SLAVES STATUS and Slave_IO_Running on MariaDB, whose 10.x and 11.x
// versions are not MySQL 8 whatever their numbers say). Replicas asks
// the statements in turn and keeps the first the server accepts, and
// reads whichever column names the answer has: the flavour is told by
// what the server answers, never by its version number.
package mysqlclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/teko-dev/teko/plugin/secret"
)

// Config says where and as whom to connect.
type Config struct {
	Host     string // host name or address; "" means localhost
	Port     int    // TCP port; 0 means 3306
	Socket   string // a unix socket; when set, Host and Port are not used
	User     string
	Password string

	TLS           bool   // connect with TLS
	TLSRootCert   string // PEM file of the CAs to verify the server with (default: the system's)
	TLSSkipVerify bool   // accept any server certificate
}

// Target is where c connects: "host:port" or the socket's path.
func (c Config) Target() string {
	if c.Socket != "" {
		return c.Socket
	}
	host, port := c.Host, c.Port
	if host == "" {
		host = "localhost"
	}
	if port == 0 {
		port = 3306
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// Login is the account and target for messages, "user@host:port".
func (c Config) Login() string { return c.User + "@" + c.Target() }

// Kind sorts errors by what a check should make of them.
type Kind int

const (
	// Other is any other failure: a query the server refused, an answer
	// that makes no sense.
	Other Kind = iota
	// Down means the server could not be reached or did not answer:
	// refused, unreachable, no answer in time, too many connections.
	Down
	// Auth means the server answered and refused the login: the
	// monitoring's configuration is wrong, not the server.
	Auth
	// Denied means the login lacks a privilege a statement needs.
	Denied
)

// Error is an error of a Kind. Its text never holds the password.
type Error struct {
	Kind Kind
	msg  string
	err  error
}

func (e *Error) Error() string { return e.msg }
func (e *Error) Unwrap() error { return e.err }

// KindOf returns the Kind of err (Other when it is not an *Error).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// Conn is one connection to the server.
type Conn struct {
	db      *sql.DB
	conn    *sql.Conn
	cfg     Config
	queries int
}

// share is the part of the time left before ctx's deadline that the
// connection may use, so that a server that does not answer is reported
// as such before the run's own deadline ends everything.
const share = 0.75

// Connect opens one connection, within ctx and at most 3/4 of the time
// left before its deadline.
func Connect(ctx context.Context, c Config) (*Conn, error) {
	mc := mysql.NewConfig()
	mc.User = c.User
	mc.Passwd = c.Password
	mc.Net, mc.Addr = "tcp", c.Target()
	if c.Socket != "" {
		mc.Net = "unix"
	}
	mc.Logger = &mysql.NopLogger{}
	if c.TLS {
		tc := &tls.Config{InsecureSkipVerify: c.TLSSkipVerify} //nolint:gosec // the operator asked for it
		if !c.TLSSkipVerify {
			tc.ServerName = c.Host
			if tc.ServerName == "" {
				tc.ServerName = "localhost"
			}
		}
		if c.TLSRootCert != "" {
			pem, err := os.ReadFile(c.TLSRootCert)
			if err != nil {
				return nil, &Error{Kind: Other, msg: fmt.Sprintf("--tls-root-cert: %v", err), err: err}
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, &Error{Kind: Other, msg: fmt.Sprintf("--tls-root-cert %s: no PEM certificate in it", c.TLSRootCert)}
			}
			tc.RootCAs = pool
		}
		mc.TLS = tc
	}
	budget := time.Duration(0)
	if dl, ok := ctx.Deadline(); ok {
		budget = time.Duration(float64(time.Until(dl)) * share)
		if budget <= 0 {
			budget = time.Millisecond
		}
		mc.Timeout, mc.ReadTimeout, mc.WriteTimeout = budget, budget, budget
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, budget)
		defer cancel()
	}
	connector, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, &Error{Kind: Other, msg: secret.Redact(err.Error(), c.Password), err: err}
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	start := time.Now()
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		if ctx.Err() != nil || budget > 0 && time.Since(start) >= budget-budget/20 {
			// The driver reports a read that timed out as "invalid
			// connection"; say what happened.
			return nil, &Error{Kind: Down, msg: fmt.Sprintf("no answer from %s within %s", c.Target(), budget.Round(100*time.Millisecond)), err: err}
		}
		return nil, connectError(c, budget, err)
	}
	return &Conn{db: db, conn: conn, cfg: c}, nil
}

func connectError(c Config, budget time.Duration, err error) error {
	msg := secret.Redact(err.Error(), c.Password)
	var me *mysql.MySQLError
	switch {
	case errors.As(err, &me) && (me.Number == 1045 || me.Number == 1044 || me.Number == 1130 || me.Number == 1698):
		return &Error{Kind: Auth, msg: fmt.Sprintf("login %s refused: %s", c.Login(), secret.Redact(me.Message, c.Password)), err: err}
	case errors.As(err, &me) && (me.Number == 1040 || me.Number == 1203):
		return &Error{Kind: Down, msg: fmt.Sprintf("%s refuses connections: %s", c.Target(), me.Message), err: err}
	case errors.As(err, &me):
		return &Error{Kind: Other, msg: fmt.Sprintf("connecting to %s: %s", c.Target(), msg), err: err}
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return &Error{Kind: Down, msg: fmt.Sprintf("no answer from %s within %s", c.Target(), budget.Round(100*time.Millisecond)), err: err}
	case errors.Is(err, context.Canceled):
		return &Error{Kind: Other, msg: "cancelled", err: err}
	default:
		return &Error{Kind: Down, msg: fmt.Sprintf("cannot connect to %s: %s", c.Target(), msg), err: err}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Close closes the connection.
func (c *Conn) Close() error {
	if c == nil {
		return nil
	}
	c.conn.Close()
	return c.db.Close()
}

// Queries is how many statements the connection has run.
func (c *Conn) Queries() int { return c.queries }

// Rows runs query and returns its column names and every row, NULL as
// a nil pointer.
func (c *Conn) Rows(ctx context.Context, query string) ([]string, [][]*string, error) {
	c.queries++
	ctx, wait, cancel := answerBudget(ctx)
	defer cancel()
	start := time.Now()
	cols, out, err := c.rows(ctx, query)
	if err != nil && wait > 0 && (ctx.Err() != nil || time.Since(start) >= wait-wait/20) {
		return nil, nil, &Error{Kind: Down, msg: fmt.Sprintf("%s: no answer from %s within %s", query, c.cfg.Target(), wait.Round(100*time.Millisecond)), err: err}
	}
	return cols, out, err
}

// answerBudget bounds ctx to 3/4 of the time it has left, so that a
// server that stops answering is reported as such before the run's own
// deadline ends everything.
func answerBudget(ctx context.Context) (context.Context, time.Duration, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return ctx, 0, func() {}
	}
	wait := max(time.Duration(float64(time.Until(dl))*share), time.Millisecond)
	ctx, cancel := context.WithTimeout(ctx, wait)
	return ctx, wait, cancel
}

func (c *Conn) rows(ctx context.Context, query string) ([]string, [][]*string, error) {
	rows, err := c.conn.QueryContext(ctx, query)
	if err != nil {
		return nil, nil, c.queryError(query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, c.queryError(query, err)
	}
	var out [][]*string
	for rows.Next() {
		raw := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, c.queryError(query, err)
		}
		row := make([]*string, len(cols))
		for i, b := range raw {
			if b != nil {
				s := string(b)
				row[i] = &s
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, c.queryError(query, err)
	}
	return cols, out, nil
}

// KeyValues runs a statement that answers name/value rows (SHOW GLOBAL
// STATUS, SHOW GLOBAL VARIABLES) and returns them as a map.
func (c *Conn) KeyValues(ctx context.Context, query string) (map[string]string, error) {
	cols, rows, err := c.Rows(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(cols) < 2 {
		return nil, &Error{Kind: Other, msg: fmt.Sprintf("%s: %d columns, want name and value", query, len(cols))}
	}
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		if r[0] != nil && r[1] != nil {
			m[*r[0]] = *r[1]
		}
	}
	return m, nil
}

// ErrorNumber returns the server's error number in err, 0 if none.
func ErrorNumber(err error) int {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return int(me.Number)
	}
	return 0
}

func (c *Conn) queryError(query string, err error) error {
	msg := secret.Redact(err.Error(), c.cfg.Password)
	var me *mysql.MySQLError
	switch {
	case errors.As(err, &me) && (me.Number == 1227 || me.Number == 1142 || me.Number == 1044):
		return &Error{Kind: Denied, msg: fmt.Sprintf("%s: %s", query, me.Message), err: err}
	case errors.As(err, &me):
		return &Error{Kind: Other, msg: fmt.Sprintf("%s: %s", query, msg), err: err}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || isTimeout(err):
		return &Error{Kind: Down, msg: fmt.Sprintf("%s: no answer from %s in time", query, c.cfg.Target()), err: err}
	default:
		return &Error{Kind: Down, msg: fmt.Sprintf("%s: %s", query, msg), err: err}
	}
}

// Replica is one replication channel of a replica (one row of its
// replica status).
type Replica struct {
	// Channel is the connection (MariaDB) or channel (MySQL) name; ""
	// for the default one.
	Channel string
	// IORunning and SQLRunning are the threads' states: "Yes", "No",
	// "Connecting", "Preparing" (MariaDB).
	IORunning, SQLRunning string
	// SecondsBehind is the lag; nil when the server reports NULL (a
	// stopped thread, or the lag is unknown).
	SecondsBehind *int64
	// LastIOError and LastSQLError are the threads' last errors.
	LastIOError, LastSQLError string
	// Fields is the whole row, by column name.
	Fields map[string]string
}

// Name is Channel, or "default" when it is empty.
func (r Replica) Name() string {
	if r.Channel == "" {
		return "default"
	}
	return r.Channel
}

// replicaStatements are tried in turn; a syntax error (1064) moves on to
// the next. MariaDB (10.0+) answers the first with every connection;
// MySQL 8.0.22+ the second, with every channel; older MySQL the third.
var replicaStatements = []string{"SHOW ALL SLAVES STATUS", "SHOW REPLICA STATUS", "SHOW SLAVE STATUS"}

// Replicas returns every replication channel of the server; none when it
// is not a replica. Flavour is "MariaDB" or "MySQL", from which statement
// the server accepted.
func (c *Conn) Replicas(ctx context.Context) (channels []Replica, flavour string, err error) {
	for i, q := range replicaStatements {
		cols, rows, err := c.Rows(ctx, q)
		if ErrorNumber(err) == 1064 && i < len(replicaStatements)-1 {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		flavour = "MySQL"
		if i == 0 {
			flavour = "MariaDB"
		}
		return ParseReplicas(cols, rows), flavour, nil
	}
	panic("unreachable")
}

// ParseReplicas reads replica status rows, whichever names its columns
// have (Replica_/Slave_, _Source/_Master, Channel_Name/Connection_name).
func ParseReplicas(cols []string, rows [][]*string) []Replica {
	var out []Replica
	for _, row := range rows {
		f := make(map[string]string, len(cols))
		null := map[string]bool{}
		for i, col := range cols {
			if i >= len(row) {
				break
			}
			if row[i] == nil {
				null[col] = true
				continue
			}
			f[col] = *row[i]
		}
		get := func(names ...string) (string, bool) {
			for _, n := range names {
				if v, ok := f[n]; ok {
					return v, true
				}
				if null[n] {
					return "", false
				}
			}
			return "", false
		}
		r := Replica{Fields: f}
		r.Channel, _ = get("Channel_Name", "Channel_name", "Connection_name")
		r.IORunning, _ = get("Replica_IO_Running", "Slave_IO_Running")
		r.SQLRunning, _ = get("Replica_SQL_Running", "Slave_SQL_Running")
		r.LastIOError, _ = get("Last_IO_Error")
		r.LastSQLError, _ = get("Last_SQL_Error")
		if s, ok := get("Seconds_Behind_Source", "Seconds_Behind_Master"); ok {
			if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
				r.SecondsBehind = &n
			}
		}
		out = append(out, r)
	}
	return out
}
