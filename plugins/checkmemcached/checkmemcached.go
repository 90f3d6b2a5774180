// Package checkmemcached is the check-memcached plugin, a drop-in
// replacement for Mackerel's check-memcached: it stores a key and reads
// it back, CRITICAL when either fails. It adds a unix socket and a
// deadline on every read, and refuses a key memcached cannot take (a
// space in it) as a flag error instead of a confusing CRITICAL.
package checkmemcached

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/memcache"
)

// Plugin is check-memcached.
var Plugin = &plugin.Plugin{
	Name:        "check-memcached",
	Title:       "Memcached",
	Description: "checks that memcached stores a key and gives it back",
	New:         func() any { return &options{} },
}

// value is what the check stores, as the original does; expiry is its
// time to live in seconds.
const (
	value  = "Check key"
	expiry = 240
)

type options struct {
	Host   string `short:"H" long:"host" value-name:"HOST" default:"localhost" description:"host name or IP address of the server"`
	Port   int    `short:"p" long:"port" value-name:"PORT" default:"11211" description:"TCP port of the server"`
	Socket string `short:"s" long:"socket" value-name:"PATH" description:"connect to this unix socket instead of --host and --port"`
	Key    string `short:"k" long:"key" value-name:"KEY" required:"true" description:"the key to set and get (at most 250 bytes, no spaces or control characters)"`
}

// Validate refuses what memcached could never accept, as a flag error.
func (o *options) Validate() error {
	if err := memcache.ValidKey(o.Key); err != nil {
		return fmt.Errorf("--key: %v", err)
	}
	if o.Socket == "" && (o.Port < 1 || o.Port > 65535) {
		return fmt.Errorf("--port %d: want 1 to 65535", o.Port)
	}
	if o.Socket == "" && strings.TrimSpace(o.Host) == "" {
		return errors.New("--host is empty")
	}
	return nil
}

func (o *options) target() (network, address string) {
	if o.Socket != "" {
		return "unix", o.Socket
	}
	return "tcp", net.JoinHostPort(strings.Trim(o.Host, "[]"), strconv.Itoa(o.Port))
}

// Check sets the key and gets it back.
func (o *options) Check(ctx context.Context, _ *plugin.Invocation) (*checkers.Result, error) {
	if deadline, ok := ctx.Deadline(); ok { // leave time to say what did not answer
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Now().Add(time.Until(deadline)*3/4))
		defer cancel()
	}
	network, address := o.target()
	conn, err := memcache.Dial(ctx, network, address)
	if err != nil {
		return checkers.NewResult(checkers.Critical, "couldn't connect: %v", err), nil
	}
	defer conn.Close()
	if err := conn.Set(ctx, o.Key, 0, expiry, []byte(value)); err != nil {
		return checkers.NewResult(checkers.Critical, "couldn't set a key: %s: %v", address, err), nil
	}
	got, found, err := conn.Get(ctx, o.Key)
	switch {
	case err != nil:
		return checkers.NewResult(checkers.Critical, "couldn't get a key: %s: %v", address, err), nil
	case !found:
		return checkers.NewResult(checkers.Critical, "couldn't get a key: %s: %q is missing right after it was stored", address, o.Key), nil
	case !bytes.Equal(got, []byte(value)):
		return checkers.NewResult(checkers.Critical, "not correct value: %q read back, %q stored", clip(got), value), nil
	}
	return checkers.NewResult(checkers.OK, "Get,Set OK"), nil
}

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
