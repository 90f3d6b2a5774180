package redisproto_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/redisproto"
	"github.com/teko-dev/teko/plugin/servertest"
)

// fake starts a stand-in server and returns its address.
func fake(t testing.TB, handle func([]string) redisproto.Reply) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go redisproto.Serve(l, handle)
	return l.Addr().String()
}

const infoText = "# Server\r\nredis_version:7.0.15\r\nrun_id:abc\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:2\r\n" +
	"slave1:ip=127.0.0.1,port=6381,state=online,offset=90,lag=1\r\nslave0:ip=127.0.0.1,port=6380,state=online,offset=100,lag=0\r\n" +
	"slave2:ip=10.0.0.1,port=6382,state=wait_bgsave\r\nmaster_repl_offset:100\r\n\r\n# Keyspace\r\ndb3:keys=5,expires=0,avg_ttl=0\r\n" +
	"db0:keys=12,expires=3,avg_ttl=1234,subexpiry=0\r\ndbx:keys=1\r\nnot a field\r\n:empty key\r\nodd:a:b\r\n"

func TestParseInfo(t *testing.T) {
	info := redisproto.ParseInfo(infoText)
	v, ok := info.Get("redis_version")
	assert.True(t, ok)
	assert.Equal(t, "7.0.15", v)
	v, _ = info.Get("odd")
	assert.Equal(t, "a:b", v, "a value may hold a colon")
	_, ok = info.Get("")
	assert.False(t, ok)
	n, ok := info.Uint("connected_slaves")
	assert.True(t, ok)
	assert.EqualValues(t, 2, n)
	_, ok = info.Uint("role")
	assert.False(t, ok, "text is not a number")
	assert.Equal(t, []redisproto.DB{
		{Name: "db0", Number: 0, Keys: 12, Expires: 3, AvgTTL: 1234},
		{Name: "db3", Number: 3, Keys: 5, Expires: 0, AvgTTL: 0},
	}, info.DBs, "dbx is not a database")
	require.Len(t, info.Replicas, 3)
	assert.Equal(t, redisproto.Replica{Name: "slave0", IP: "127.0.0.1", Port: "6380", State: "online", Offset: 100, HasOffset: true, Lag: 0, HasLag: true}, info.Replicas[0])
	assert.Equal(t, "slave1", info.Replicas[1].Name)
	assert.False(t, info.Replicas[2].HasOffset)
	assert.False(t, info.Replicas[2].HasLag)
}

func TestDoAndErrors(t *testing.T) {
	addr := fake(t, func(args []string) redisproto.Reply {
		switch args[0] {
		case "AUTH":
			if args[len(args)-1] == "s3cret" && (len(args) == 2 || args[1] == "alice") {
				return redisproto.Status("OK")
			}
			return redisproto.Err("WRONGPASS invalid username-password pair or user is disabled.")
		case "INFO":
			return redisproto.Bulk(infoText)
		case "CONFIG":
			return redisproto.BulkArray(args[2], "0")
		case "NESTED":
			return redisproto.Array(redisproto.Int(-5), redisproto.Reply{Kind: redisproto.KindNil}, redisproto.BulkArray("a", ""))
		}
		return redisproto.Err("ERR unknown command '" + args[0] + "'")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	conn, err := redisproto.Dial(ctx, redisproto.Options{Address: addr, Username: "alice", Password: "s3cret"})
	require.NoError(t, err)
	defer conn.Close()
	info, err := conn.Info(ctx)
	require.NoError(t, err)
	assert.Len(t, info.DBs, 2)
	cfg, err := conn.ConfigGet(ctx, "", "maxmemory")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"maxmemory": "0"}, cfg)
	rep, err := conn.Do(ctx, "nested")
	require.NoError(t, err)
	assert.Equal(t, redisproto.Array(redisproto.Int(-5), redisproto.Reply{Kind: redisproto.KindNil}, redisproto.BulkArray("a", "")), rep)

	_, err = conn.ConfigGet(ctx, "RENAMED-CONFIG", "maxmemory")
	var se *redisproto.Error
	require.ErrorAs(t, err, &se, "an error reply")
	assert.Equal(t, "ERR unknown command 'RENAMED-CONFIG'", se.Msg)
	assert.False(t, redisproto.IsAuthError(err))
	_, err = conn.Info(ctx)
	assert.NoError(t, err, "the connection stays usable after an error reply")

	_, err = redisproto.Dial(ctx, redisproto.Options{Address: addr, Password: "wrong-pw"})
	require.Error(t, err)
	assert.True(t, redisproto.IsAuthError(err))
	assert.NotContains(t, err.Error(), "wrong-pw")
}

func TestNotRedis(t *testing.T) {
	for name, answer := range map[string]string{
		"http":       "HTTP/1.1 400 Bad Request\r\n\r\n",
		"huge bulk":  "$999999999999\r\n",
		"bad length": "*x\r\n",
		"no CRLF":    "$3\r\nabcde",
	} {
		t.Run(name, func(t *testing.T) {
			addr := servertest.Serve(t, "tcp", "", func(c net.Conn) {
				c.Read(make([]byte, 100))
				c.Write([]byte(answer))
				time.Sleep(time.Second)
				c.Close()
			})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			conn, err := redisproto.Dial(ctx, redisproto.Options{Address: addr})
			require.NoError(t, err)
			defer conn.Close()
			_, err = conn.Info(ctx)
			require.Error(t, err)
			if name != "no CRLF" {
				var pe *redisproto.ProtocolError
				assert.ErrorAs(t, err, &pe)
			}
		})
	}
}

// A server that accepts and never answers costs the deadline, no more;
// cancelling the context ends the wait at once.
func TestSilentServer(t *testing.T) {
	addr := servertest.Hang(t, "tcp")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	conn, err := redisproto.Dial(ctx, redisproto.Options{Address: addr})
	require.NoError(t, err)
	start := time.Now()
	_, err = conn.Info(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading the reply to INFO")
	assert.Less(t, time.Since(start), 2*time.Second)
	conn.Close()

	ctx2, cancel2 := context.WithCancel(context.Background())
	conn, err = redisproto.Dial(ctx2, redisproto.Options{Address: addr})
	require.NoError(t, err)
	defer conn.Close()
	time.AfterFunc(200*time.Millisecond, cancel2)
	start = time.Now()
	_, err = conn.Info(ctx2)
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func Example() {
	// A stand-in server; in real use, the address of a redis-server.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	go redisproto.Serve(l, func(args []string) redisproto.Reply {
		if args[0] == "INFO" {
			return redisproto.Bulk("# Server\r\nredis_version:7.0.15\r\n# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\n")
		}
		return redisproto.Err("ERR unknown command")
	})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := redisproto.Dial(ctx, redisproto.Options{Address: l.Addr().String()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	info, err := conn.Info(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	version, _ := info.Get("redis_version")
	fmt.Println("version", version)
	for _, db := range info.DBs {
		fmt.Println(db.Name, "keys", db.Keys, "expires", db.Expires)
	}
	_, err = conn.ConfigGet(ctx, "CONFIG", "maxmemory")
	fmt.Println(strings.TrimSpace(err.Error()))
	// Output:
	// version 7.0.15
	// db0 keys 3 expires 1
	// ERR unknown command
}
