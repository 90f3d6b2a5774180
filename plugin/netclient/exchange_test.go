package netclient

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/servertest"
)

func TestExchange(t *testing.T) {
	addr := servertest.Hang(t, "tcp")
	read := func(ctx context.Context) error {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		stop, err := Exchange(ctx, c)
		if err != nil {
			return err
		}
		defer stop()
		_, err = c.Read(make([]byte, 1))
		return ExchangeError(ctx, "reading the answer to stats", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	assert.EqualError(t, read(ctx), "reading the answer to stats: no answer before the deadline")
	assert.Less(t, time.Since(start), 2*time.Second)

	cause := errors.New("SIGTERM")
	ctx2, cancel2 := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel2(cause) })
	err := read(ctx2)
	assert.ErrorIs(t, err, cause, "a cancelled run ends the read at once, with its cause")
	assert.ErrorIs(t, read(ctx2), cause, "a context done already sends nothing")

	closed := servertest.Serve(t, "tcp", "", func(c net.Conn) { c.Close() })
	c, err := net.Dial("tcp", closed)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Read(make([]byte, 1))
	assert.EqualError(t, ExchangeError(context.Background(), "reading the reply to INFO", err), "reading the reply to INFO: the server closed the connection")
}
