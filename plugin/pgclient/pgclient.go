// Package pgclient is the PostgreSQL client the teko plugins share: one
// connection per run, configured field by field (never a connection
// string built by hand, so a password with spaces or quotes is just a
// password), every round trip bounded by the run's context, and errors
// sorted into the kinds a check reports differently.
//
//	conn, err := pgclient.Connect(ctx, pgclient.Config{Host: "db1", Port: 5432, User: "mackerel", Password: pw, SSLMode: "require"})
//	if err != nil {
//		// pgclient.KindOf(err): Down (CRITICAL for a check), Auth or Other (UNKNOWN)
//	}
//	defer conn.Close(ctx)
//	res, err := conn.Query(ctx, "SELECT count(*) FROM pg_stat_activity")
//
// Statements run over the simple query protocol: one round trip each,
// results as text.
package pgclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgpassfile"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/teko-dev/teko/plugin/secret"
)

// Config says where and as whom to connect.
type Config struct {
	Host     string // host name, address, or the directory of a unix socket ("/run/postgresql"); "" means localhost
	Port     int    // 0 means 5432
	User     string
	Password string // "" means the one the password file ($PGPASSFILE, ~/.pgpass) holds for the login, if any
	Database string // "" means the server's default: the user's name
	// SSLMode is libpq's sslmode: disable, allow, prefer, require,
	// verify-ca or verify-full; "" means disable, as Mackerel's plugins
	// default to. As in libpq, it does not apply to a unix socket (a
	// Host that is a directory), where there is no TLS.
	SSLMode string
	// SSLRootCert is a PEM file of the CAs for verify-ca and verify-full
	// (and require, as libpq does). "" means what libpq and lib/pq (the
	// Mackerel plugins' driver) take: $PGSSLROOTCERT, else
	// ~/.postgresql/root.crt when it exists, else the system's CAs.
	SSLRootCert string
	// ConnectTimeout bounds the connection; 0 means none but the
	// context's.
	ConnectTimeout time.Duration
	// ApplicationName is shown in pg_stat_activity.
	ApplicationName string
}

// SSLModes are the values Config.SSLMode accepts.
var SSLModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// ValidSSLMode reports whether mode is one of SSLModes.
func ValidSSLMode(mode string) bool {
	for _, m := range SSLModes {
		if m == mode {
			return true
		}
	}
	return false
}

func (c Config) host() string {
	if c.Host == "" {
		return "localhost"
	}
	return c.Host
}

func (c Config) port() int {
	if c.Port == 0 {
		return 5432
	}
	return c.Port
}

// Target is where c connects, "host:port" or the socket directory and
// port.
func (c Config) Target() string {
	if strings.HasPrefix(c.host(), "/") {
		return c.host() + "/.s.PGSQL." + strconv.Itoa(c.port())
	}
	return net.JoinHostPort(c.host(), strconv.Itoa(c.port()))
}

// Login is the account and target for messages, "user@host:port".
func (c Config) Login() string { return c.User + "@" + c.Target() }

// Kind sorts errors by what a check should make of them.
type Kind int

