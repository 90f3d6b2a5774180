package servertest_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/servertest"
)

func TestHangAcceptsAndNeverAnswers(t *testing.T) {
	for _, network := range []string{"tcp", "tcp6", "unix"} {
		t.Run(network, func(t *testing.T) {
			addr := servertest.Hang(t, network)
			c, err := net.DialTimeout(network, addr, time.Second)
			require.NoError(t, err)
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			_, err = c.Read(make([]byte, 1))
			var ne net.Error
			require.True(t, errors.As(err, &ne) && ne.Timeout(), "want a read timeout, got %v", err)
		})
	}
}

func TestGarbageWritesNoProtocol(t *testing.T) {
	c, err := net.DialTimeout("tcp", servertest.Garbage(t, "tcp"), time.Second)
	require.NoError(t, err)
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(time.Second))
	b := make([]byte, 9)
	_, err = io.ReadFull(c, b)
	require.NoError(t, err)
	assert.Equal(t, "\x00garbage\xff", string(b))
}

func TestServeUDPAndSilent(t *testing.T) {
	echo := servertest.ServeUDP(t, "udp", "", func(req []byte) []byte { return bytes.ToUpper(req) })
	c, err := net.Dial("udp", echo)
	require.NoError(t, err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	c.Write([]byte("ping"))
	b := make([]byte, 16)
	n, err := c.Read(b)
	require.NoError(t, err)
	assert.Equal(t, "PING", string(b[:n]))

	s, err := net.Dial("udp", servertest.Silent(t, "udp"))
	require.NoError(t, err)
	defer s.Close()
	s.SetDeadline(time.Now().Add(100 * time.Millisecond))
	s.Write([]byte("ping"))
	_, err = s.Read(b)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
}

func TestClosedPortRefuses(t *testing.T) {
	_, err := net.DialTimeout("tcp", servertest.ClosedPort(t, "tcp"), time.Second)
	assert.Error(t, err)
}

// A plugin's test that a server which accepts and never answers ends the
// run within -t, with CRITICAL naming the address.
func ExampleHang() {
	testHung := func(t *testing.T) {
		addr := servertest.Hang(t, "tcp") // e.g. 127.0.0.1:41234
		_, port, _ := net.SplitHostPort(addr)
		_ = port // run the plugin with -H 127.0.0.1 -p port -t 1
	}
	_ = testHung
}
