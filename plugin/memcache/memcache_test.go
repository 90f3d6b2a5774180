package memcache_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/memcache"
	"github.com/teko-dev/teko/plugin/servertest"
)

// fakeMemcached serves a StandIn; silent makes a server that accepts
// and never answers.
func fakeMemcached(t testing.TB, silent bool) string {
	if silent {
		return servertest.Hang(t, "tcp")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	s := &memcache.StandIn{
		Stats: func() map[string]string { return map[string]string{"pid": "42", "rusage_user": "0.123456"} },
		Items: func() map[string]string {
			return map[string]string{"items:1:number": "1", "items:1:evicted_nonzero": "0"}
		},
	}
	go s.Serve(l)
	return l.Addr().String()
}

func TestStatsSetGet(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := memcache.Dial(ctx, "tcp", fakeMemcached(t, false))
	require.NoError(t, err)
	defer conn.Close()
	st, err := conn.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, "0.123456", st["rusage_user"])
	items, err := conn.Stats(ctx, "items")
	require.NoError(t, err)
	assert.Equal(t, "0", items["items:1:evicted_nonzero"])
	_, err = conn.Stats(ctx, "bogus")
	var se *memcache.ServerError
	assert.ErrorAs(t, err, &se)
	_, found, err := conn.Get(ctx, "k")
	require.NoError(t, err)
	assert.False(t, found)
	require.NoError(t, conn.Set(ctx, "k", 0, 60, []byte("v a l")))
	v, found, err := conn.Get(ctx, "k")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "v a l", string(v))
}

func TestValidKey(t *testing.T) {
	assert.NoError(t, memcache.ValidKey("mackerel-check"))
	for _, bad := range []string{"", "a b", "a\nb", "a\x00", strings.Repeat("k", 251)} {
		assert.Error(t, memcache.ValidKey(bad), "%q", bad)
	}
	ctx := context.Background()
	conn, err := memcache.Dial(ctx, "tcp", fakeMemcached(t, false))
	require.NoError(t, err)
	defer conn.Close()
	assert.Error(t, conn.Set(ctx, "a b", 0, 0, nil), "refused before anything is sent")
}

func TestSilentServerEndsAtTheDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	conn, err := memcache.Dial(ctx, "tcp", fakeMemcached(t, true))
	require.NoError(t, err)
	defer conn.Close()
	start := time.Now()
	_, err = conn.Stats(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `reading the answer to "stats"`)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func Example() {
	// A stand-in server; in real use, memcached's address.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	go (&memcache.StandIn{Stats: func() map[string]string { return map[string]string{"pid": "42"} }}).Serve(l)
	addr := l.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := memcache.Dial(ctx, "tcp", addr)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	if err := conn.Set(ctx, "greeting", 0, 240, []byte("hello")); err != nil {
		fmt.Println(err)
		return
	}
	v, found, err := conn.Get(ctx, "greeting")
	fmt.Println(string(v), found, err)
	stats, _ := conn.Stats(ctx)
	fmt.Println("pid", stats["pid"])
	// Output:
	// hello true <nil>
	// pid 42
}