const (
	// Other is any other failure.
	Other Kind = iota
	// Down means the server could not be reached, did not answer in
	// time, or is not accepting connections (starting, shutting down,
	// full).
	Down
	// Auth means the server answered and refused the login.
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

// Conn is one connection.
type Conn struct {
	pg      *pgconn.PgConn
	cfg     Config
	queries int
}

const share = 0.75

// Connect opens one connection, within ctx, the ConnectTimeout and at
// most 3/4 of the time left before ctx's deadline.
func Connect(ctx context.Context, c Config) (*Conn, error) {
	if c.SSLMode == "" {
		c.SSLMode = "disable"
	}
	if !ValidSSLMode(c.SSLMode) {
		return nil, &Error{Kind: Other, msg: fmt.Sprintf("sslmode %q: want one of %s", c.SSLMode, strings.Join(SSLModes, ", "))}
	}
	if c.port() < 1 || c.port() > 65535 {
		return nil, &Error{Kind: Other, msg: fmt.Sprintf("port %d: want 1 to 65535", c.port())}
	}
	pc, err := pgconn.ParseConfig("") // the only way to a valid Config; every field that matters is set below
	if err != nil {
		return nil, &Error{Kind: Other, msg: fmt.Sprintf("PostgreSQL settings from the environment (PG*): %v", err), err: err}
	}
	pc.Host = c.host()
	pc.Port = uint16(c.port())
	pc.User = c.User
	pc.Password = c.Password
	if c.Password == "" {
		pc.Password = passfilePassword(c)
	}
	pc.Database = c.Database
	pc.Fallbacks = nil
	if pc.RuntimeParams == nil {
		pc.RuntimeParams = map[string]string{}
	}
	if c.ApplicationName != "" {
		pc.RuntimeParams["application_name"] = c.ApplicationName
	}
	var tlsCfg *tls.Config
	fallback := false
	if !strings.HasPrefix(pc.Host, "/") { // no TLS over a unix socket: libpq and lib/pq ignore sslmode there
		if c.SSLRootCert == "" {
			c.SSLRootCert = defaultRootCert()
		}
		tlsCfg, fallback, err = tlsFor(c)
		if err != nil {
			return nil, err
		}
	}
	pc.TLSConfig = tlsCfg
	if fallback {
		// allow: plain first, then TLS; prefer: TLS first, then plain.
		alt := &pgconn.FallbackConfig{Host: pc.Host, Port: pc.Port}
		if c.SSLMode == "allow" {
			alt.TLSConfig, pc.TLSConfig = tlsCfg, nil
		}
		pc.Fallbacks = []*pgconn.FallbackConfig{alt}
	}
	budget := c.ConnectTimeout
	if dl, ok := ctx.Deadline(); ok {
		left := time.Duration(float64(time.Until(dl)) * share)
		if left <= 0 {
			left = time.Millisecond
		}
		if budget <= 0 || left < budget {
			budget = left
		}
	}
	pc.ConnectTimeout = budget
	if budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, budget)
		defer cancel()
	}
	start := time.Now()
	pg, err := pgconn.ConnectConfig(ctx, pc)
	if err != nil {
		if ctx.Err() != nil || budget > 0 && time.Since(start) >= budget-budget/20 {
			return nil, &Error{Kind: Down, msg: fmt.Sprintf("no answer from %s within %s", c.Target(), budget.Round(100*time.Millisecond)), err: err}
		}
		return nil, connectError(c, err)
	}
	return &Conn{pg: pg, cfg: c}, nil
}

// passfilePassword looks c's login up in the password file libpq reads
// ($PGPASSFILE, else ~/.pgpass), as the Mackerel plugins' driver does
// when no password is given. Any problem with the file means no
// password.
func passfilePassword(c Config) string {
	path := os.Getenv("PGPASSFILE")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		path = filepath.Join(home, ".pgpass")
	}
	pf, err := pgpassfile.ReadPassfile(path)
	if err != nil {
		return ""
	}
	host := c.host()
	if strings.HasPrefix(host, "/") {
		host = "localhost" // libpq matches a socket directory as localhost
	}
	db := c.Database
	if db == "" {
		db = c.User
	}
	return pf.FindPassword(host, strconv.Itoa(c.port()), db, c.User)
}

// defaultRootCert is the CA file libpq uses when none is given:
// $PGSSLROOTCERT, else ~/.postgresql/root.crt if there is one; "" for
// the system's CAs.
func defaultRootCert() string {
	if f := os.Getenv("PGSSLROOTCERT"); f != "" {
		return f
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	f := filepath.Join(home, ".postgresql", "root.crt")
	if _, err := os.Stat(f); err != nil {
		return ""
	}
	return f
}

// tlsFor returns the TLS configuration of c's sslmode, and whether the
// mode falls back (allow, prefer).
func tlsFor(c Config) (*tls.Config, bool, error) {
	if c.SSLMode == "disable" {
		return nil, false, nil
	}
	var pool *x509.CertPool
	if c.SSLRootCert != "" {
		pem, err := os.ReadFile(c.SSLRootCert)
		if err != nil {
			return nil, false, &Error{Kind: Other, msg: fmt.Sprintf("sslrootcert: %v", err), err: err}
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, false, &Error{Kind: Other, msg: fmt.Sprintf("sslrootcert %s: no PEM certificate in it", c.SSLRootCert)}
		}
	}
	mode := c.SSLMode
	if mode == "require" && pool != nil {
		mode = "verify-ca" // as libpq does when a root certificate is given
	}
	switch mode {
	case "allow", "prefer", "require":
		return &tls.Config{InsecureSkipVerify: true}, mode != "require", nil //nolint:gosec // libpq's meaning of these modes
	case "verify-ca":
		// Verify the chain, not the name.
		return &tls.Config{
			InsecureSkipVerify: true, //nolint:gosec // the chain is verified below
			VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
				certs := make([]*x509.Certificate, len(raw))
				for i, r := range raw {
					cert, err := x509.ParseCertificate(r)
					if err != nil {
						return err
					}
					certs[i] = cert
				}
				if len(certs) == 0 {
					return errors.New("the server sent no certificate")
				}
				inter := x509.NewCertPool()
				for _, cert := range certs[1:] {
					inter.AddCert(cert)
				}
				_, err := certs[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter})
				return err
			},
		}, false, nil
	default: // verify-full
		return &tls.Config{ServerName: c.host(), RootCAs: pool}, false, nil
	}
}

