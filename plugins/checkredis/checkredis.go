// Package checkredis is the check-redis plugin, a drop-in replacement for
// Mackerel's check-redis: the subcommands reachable, replication and the
// deprecated slave, the same flags and REDIS_PASSWORD, plus TLS and a
// deadline on every read (the original waits forever for a server that
// accepted the connection and stopped answering).
//
// The subcommand is the first word that is not a flag, as in the
// original ("check-redis replication --skip-master -p 6380"); the
// dispatch lives here because the SDK has no subcommand helper yet.
package checkredis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/netclient"
	"github.com/teko-dev/teko/plugin/redisproto"
	"github.com/teko-dev/teko/plugin/secret"
)

// Plugin is check-redis.
var Plugin = &plugin.Plugin{
	Name:        "check-redis",
	Title:       "Redis",
	Description: "checks that Redis answers (reachable) or that a replica's link to its primary is up (replication)",
	New:         func() any { return &options{} },
}

// subcommands are the words the first argument may be.
var subcommands = []string{"reachable", "replication", "slave"}

type options struct {
	Host         string       `short:"H" long:"host" value-name:"HOST" default:"localhost" description:"host name or IP address of the server"`
	Socket       string       `short:"s" long:"socket" value-name:"PATH" description:"connect to this unix socket instead of --host and --port"`
	Port         int          `short:"p" long:"port" value-name:"PORT" default:"6379" description:"TCP port of the server"`
	Username     string       `short:"U" long:"username" value-name:"USER" description:"ACL user to authenticate as (Redis 6 and later); empty: the default user"`
	Password     secret.Value `short:"P" long:"password" value-name:"PASSWORD" description:"password (default: $REDIS_PASSWORD)"`
	PasswordFile string       `long:"password-file" value-name:"FILE" description:"read the password from this file's first line"`
	TLS          bool         `long:"tls" description:"connect with TLS"`
	netclient.TLSOptions

	tlsConfig  *tls.Config // from TLSOptions, built by Validate
	SkipMaster bool        `long:"skip-master" description:"replication: a server whose role is not slave (a primary) is OK"`

	Args struct {
		Subcommand string `positional-arg-name:"reachable|replication|slave" description:"what to check"`
	} `positional-args:"yes" required:"yes"`
}

// Validate rejects an unknown subcommand and impossible values before
// anything is sent, as flag errors (UNKNOWN, exit 3).
func (o *options) Validate() error {
	switch o.Args.Subcommand {
	case "reachable", "replication", "slave":
	default:
		return fmt.Errorf("unknown subcommand %q: want one of %s", o.Args.Subcommand, strings.Join(subcommands, ", "))
	}
	if o.SkipMaster && o.Args.Subcommand != "replication" {
		return fmt.Errorf("--skip-master applies to the replication subcommand only")
	}
	if o.Socket == "" && (o.Port < 1 || o.Port > 65535) {
		return fmt.Errorf("--port %d: want 1 to 65535", o.Port)
	}
	if o.Socket == "" && strings.TrimSpace(o.Host) == "" {
		return errors.New("--host is empty")
	}
	cfg, err := o.TLSOptions.Config()
	switch {
	case err != nil:
		return err
	case cfg != nil && !o.TLS:
		return errors.New("--tls-skip-verify, --ca-file, --cert-file and --key-file need --tls")
	case o.TLS && cfg == nil:
		cfg = &tls.Config{}
	}
	o.tlsConfig = cfg
	return nil
}

func (o *options) address() string {
	if o.Socket != "" {
		return o.Socket
	}
	return net.JoinHostPort(strings.Trim(o.Host, "[]"), strconv.Itoa(o.Port))
}

