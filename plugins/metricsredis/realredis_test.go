//go:build !windows

package metricsredis_test

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
	"github.com/teko-dev/teko/plugins/metricsredis"
)

// The servers, each started once: a primary (password, TLS, unix socket,
// maxmemory 64 MB) with a replica (no limit, no password), and a
// one-node cluster whose CONFIG command is renamed, as on managed Redis.
type servers struct {
	primary, replica, cluster *servertest.Redis
}

const (
	password        = "pw-Metrics-1"
	monitorPassword = "pw-Monitor-2"
)

var shared servertest.Shared[*servers]

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	shared.Close()
	os.Exit(code)
}

func start() (*servers, func(), error) {
	var stops []func()
	stop := func() {
		for _, s := range stops {
			s()
		}
	}
	fail := func(err error) (*servers, func(), error) { stop(); return nil, nil, err }
	primary, s, err := servertest.StartRedis(servertest.RedisOptions{Password: password, TLS: true, Config: []string{"maxmemory 64mb", "user monitor on >" + monitorPassword + " ~* +@all"}})
	if err != nil {
		return nil, nil, err
	}
	stops = append(stops, s)
	replica, s, err := servertest.StartRedis(servertest.RedisOptions{ReplicaOf: primary})
	if err != nil {
		return fail(err)
	}
	stops = append(stops, s)
	cluster, s, err := servertest.StartRedis(servertest.RedisOptions{Config: []string{
		"cluster-enabled yes", "cluster-config-file nodes.conf", `rename-command CONFIG ""`}})
	if err != nil {
		return fail(err)
	}
	stops = append(stops, s)
	if _, err := cluster.Command("CLUSTER", "ADDSLOTSRANGE", "0", "16383"); err != nil {
		return fail(err)
	}
	err = servertest.WaitFor(20*time.Second, func() error {
		info, err := replica.Info("replication")
		if err == nil && info["master_link_status"] != "up" {
			return errors.New("replica link " + info["master_link_status"])
		}
		if err == nil {
			info, err = primary.Info("replication")
			if err == nil && !strings.Contains(info["slave0"], "state=online") {
				return errors.New("primary sees no online replica: " + info["slave0"])
			}
		}
		if err == nil {
			var out string
			out, err = cluster.CLI("CLUSTER", "INFO")
			if err == nil && !strings.Contains(out, "cluster_state:ok") {
				err = errors.New("cluster not ok yet")
			}
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	return &servers{primary, replica, cluster}, stop, nil
}

func get(t *testing.T) *servers { return shared.Get(t, start) }

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err, s)
	return v
}

func TestPrimaryValuesMatchRedisCLI(t *testing.T) {
	s := get(t)
	p := s.primary
	for _, cmd := range [][]string{{"FLUSHALL"}, {"SET", "a", "1"}, {"SET", "b", "2"}, {"SET", "c", "3", "EX", "3600"},
		{"SELECT", "2"}} {
		_, err := p.Command(cmd...)
		require.NoError(t, err)
	}
	_, err := p.CLI("-n", "2", "SET", "d", "4")
	require.NoError(t, err)

	h := plugintest.New(t, metricsredis.Plugin)
	h.Env["REDIS_PASSWORD"] = password
	args := []string{"-host", "127.0.0.1", "-port", strconv.Itoa(p.Port)}
	before, err := p.Info()
	require.NoError(t, err)
	v1 := h.Values(h.Run(args...), args...)
	for range 5 {
		_, err := p.Command("GET", "a")
		require.NoError(t, err)
	}
	for range 3 {
		_, err := p.Command("GET", "missing")
		require.NoError(t, err)
	}
	h.Advance(time.Minute)
	r := h.Run(args...)
	v2 := h.Values(r, args...)
	after, err := p.Info()
	require.NoError(t, err)
	assert.Empty(t, r.Stderr)

	assert.Equal(t, 4.0, v2["redis.keys.keys"])
	assert.Equal(t, 1.0, v2["redis.keys.expires"])
	assert.Equal(t, 3.0, v2["redis.db.db0.keys"])
	assert.Equal(t, 1.0, v2["redis.db.db0.expires"])
	assert.Equal(t, 1.0, v2["redis.db.db2.keys"])
	assert.Equal(t, num(t, strings.Split(strings.Split(after["db0"], ",")[0], "=")[1]), v2["redis.db.db0.keys"], "redis-cli INFO db0")
	assert.Equal(t, num(t, after["connected_slaves"]), v2["redis.clients.connected_slaves"])
	assert.InDelta(t, num(t, after["uptime_in_seconds"]), v2["redis.uptime.uptime_in_seconds"], 1)
	assert.InEpsilon(t, num(t, after["used_memory"]), v2["redis.memory.used_memory"], 0.05)
	assert.InEpsilon(t, num(t, after["used_memory_peak"]), v2["redis.memory.used_memory_peak"], 0.05)
	assert.InEpsilon(t, num(t, after["used_memory_rss"]), v2["redis.memory.used_memory_rss"], 0.2)
	assert.Equal(t, num(t, after["used_memory_lua"]), v2["redis.memory.used_memory_lua"])
	assert.InDelta(t, 100*v2["redis.memory.used_memory"]/(64<<20), v2["redis.capacity.percentage_of_memory"], 0.01)
	maxclients, err := p.CLI("CONFIG", "GET", "maxclients") // 10000, or less under a low open-file limit
	require.NoError(t, err)
	mc := strings.Fields(maxclients)
	require.Len(t, mc, 2, maxclients)
	assert.InDelta(t, 100*v2["redis.clients.connected_clients"]/num(t, mc[1]), v2["redis.capacity.percentage_of_clients"], 1e-9)

	// Rates per minute: the clock moved one minute, so each is the
	// difference of redis-cli's totals.
	hits := num(t, after["keyspace_hits"]) - num(t, before["keyspace_hits"])
	misses := num(t, after["keyspace_misses"]) - num(t, before["keyspace_misses"])
	assert.Equal(t, 5.0, hits)
	assert.Equal(t, hits, v2["redis.keyspace.keyspace_hits"])
	assert.Equal(t, misses, v2["redis.keyspace.keyspace_misses"])
	assert.InDelta(t, num(t, after["total_commands_processed"])-num(t, before["total_commands_processed"]), v2["redis.queries.total_commands_processed"], 12)
	assert.Contains(t, v2, "redis.connections.total_connections_received")
	assert.Equal(t, 0.0, v2["redis.connections.rejected_connections"])
	assert.InDelta(t, 100*num(t, after["keyspace_hits"])/(num(t, after["keyspace_hits"])+num(t, after["keyspace_misses"])), v2["redis.hit_ratio.keyspace_hit_ratio"], 0.5)
	assert.NotContains(t, v1, "redis.keyspace.keyspace_hits", "no rate on the first run")

	// The replica: lag and offset delay, as INFO's slave0 line has them.
	slave0 := after["slave0"]
	require.Contains(t, slave0, "lag=")
	assert.Contains(t, v2, "redis.lag.slave0_lag")
	assert.LessOrEqual(t, v2["redis.lag.slave0_lag"], 2.0)
	assert.Contains(t, v2, "redis.offset_delay.slave0_offset_delay")
	assert.GreaterOrEqual(t, v2["redis.offset_delay.slave0_offset_delay"], 0.0)
	for name := range v2 {
		assert.False(t, strings.HasPrefix(name, "redis.cluster"), "%s: not a cluster", name)
	}
}

func TestSocketTLSAndACL(t *testing.T) {
	s := get(t)
	p := s.primary
	for name, args := range map[string][]string{
		"socket":   {"-socket", p.Socket, "-password", password},
		"tls":      {"-host", "127.0.0.1", "-port", strconv.Itoa(p.TLSPort), "-tls", "-ca-file", p.TLS.CA, "-password", password},
		"acl user": {"-host", "127.0.0.1", "-port", strconv.Itoa(p.Port), "-username", "monitor", "-password", monitorPassword},
		"tls skip": {"-host", "localhost", "-port", strconv.Itoa(p.TLSPort), "-tls", "-tls-skip-verify=true", "-password", password},
	} {
		h := plugintest.New(t, metricsredis.Plugin)
		v := h.Values(h.Run(args...), args...)
		assert.Contains(t, v, "redis.memory.used_memory", name)
	}
}

func TestReplicaWithoutMaxmemoryHasNoMemoryPercentage(t *testing.T) {
	s := get(t)
	h := plugintest.New(t, metricsredis.Plugin)
	args := []string{"-host", "127.0.0.1", "-port", strconv.Itoa(s.replica.Port), "-metric-key-prefix", "replica"}
	r := h.Run(args...)
	v := h.Values(r, args...)
	assert.NotContains(t, v, "replica.capacity.percentage_of_memory", "maxmemory 0 is no limit, not 0%")
	assert.Contains(t, v, "replica.capacity.percentage_of_clients")
	assert.Equal(t, 4.0, v["replica.keys.keys"], "the replica has the primary's keys")
	assert.Empty(t, r.Stderr)
}

func TestClusterAndRenamedConfig(t *testing.T) {
	s := get(t)
	h := plugintest.New(t, metricsredis.Plugin)
	args := []string{"-host", "127.0.0.1", "-port", strconv.Itoa(s.cluster.Port)}
	r := h.Run(args...)
	v := h.Values(r, args...)
	assert.Contains(t, r.Stderr, "capacity graph left out")
	assert.NotContains(t, v, "redis.capacity.percentage_of_clients")
	assert.Contains(t, v, "redis.memory.used_memory", "the other graphs stay")
	out, err := s.cluster.CLI("CLUSTER", "INFO")
	require.NoError(t, err)
	ci := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, val, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			ci[k] = val
		}
	}
	assert.Equal(t, 1.0, v["redis.cluster_state.cluster_state"])
	assert.Equal(t, num(t, ci["cluster_known_nodes"]), v["redis.cluster.cluster_known_nodes"])
	assert.Equal(t, 16384.0, v["redis.cluster_slots.cluster_slots_assigned"])
	assert.Equal(t, num(t, ci["cluster_slots_ok"]), v["redis.cluster_slots.cluster_slots_ok"])

	// -config-command "" skips CONFIG without a note.
	args = append(args, "-config-command", "")
	r = h.Run(args...)
	h.Values(r, args...)
	assert.Empty(t, r.Stderr)
}

func TestAuthenticationAndDown(t *testing.T) {
	s := get(t)
	h := plugintest.New(t, metricsredis.Plugin)
	r := h.Run("-host", "127.0.0.1", "-port", strconv.Itoa(s.primary.Port))
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "authentication required")
	r = h.Run("-host", "127.0.0.1", "-port", strconv.Itoa(s.primary.Port), "-password", "wrong-one")
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stderr, "authentication failed")
	assert.NotContains(t, r.Stderr, "wrong-one")
	free, err := servertest.FreePort()
	require.NoError(t, err)
	r = h.Run("-host", "127.0.0.1", "-port", strconv.Itoa(free))
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "refused")
}
