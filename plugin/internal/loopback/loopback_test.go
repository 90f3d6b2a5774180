package loopback_test

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/internal/loopback"
)

func TestServesAndCloseEndsOpenConnections(t *testing.T) {
	ended := make(chan struct{})
	s, err := loopback.Serve(func(c net.Conn) {
		defer close(ended)
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Write([]byte("echo " + line))
		c.Read(make([]byte, 1)) // then wait for the client, or for Close
	})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", s.Addr().IP.String())

	c, err := net.DialTimeout("tcp", s.Addr().String(), time.Second)
	require.NoError(t, err)
	defer c.Close()
	c.Write([]byte("hi\n"))
	got, err := bufio.NewReader(c).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "echo hi\n", got)

	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the open connection")
	}
	<-ended
	_, err = net.DialTimeout("tcp", s.Addr().String(), time.Second)
	assert.Error(t, err, "no longer listening")
}
