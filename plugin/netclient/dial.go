package netclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Dialer opens TCP and unix socket connections for plugins that speak a
// protocol of their own (a banner, a command and its answer). The zero
// value is ready to use.
//
// The whole conversation on a connection — connecting, the TLS
// handshake, every read and write — shares one deadline, given by the
// budget rule (Share) when Dial is called: a server that accepts and
// never answers, or answers half a banner and stops, ends the read with
// a *TimeoutError in time for the check to report it.
type Dialer struct {
	// Timeout bounds the conversation; zero means DefaultTimeout. The
	// budget rule may give less.
	Timeout time.Duration
	// TLS, when not nil, makes Dial speak TLS over the connection. Its
	// ServerName defaults to the host dialled (unless it is an IP
	// address, which Go then verifies as an IP SAN).
	TLS *tls.Config
	// LocalAddr is the source IP address of TCP connections; nil lets
	// the system choose.
	LocalAddr net.IP
}

// Conn is a connection from Dialer.Dial. Reads and writes fail with a
// *TimeoutError once the conversation's deadline has passed; an error
// names the address dialled.
type Conn struct {
	net.Conn
	addr     string
	ctx      context.Context
	cancel   context.CancelFunc
	stop     func() bool
	closeMux sync.Once
	start    time.Time
}

// Dial connects to address on network "tcp" (also "tcp4", "tcp6") or
// "unix". A TCP address is HOST:PORT; build it with JoinHostPort so that
// an IPv6 literal gets its brackets. The error names the address and
// wraps a *TimeoutError when the time ran out.
func (d *Dialer) Dial(ctx context.Context, network, address string) (*Conn, error) {
	ctx, cancel := limitFor(ctx, d.Timeout, "answer")
	nd := &net.Dialer{}
	if d.LocalAddr != nil && network != "unix" {
		nd.LocalAddr = &net.TCPAddr{IP: d.LocalAddr}
	}
	start := time.Now()
	raw, err := nd.DialContext(ctx, network, address)
	if err != nil {
		err = dialError(ctx, address, err)
		cancel()
		return nil, err
	}
	c := &Conn{Conn: raw, addr: address, ctx: ctx, cancel: cancel, start: start}
	if deadline, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(deadline)
	}
	// A cancelled run (a signal) ends a blocked read at once.
	c.stop = context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Unix(1, 0)) })
	if d.TLS != nil {
		cfg := d.TLS.Clone()
		if cfg.ServerName == "" && network != "unix" {
			if host, _, err := net.SplitHostPort(address); err == nil {
				cfg.ServerName = host
			}
		}
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			err = c.wrap("TLS handshake", err) // before Close, which ends ctx
			c.Close()
			return nil, err
		}
		c.Conn = tc
	}
	return c, nil
}

func dialError(ctx context.Context, address string, err error) error {
	if ctx.Err() != nil {
		err = context.Cause(ctx)
	} else {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err
			var se *os.SyscallError
			if errors.As(err, &se) {
				err = se.Err
			}
		}
	}
	return &OpError{Addr: address, Op: "connect", Err: err}
}

// OpError is a failed step of a conversation on a Conn.
type OpError struct {
	Addr string // the address dialled
	Op   string // "connect", "TLS handshake", "read", "write"
	Err  error
}

func (e *OpError) Error() string { return fmt.Sprintf("%s: %s: %v", e.Addr, e.Op, e.Err) }
func (e *OpError) Unwrap() error { return e.Err }

// wrap turns an error of op into an *OpError; a deadline that passed
// becomes the conversation's *TimeoutError (or the run's own cause when
// it was the run that ended).
func (c *Conn) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		return &OpError{Addr: c.addr, Op: op, Err: errors.New("connection closed by the server")}
	}
	if c.ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
		if cause := context.Cause(c.ctx); cause != nil {
			err = cause
		} else if deadline, ok := c.ctx.Deadline(); ok {
			err = &TimeoutError{After: deadline.Sub(c.start).Round(time.Millisecond)}
		}
	} else {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err
		}
	}
	return &OpError{Addr: c.addr, Op: op, Err: err}
}

// Read reads as net.Conn does; an error is an *OpError.
func (c *Conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err == io.EOF {
		return n, io.EOF // io.Reader's contract: callers compare with io.EOF
	}
	return n, c.wrap("read", err)
}

// Write writes as net.Conn does; an error is an *OpError.
func (c *Conn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	return n, c.wrap("write", err)
}

// Close closes the connection and releases its deadline.
func (c *Conn) Close() error {
	var err error
	c.closeMux.Do(func() {
		c.stop()
		err = c.Conn.Close()
		c.cancel()
	})
	return err
}

// Elapsed returns the time since Dial began.
func (c *Conn) Elapsed() time.Duration { return time.Since(c.start) }

// ReadUntil reads until done reports that what has arrived so far is
// complete (a banner's line, a pattern that matched), the server closes
// the connection, or max bytes have arrived — so that an answer split
// over several writes is read whole, unlike a single Read. It returns
// what arrived. The error is nil when done said yes, or on max; io.EOF
// when the server closed the connection first (with what it sent); an
// *OpError (a timeout included) otherwise. done may be nil: read until
// the server closes or max.
func (c *Conn) ReadUntil(done func(got []byte) bool, max int) ([]byte, error) {
	if max <= 0 {
		max = 32 << 10
	}
	var buf bytes.Buffer
	chunk := make([]byte, 4096)
	for buf.Len() < max {
		want := min(len(chunk), max-buf.Len())
		n, err := c.Read(chunk[:want])
		buf.Write(chunk[:n])
		if n > 0 && done != nil && done(buf.Bytes()) {
			return buf.Bytes(), nil
		}
		if err != nil {
			return buf.Bytes(), err
		}
	}
	return buf.Bytes(), nil
}
