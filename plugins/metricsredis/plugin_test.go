package metricsredis_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/redisproto"
	"github.com/teko-dev/teko/plugins/metricsredis"
)

// standIn serves INFO text that the test changes between runs.
type standIn struct {
	mu     sync.Mutex
	info   string
	config map[string]redisproto.Reply
	args   []string
}

func newStandIn(t *testing.T) *standIn {
	s := &standIn{config: map[string]redisproto.Reply{}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go redisproto.Serve(l, func(args []string) redisproto.Reply {
		s.mu.Lock()
		defer s.mu.Unlock()
		switch args[0] {
		case "INFO":
			return redisproto.Bulk(s.info)
		case "CONFIG":
			if r, ok := s.config[args[2]]; ok {
				return r
			}
		}
		return redisproto.Err("ERR unknown command '" + args[0] + "'")
	})
	host, port, _ := net.SplitHostPort(l.Addr().String())
	s.args = []string{"-host", host, "-port", port}
	return s
}

func (s *standIn) set(info string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.info = strings.ReplaceAll(info, "\n", "\r\n")
}

// INFO is read defensively: a field missing or written oddly leaves out
// that value alone; nothing is made up.
func TestDefensiveInfo(t *testing.T) {
	s := newStandIn(t)
	s.config["maxmemory"] = redisproto.BulkArray("maxmemory", "0")
	s.config["maxclients"] = redisproto.BulkArray("maxclients", "not-a-number")
	s.set(`# Server
redis_version:6.2.0
uptime_in_seconds:12x
garbage line without colon
# Clients
connected_clients:3
# Memory
used_memory:2048
used_memory_rss:-
# Stats
total_commands_processed:100
keyspace_hits:0
keyspace_misses:0
# Replication
role:master
master_repl_offset:500
slave0:ip=10.0.0.2,port=6379,state=online,offset=450,lag=1
slave1:ip=10.0.0.3,port=6379,state=wait_bgsave,offset=oops
slave2:nonsense
# Keyspace
db0:keys=7,expires=2,avg_ttl=0
db1:keys=x,expires=1
`)
	h := plugintest.New(t, metricsredis.Plugin)
	r := h.Run(s.args...)
	v := h.Values(r, s.args...)
	assert.Equal(t, map[string]float64{
		"redis.clients.connected_clients":        3,
		"redis.memory.used_memory":               2048,
		"redis.keys.keys":                        7,
		"redis.keys.expires":                     3,
		"redis.db.db0.keys":                      7,
		"redis.db.db0.expires":                   2,
		"redis.db.db1.expires":                   1,
		"redis.offset_delay.slave0_offset_delay": 50,
		"redis.lag.slave0_lag":                   1,
	}, v, "no uptime, no RSS, no hit ratio without lookups, no memory percentage with maxmemory 0")
	assert.Contains(t, r.Stderr, `maxclients: "not-a-number" is not a number`)
}

// maxclients 0 (a broken or stand-in server) gives no percentage: the
// original divided by it and stored +Inf (mackerel-agent-plugins#779).
func TestZeroLimitsGiveNoPercentage(t *testing.T) {
	s := newStandIn(t)
	s.config["maxmemory"] = redisproto.BulkArray("maxmemory", "0")
	s.config["maxclients"] = redisproto.BulkArray("maxclients", "0")
	s.set("redis_version:7.0.15\nconnected_clients:5\nused_memory:1000\n")
	h := plugintest.New(t, metricsredis.Plugin)
	r := h.Run(s.args...)
	v := h.Values(r, s.args...)
	assert.NotContains(t, v, "redis.capacity.percentage_of_clients")
	assert.NotContains(t, v, "redis.capacity.percentage_of_memory")
	assert.Empty(t, r.Stderr)
}

func TestRestartSkipsEveryRate(t *testing.T) {
	s := newStandIn(t)
	info := func(cmds, conns, hits string) string {
		return "redis_version:7.0.15\ntotal_commands_processed:" + cmds + "\ntotal_connections_received:" + conns +
			"\nkeyspace_hits:" + hits + "\nkeyspace_misses:0\nexpired_keys:0\n"
	}
	s.set(info("1000", "50", "10"))
	args := append(s.args, "-config-command", "")
	h := plugintest.New(t, metricsredis.Plugin)
	h.Values(h.Run(args...), args...)
	h.Advance(time.Minute)
	s.set(info("1600", "80", "20"))
	v := h.Values(h.Run(args...), args...)
	assert.Equal(t, 600.0, v["redis.queries.total_commands_processed"])
	assert.Equal(t, 30.0, v["redis.connections.total_connections_received"])
	h.Advance(time.Minute)
	s.set(info("2000", "5", "1")) // restarted: commands already past the old total
	v = h.Values(h.Run(args...), args...)
	assert.NotContains(t, v, "redis.queries.total_commands_processed", "a restart makes no rate of any counter")
	assert.NotContains(t, v, "redis.keyspace.keyspace_hits")
}

func TestNotRedis(t *testing.T) {
	s := newStandIn(t)
	s.set("hello:world\n")
	h := plugintest.New(t, metricsredis.Plugin)
	r := h.Run(s.args...)
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "no redis_version")
}

func TestMetaNeedsNoServer(t *testing.T) {
	h := plugintest.New(t, metricsredis.Plugin)
	r := h.Meta("-host", "127.0.0.1", "-port", "1")
	assert.Equal(t, 0, r.Code, "%+v", r)
	for _, key := range []string{`"redis.queries"`, `"redis.lag"`, `"redis.offset_delay"`, `"redis.capacity"`, `"redis.cluster_stats"`, `"label":"Redis Keyspace"`} {
		assert.Contains(t, r.Stdout, key)
	}
}

// Real INFO text of Redis 7.0.15 gives the values it holds
// (testdata/README.md).
func TestRealInfo(t *testing.T) {
	for _, name := range []string{"info-7.0.15-primary", "info-7.0.15-replica"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", name+".txt"))
			require.NoError(t, err)
			s := newStandIn(t)
			s.mu.Lock()
			s.info = string(b)
			s.mu.Unlock()
			args := append(s.args, "-config-command", "")
			h := plugintest.New(t, metricsredis.Plugin)
			r := h.Run(args...)
			h.Values(r, args...)
			plugintest.Golden(t, name+".golden", r.Stdout)
		})
	}
}
