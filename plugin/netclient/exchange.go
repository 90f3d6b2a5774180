package netclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Exchange bounds one request and its answer on c by ctx, for a client
// of a protocol whose every call takes a context of its own
// (plugin/redisproto, plugin/memcache) rather than Dialer's one deadline
// for the whole conversation: ctx's deadline becomes c's (none when ctx
// has none), and cancelling ctx unblocks a read or write at once. It
// returns ctx's cause when ctx is done already. Call stop when the
// exchange ends; word its errors with ExchangeError.
//
//	stop, err := netclient.Exchange(ctx, c.conn)
//	if err != nil {
//		return err
//	}
//	defer stop()
//	if _, err := c.conn.Write(req); err != nil {
//		return netclient.ExchangeError(ctx, "sending stats", err)
//	}
func Exchange(ctx context.Context, c net.Conn) (stop func(), err error) {
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	deadline, _ := ctx.Deadline()
	if err := c.SetDeadline(deadline); err != nil {
		return nil, err
	}
	after := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	return func() { after() }, nil
}

// ExchangeError words a network error of an exchange bounded by
// Exchange, after doing (what was under way, e.g. "reading the reply to
// INFO"): "no answer before the deadline" when ctx's or the connection's
// deadline passed, ctx's cause when ctx was cancelled, "the server
// closed the connection" at an end of file, else err itself.
func ExchangeError(ctx context.Context, doing string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s: no answer before the deadline", doing)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", doing, context.Cause(ctx))
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%s: no answer before the deadline", doing)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: the server closed the connection", doing)
	}
	return fmt.Errorf("%s: %w", doing, err)
}
