package redisproto

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/plugin/netclient"
)

// Limits on what a reply may hold. A peer that announces more is broken
// or not Redis; the client refuses rather than allocating.
const (
	MaxBulk  = 64 << 20 // bytes in one bulk string
	MaxArray = 1 << 20  // elements in one array
	maxDepth = 8        // nesting of arrays
	maxLine  = 64 << 10 // bytes in a status, error or length line
)

// Options says which server to talk to and how.
type Options struct {
	// Network is "tcp" (the default when empty) or "unix".
	Network string
	// Address is "host:port" for tcp, the socket's path for unix.
	Address string
	// TLS, when not nil, wraps the connection in TLS with this
	// configuration. Its ServerName is filled from Address when empty.
	TLS *tls.Config
	// Username is the ACL user to authenticate as; empty sends AUTH with
	// the password alone (the "default" user, or requirepass before
	// Redis 6).
	Username string
	// Password is sent with AUTH when not empty.
	Password string
}

// Conn is one connection to a server. It is not safe for concurrent use.
type Conn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

// Dial connects, completes the TLS handshake if asked to and
// authenticates, all within ctx.
func Dial(ctx context.Context, o Options) (*Conn, error) {
	network := o.Network
	if network == "" {
		network = "tcp"
	}
	if network != "tcp" && network != "unix" {
		return nil, fmt.Errorf("redis: network %q: want tcp or unix", network)
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, o.Address)
	if err != nil {
		return nil, err
	}
	if o.TLS != nil {
		cfg := o.TLS.Clone()
		if cfg.ServerName == "" && network == "tcp" {
			if host, _, err := net.SplitHostPort(o.Address); err == nil {
				cfg.ServerName = host
			}
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		nc = tc
	}
	c := &Conn{c: nc, r: bufio.NewReader(nc), w: bufio.NewWriter(nc)}
	if o.Password != "" {
		args := []string{"AUTH", o.Password}
		if o.Username != "" {
			args = []string{"AUTH", o.Username, o.Password}
		}
		_, err := c.Do(ctx, args...)
		var se *Error
		if errors.As(err, &se) && o.Username == "" && noPasswordSet(se.Msg) {
			err = nil // the server needs no password: the connection is as good as authenticated
		}
		if err != nil {
			c.Close()
			var se *Error
			if errors.As(err, &se) {
				return nil, &Error{Msg: se.Msg, auth: true}
			}
			return nil, err
		}
	}
	return c, nil
}

// noPasswordSet reports whether an AUTH reply says the server has no
// password to check ("ERR AUTH <password> called without any password
// configured for the default user", Redis 6 and later; "ERR Client sent
// AUTH, but no password is set" before).
func noPasswordSet(msg string) bool {
	return strings.Contains(msg, "without any password configured") || strings.Contains(msg, "no password is set")
}

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// Do sends one command and reads its reply, within ctx. An error reply
// from the server is returned as an *Error (and the connection stays
// usable); any other error leaves the connection in an unknown state:
// close it.
func (c *Conn) Do(ctx context.Context, args ...string) (Reply, error) {
	if len(args) == 0 {
		return Reply{}, errors.New("redis: no command")
	}
	stop, err := netclient.Exchange(ctx, c.c) // a cancelled context unblocks the read at once
	if err != nil {
		return Reply{}, err
	}
	defer stop()

	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := c.w.Flush(); err != nil {
		return Reply{}, netclient.ExchangeError(ctx, "sending "+strings.ToUpper(args[0]), err)
	}
	rep, err := readReply(c.r, 0)
	if err != nil {
		var pe *ProtocolError
		if errors.As(err, &pe) {
			return Reply{}, err
		}
		return Reply{}, netclient.ExchangeError(ctx, "reading the reply to "+strings.ToUpper(args[0]), err)
	}
	if rep.Kind == KindError {
		return rep, &Error{Msg: rep.Str}
	}
	return rep, nil
}

// Info runs INFO (with the given sections, e.g. "all"; none means the
// server's default set) and parses the answer.
func (c *Conn) Info(ctx context.Context, sections ...string) (*Info, error) {
	rep, err := c.Do(ctx, append([]string{"INFO"}, sections...)...)
	if err != nil {
		return nil, err
	}
	if rep.Kind != KindBulk && rep.Kind != KindStatus {
		return nil, &ProtocolError{What: fmt.Sprintf("INFO answered with %s, want a bulk string", rep.Kind)}
	}
	return ParseInfo(rep.Str), nil
}

// ConfigGet runs "CONFIG GET param" and returns the name/value pairs of
// the answer. command is the name of the CONFIG command, which managed
// services and hardened servers rename or forbid; empty means "CONFIG".
func (c *Conn) ConfigGet(ctx context.Context, command, param string) (map[string]string, error) {
	if command == "" {
		command = "CONFIG"
	}
	rep, err := c.Do(ctx, command, "GET", param)
	if err != nil {
		return nil, err
	}
	if rep.Kind != KindArray || len(rep.Array)%2 != 0 {
		return nil, &ProtocolError{What: fmt.Sprintf("%s GET answered with %s, want name/value pairs", command, rep.Kind)}
	}
	out := make(map[string]string, len(rep.Array)/2)
	for i := 0; i < len(rep.Array); i += 2 {
		out[rep.Array[i].Str] = rep.Array[i+1].Str
	}
	return out, nil
}

// Kind is the type of a Reply.
type Kind byte

// The reply kinds of RESP2.
const (
	KindStatus  Kind = '+'
	KindError   Kind = '-'
	KindInteger Kind = ':'
	KindBulk    Kind = '$'
	KindArray   Kind = '*'
	KindNil     Kind = '_' // a nil bulk string or nil array
)

func (k Kind) String() string {
	switch k {
	case KindStatus:
		return "a status"
	case KindError:
		return "an error"
	case KindInteger:
		return "an integer"
	case KindBulk:
		return "a bulk string"
	case KindArray:
		return "an array"
	case KindNil:
		return "nil"
	}
	return "an unknown reply"
}

// Reply is one RESP value.
type Reply struct {
	Kind  Kind
	Str   string  // status, error and bulk string text
	Int   int64   // integer
	Array []Reply // array elements
}

// Error is an error reply from the server, e.g. "NOAUTH Authentication
// required." or "ERR unknown command 'CONFIG'".
type Error struct {
	Msg  string
	auth bool // the reply to AUTH, or an authentication error code
}

func (e *Error) Error() string {
	if e.auth && !e.IsAuth() {
		return "authentication failed: " + e.Msg
	}
	return e.Msg
}

// IsAuth reports whether the server refused for want of (the right)
// credentials: NOAUTH, WRONGPASS, or any refusal of AUTH itself.
func (e *Error) IsAuth() bool {
	return e.auth || strings.HasPrefix(e.Msg, "NOAUTH") || strings.HasPrefix(e.Msg, "WRONGPASS") ||
		strings.Contains(strings.ToLower(e.Msg), "authentication required")
}

// IsAuthError reports whether err is (or wraps) an *Error for which
// IsAuth is true.
func IsAuthError(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.IsAuth()
}

// ProtocolError says that what the peer sent is not RESP.
type ProtocolError struct {
	What string
}

func (e *ProtocolError) Error() string { return "not a Redis reply: " + e.What }

func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
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

func readReply(r *bufio.Reader, depth int) (Reply, error) {
	line, err := readLine(r)
	if err != nil {
		return Reply{}, err
	}
	if line == "" {
		return Reply{}, &ProtocolError{What: "an empty line"}
	}
	kind, rest := Kind(line[0]), line[1:]
	switch kind {
	case KindStatus, KindError:
		return Reply{Kind: kind, Str: rest}, nil
	case KindInteger:
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return Reply{}, &ProtocolError{What: fmt.Sprintf("integer %q", clip(rest))}
		}
		return Reply{Kind: kind, Int: n}, nil
	case KindBulk:
		n, err := strconv.Atoi(rest)
		switch {
		case err != nil || n < -1:
			return Reply{}, &ProtocolError{What: fmt.Sprintf("bulk length %q", clip(rest))}
		case n == -1:
			return Reply{Kind: KindNil}, nil
		case n > MaxBulk:
			return Reply{}, &ProtocolError{What: fmt.Sprintf("a bulk string of %d bytes (limit %d)", n, MaxBulk)}
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return Reply{}, err
		}
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return Reply{}, &ProtocolError{What: "a bulk string not ended by CRLF"}
		}
		return Reply{Kind: kind, Str: string(buf[:n])}, nil
	case KindArray:
		n, err := strconv.Atoi(rest)
		switch {
		case err != nil || n < -1:
			return Reply{}, &ProtocolError{What: fmt.Sprintf("array length %q", clip(rest))}
		case n == -1:
			return Reply{Kind: KindNil}, nil
		case n > MaxArray:
			return Reply{}, &ProtocolError{What: fmt.Sprintf("an array of %d elements (limit %d)", n, MaxArray)}
		case depth >= maxDepth:
			return Reply{}, &ProtocolError{What: "arrays nested too deep"}
		}
		out := Reply{Kind: kind, Array: make([]Reply, 0, min(n, 1024))}
		for range n {
			e, err := readReply(r, depth+1)
			if err != nil {
				return Reply{}, err
			}
			out.Array = append(out.Array, e)
		}
		return out, nil
	}
	return Reply{}, &ProtocolError{What: fmt.Sprintf("%q", clip(line))}
}

// clip shortens peer text for a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
