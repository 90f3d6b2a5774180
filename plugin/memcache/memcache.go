// Package memcache is a small memcached client for monitoring: the text
// protocol's "stats" family, "set" and "get", over TCP or a unix socket,
// with a deadline on every exchange. check-memcached and
// metrics-memcached share it.
//
// Each call takes a context; its deadline becomes the connection's
// deadline and cancelling it unblocks a read at once, so a server that
// accepts and never answers costs at most the caller's time budget:
//
//	conn, err := memcache.Dial(ctx, "tcp", "127.0.0.1:11211")
//	if err != nil {
//		return err
//	}
//	defer conn.Close()
//	stats, err := conn.Stats(ctx)          // "stats"
//	items, err := conn.Stats(ctx, "items") // "stats items"
//
// Keys are checked before anything is sent (ValidKey): memcached's text
// protocol ends a key at a space or a control character, so such a key
// would store or read another key, or break the exchange.
package memcache

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/plugin/netclient"
)

// MaxKeyLen is the longest key memcached accepts.
const MaxKeyLen = 250

// maxLine bounds one line of a reply; maxValue one value read by Get;
// maxStats the number of STAT lines.
const (
	maxLine  = 64 << 10
	maxValue = 16 << 20
	maxStats = 1 << 20
)

// Conn is one connection to memcached. It is not safe for concurrent use.
type Conn struct {
	c net.Conn
	r *bufio.Reader
}

// Dial connects to network ("tcp" or "unix") address within ctx.
func Dial(ctx context.Context, network, address string) (*Conn, error) {
	if network != "tcp" && network != "unix" {
		return nil, fmt.Errorf("memcached: network %q: want tcp or unix", network)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	return &Conn{c: c, r: bufio.NewReader(c)}, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// ServerError is an ERROR, CLIENT_ERROR or SERVER_ERROR line from
// memcached.
type ServerError struct{ Line string }

func (e *ServerError) Error() string { return "memcached answered " + strconv.Quote(e.Line) }

// ProtocolError says that the peer's answer is not memcached's.
type ProtocolError struct{ What string }

func (e *ProtocolError) Error() string { return "not a memcached reply: " + e.What }

// ValidKey reports why key cannot be used with the text protocol: empty,
// longer than MaxKeyLen bytes, or holding a space or a control character.
func ValidKey(key string) error {
	switch {
	case key == "":
		return errors.New("the key is empty")
	case len(key) > MaxKeyLen:
		return fmt.Errorf("the key is %d bytes long; memcached takes at most %d", len(key), MaxKeyLen)
	}
	for _, b := range []byte(key) {
		if b <= ' ' || b == 0x7f {
			return fmt.Errorf("the key %q holds a space or a control character, which memcached's text protocol does not allow", key)
		}
	}
	return nil
}

// exchange sends req and calls read for the answer, under ctx.
func (c *Conn) exchange(ctx context.Context, what, req string, read func() error) error {
	stop, err := netclient.Exchange(ctx, c.c)
	if err != nil {
		return err
	}
	defer stop()
	if _, err := io.WriteString(c.c, req); err != nil {
		return netclient.ExchangeError(ctx, "sending "+what, err)
	}
	if err := read(); err != nil {
		var pe *ProtocolError
		var se *ServerError
		if errors.As(err, &pe) || errors.As(err, &se) {
			return err
		}
		return netclient.ExchangeError(ctx, "reading the answer to "+what, err)
	}
	return nil
}

func (c *Conn) line() (string, error) {
	var b []byte
	for {
		chunk, isPrefix, err := c.r.ReadLine()
		if err != nil {
			return "", err
		}
		b = append(b, chunk...)
		if len(b) > maxLine {
			return "", &ProtocolError{What: fmt.Sprintf("a line longer than %d bytes", maxLine)}
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

func serverError(line string) error {
	if line == "ERROR" || strings.HasPrefix(line, "CLIENT_ERROR") || strings.HasPrefix(line, "SERVER_ERROR") {
		return &ServerError{Line: line}
	}
	return nil
}

// Stats sends "stats" followed by args ("items", "slabs", "settings"…)
// and returns the STAT lines' names and values, up to END.
func (c *Conn) Stats(ctx context.Context, args ...string) (map[string]string, error) {
	for _, a := range args {
		if ValidKey(a) != nil {
			return nil, fmt.Errorf("stats argument %q: not a word", a)
		}
	}
	cmd := strings.Join(append([]string{"stats"}, args...), " ")
	out := map[string]string{}
	err := c.exchange(ctx, strconv.Quote(cmd), cmd+"\r\n", func() error {
		for {
			line, err := c.line()
			if err != nil {
				return err
			}
			if line == "END" {
				return nil
			}
			if err := serverError(line); err != nil {
				return err
			}
			f := strings.SplitN(line, " ", 3)
			if len(f) != 3 || f[0] != "STAT" {
				return &ProtocolError{What: fmt.Sprintf("%q where a STAT line or END belongs", clip(line))}
			}
			if len(out) >= maxStats {
				return &ProtocolError{What: "too many STAT lines"}
			}
			out[f[1]] = f[2]
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Set stores value under key with the given flags and expiry (seconds,
// 0 for none), and returns nil once memcached answered STORED.
func (c *Conn) Set(ctx context.Context, key string, flags uint32, exptime int, value []byte) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	req := fmt.Sprintf("set %s %d %d %d\r\n%s\r\n", key, flags, exptime, len(value), value)
	return c.exchange(ctx, "set", req, func() error {
		line, err := c.line()
		if err != nil {
			return err
		}
		if line == "STORED" {
			return nil
		}
		if err := serverError(line); err != nil {
			return err
		}
		return &ProtocolError{What: fmt.Sprintf("%q where STORED belongs", clip(line))}
	})
}

// Get returns the value stored under key; found is false when memcached
// has none.
func (c *Conn) Get(ctx context.Context, key string) (value []byte, found bool, err error) {
	if err := ValidKey(key); err != nil {
		return nil, false, err
	}
	err = c.exchange(ctx, "get", "get "+key+"\r\n", func() error {
		line, err := c.line()
		if err != nil {
			return err
		}
		if line == "END" {
			return nil
		}
		if err := serverError(line); err != nil {
			return err
		}
		f := strings.Fields(line)
		if len(f) < 4 || f[0] != "VALUE" || f[1] != key {
			return &ProtocolError{What: fmt.Sprintf("%q where VALUE %s or END belongs", clip(line), key)}
		}
		n, err := strconv.Atoi(f[3])
		if err != nil || n < 0 || n > maxValue {
			return &ProtocolError{What: fmt.Sprintf("value length %q", clip(f[3]))}
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return err
		}
		if string(buf[n:]) != "\r\n" {
			return &ProtocolError{What: "a value not ended by CRLF"}
		}
		end, err := c.line()
		if err != nil {
			return err
		}
		if end != "END" {
			return &ProtocolError{What: fmt.Sprintf("%q where END belongs", clip(end))}
		}
		value, found = buf[:n], true
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return value, found, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