func connectError(c Config, err error) error {
	msg := secret.Redact(err.Error(), c.Password)
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "28P01" || pe.Code == "28000":
			return &Error{Kind: Auth, msg: fmt.Sprintf("login %s refused: %s", c.Login(), secret.Redact(pe.Message, c.Password)), err: err}
		case pe.Code == "53300" || pe.Code == "57P03" || strings.HasPrefix(pe.Code, "08"):
			return &Error{Kind: Down, msg: fmt.Sprintf("%s refuses connections: %s", c.Target(), pe.Message), err: err}
		default:
			return &Error{Kind: Other, msg: fmt.Sprintf("connecting to %s as %s: %s (SQLSTATE %s)", c.Target(), c.User, secret.Redact(pe.Message, c.Password), pe.Code), err: err}
		}
	}
	if strings.Contains(msg, "server refused TLS connection") {
		return &Error{Kind: Other, msg: fmt.Sprintf("%s does not offer TLS, and sslmode %s requires it", c.Target(), c.SSLMode), err: err}
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Kind: Other, msg: "cancelled", err: err}
	}
	// A network failure: pgx's text names the target and the cause.
	if _, after, ok := strings.Cut(msg, "): "); ok {
		msg = after
	}
	return &Error{Kind: Down, msg: fmt.Sprintf("cannot connect to %s: %s", c.Target(), msg), err: err}
}

// Close ends the connection politely.
func (c *Conn) Close(ctx context.Context) error {
	if c == nil {
		return nil
	}
	return c.pg.Close(ctx)
}

// Queries is how many statements the connection has run.
func (c *Conn) Queries() int { return c.queries }

// Result is what one statement returned: column names and rows of text
// values, NULL as nil.
type Result struct {
	Columns []string
	Rows    [][]*string
}

// Col returns the index of the column named name, or -1.
func (r *Result) Col(name string) int {
	for i, c := range r.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

// Query runs one statement.
func (c *Conn) Query(ctx context.Context, sql string) (*Result, error) {
	c.queries++
	ctx, wait, cancel := answerBudget(ctx)
	defer cancel()
	start := time.Now()
	res, err := c.query(ctx, sql)
	if err != nil && wait > 0 && (ctx.Err() != nil || time.Since(start) >= wait-wait/20) {
		return nil, &Error{Kind: Down, msg: fmt.Sprintf("%s: no answer from %s within %s", firstLine(sql), c.cfg.Target(), wait.Round(100*time.Millisecond)), err: err}
	}
	return res, err
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

func (c *Conn) query(ctx context.Context, sql string) (*Result, error) {
	results, err := c.pg.Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, c.queryError(sql, err)
	}
	if len(results) != 1 {
		return nil, &Error{Kind: Other, msg: fmt.Sprintf("%s: %d results, want 1", firstLine(sql), len(results))}
	}
	res := results[0]
	if res.Err != nil {
		return nil, c.queryError(sql, res.Err)
	}
	out := &Result{}
	for _, f := range res.FieldDescriptions {
		out.Columns = append(out.Columns, f.Name)
	}
	for _, row := range res.Rows {
		r := make([]*string, len(row))
		for i, v := range row {
			if v != nil {
				s := string(v)
				r[i] = &s
			}
		}
		out.Rows = append(out.Rows, r)
	}
	return out, nil
}

func (c *Conn) queryError(sql string, err error) error {
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == "42501":
		return &Error{Kind: Denied, msg: fmt.Sprintf("%s: %s", firstLine(sql), pe.Message), err: err}
	case errors.As(err, &pe):
		return &Error{Kind: Other, msg: fmt.Sprintf("%s: %s (SQLSTATE %s)", firstLine(sql), pe.Message, pe.Code), err: err}
	case pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded):
		return &Error{Kind: Down, msg: fmt.Sprintf("%s: no answer from %s in time", firstLine(sql), c.cfg.Target()), err: err}
	default:
		return &Error{Kind: Down, msg: fmt.Sprintf("%s: %s", firstLine(sql), secret.Redact(err.Error(), c.cfg.Password)), err: err}
	}
}

func firstLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return s
}