// Check connects, runs INFO and judges it as the subcommand says.
func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	password, err := secret.Resolve(o.Password, o.PasswordFile, inv.Getenv, "REDIS_PASSWORD")
	if err != nil {
		return nil, err
	}
	ropts := redisproto.Options{Network: "tcp", Address: o.address(), Username: o.Username, Password: password}
	if o.Socket != "" {
		ropts.Network = "unix"
	}
	ropts.TLS = o.tlsConfig
	// Give up on the server with a quarter of the run's time to spare,
	// so that the message says what it did not answer, rather than the
	// runtime's bare "timed out".
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Now().Add(time.Until(deadline)*3/4))
		defer cancel()
	}
	// The original's statuses: an unreachable server is CRITICAL for
	// reachable, UNKNOWN for replication and slave (the link's state is
	// not known).
	down := checkers.Critical
	if o.Args.Subcommand != "reachable" {
		down = checkers.Unknown
	}
	conn, err := redisproto.Dial(ctx, ropts)
	if err != nil {
		return o.failure(down, "couldn't connect", err, password), nil
	}
	defer conn.Close()
	info, err := conn.Info(ctx)
	if err != nil {
		return o.failure(down, "couldn't execute INFO", err, password), nil
	}
	switch o.Args.Subcommand {
	case "reachable":
		v, ok := info.Get("redis_version")
		if !ok {
			return checkers.NewResult(checkers.Unknown, "couldn't get redis_version from INFO"), nil
		}
		return checkers.NewResult(checkers.OK, "version: %s", v), nil
	case "replication":
		role, ok := info.Get("role")
		if !ok {
			return checkers.NewResult(checkers.Unknown, "couldn't get role from INFO"), nil
		}
		if role != "slave" && o.SkipMaster {
			return checkers.NewResult(checkers.OK, "role is not slave"), nil
		}
		return linkStatus(info, role), nil
	default: // slave, deprecated
		role, _ := info.Get("role")
		return linkStatus(info, role), nil
	}
}

// linkStatus judges master_link_status, which only a replica reports.
func linkStatus(info *redisproto.Info, role string) *checkers.Result {
	status, ok := info.Get("master_link_status")
	if !ok {
		if role != "" && role != "slave" {
			return checkers.NewResult(checkers.Unknown, "couldn't get master_link_status: role is %s, not slave (use replication --skip-master to make that OK)", role)
		}
		return checkers.NewResult(checkers.Unknown, "couldn't get master_link_status")
	}
	msg := "master_link_status: " + status
	switch status {
	case "up":
		return checkers.NewResult(checkers.OK, "%s", msg)
	case "down":
		res := checkers.NewResult(checkers.Critical, "%s", msg)
		switch s, _ := info.Get("master_link_down_since_seconds"); {
		case s == "-1":
			res.AddDetail("the link has not been up since the replica started")
		case s != "":
			res.AddDetail("down for %s seconds", s)
		}
		return res
	}
	return checkers.NewResult(checkers.Unknown, "%s", msg)
}

// failure words a connection or INFO error. A server that wants a
// password, or refused the one given, says "authentication" and is
// UNKNOWN: it answered, the monitoring's configuration is wrong.
func (o *options) failure(down checkers.Status, doing string, err error, password string) *checkers.Result {
	msg := secret.Redact(err.Error(), password)
	if redisproto.IsAuthError(err) {
		who := "the default user"
		if o.Username != "" {
			who = "user " + strconv.Quote(o.Username)
		}
		if password == "" {
			return checkers.NewResult(checkers.Unknown, "%s: authentication required (%s): give --password, --password-file or REDIS_PASSWORD", o.address(), msg)
		}
		return checkers.NewResult(checkers.Unknown, "%s: authentication as %s failed: %s", o.address(), who, msg)
	}
	var se *redisproto.Error
	if errors.As(err, &se) && strings.HasPrefix(se.Msg, "NOPERM") {
		return checkers.NewResult(checkers.Unknown, "%s: %s: the user may not run INFO (give it +info): %s", doing, o.address(), msg)
	}
	return checkers.NewResult(down, "%s: %s: %s", doing, o.address(), msg)
}
