package memcache_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/memcache"
)

// fakeMemcached is a stand-in that knows stats, set and get; silent
// makes it accept and never answer.
func fakeMemcached(t testing.TB, silent bool) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	var mu sync.Mutex
	store := map[string]string{}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if silent {
					time.Sleep(5 * time.Second)
					return
				}
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					f := strings.Fields(line)
					switch {
					case len(f) == 1 && f[0] == "stats":
						fmt.Fprint(c, "STAT pid 42\r\nSTAT rusage_user 0.123456\r\nSTAT version 1.6.18\r\nEND\r\n")
					case len(f) == 2 && f[0] == "stats" && f[1] == "items":
						fmt.Fprint(c, "STAT items:1:number 1\r\nSTAT items:1:evicted_nonzero 0\r\nEND\r\n")
					case len(f) == 5 && f[0] == "set":
						var n int
						fmt.Sscan(f[4], &n)
						buf := make([]byte, n+2)
						if _, err := r.Read(buf); err != nil {
							return
						}
						mu.Lock()
						store[f[1]] = string(buf[:n])
						mu.Unlock()
						fmt.Fprint(c, "STORED\r\n")
					case len(f) == 2 && f[0] == "get":
						mu.Lock()
						v, ok := store[f[1]]
						mu.Unlock()
						if ok {
							fmt.Fprintf(c, "VALUE %s 0 %d\r\n%s\r\n", f[1], len(v), v)
						}
						fmt.Fprint(c, "END\r\n")
					default:
						fmt.Fprint(c, "ERROR\r\n")
					}
				}
			}()
		}
	}()
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
	addr := fakeMemcached(&testing.T{}, false) // in real use: "127.0.0.1:11211"
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
