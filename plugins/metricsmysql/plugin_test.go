package metricsmysql

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

func TestGaugesMatchTheServer(t *testing.T) {
	s := getPair(t)
	h := plugintest.New(t, Plugin)
	var got, st map[string]float64
	// A connection that has just ended may still be counted for a
	// moment: compare again until the counts agree or 5 s have passed.
	_ = servertest.WaitFor(5*time.Second, func() error {
		got = h.Values(h.Run(args(s.primary)...), args(s.primary)...)
		st = status(t, s.primary, "SHOW GLOBAL STATUS")
		if st["Threads_connected"] != got["mysql.connections.Threads_connected"] {
			return assert.AnError
		}
		return nil
	})
	vars := status(t, s.primary, "SHOW GLOBAL VARIABLES")
	assert.Equal(t, vars["max_connections"], got["mysql.connections.max_connections"])
	assert.Equal(t, vars["thread_cache_size"], got["mysql.threads.thread_cache_size"])
	// The client's connection stands for the plugin's, which has ended.
	assert.Equal(t, st["Threads_connected"], got["mysql.connections.Threads_connected"])
	assert.Equal(t, st["Max_used_connections"], got["mysql.connections.Max_used_connections"])
	assert.Equal(t, st["Innodb_buffer_pool_pages_total"], got["mysql.innodb_buffer_pool.pool_size"])
	assert.Equal(t, vars["innodb_log_buffer_size"], got["mysql.innodb_log.innodb_log_buffer_size"])
	assert.InDelta(t, 100*st["Threads_connected"]/vars["max_connections"], got["mysql.capacity.PercentageOfConnections"], 1e-9)
	assert.Contains(t, got, "mysql.capacity.PercentageOfBufferPool")
	// Read from the InnoDB status text (MariaDB's shape).
	assert.Contains(t, got, "mysql.innodb_memory_allocation.total_mem_alloc")
	assert.Contains(t, got, "mysql.innodb_transactions.history_list")
	assert.Contains(t, got, "mysql.innodb_checkpoint_age.uncheckpointed_bytes")
	// The transaction list was read: no lock wait is a real 0.
	assert.Equal(t, 0.0, got["mysql.innodb_current_lock_waits.innodb_lock_wait_secs"])
	assert.Contains(t, got, "mysql.innodb_transactions_active_locked.locked_transactions")
	// MariaDB 10.11 reports nonsense in Innodb_ibuf_size: not used.
	assert.NotContains(t, got, "mysql.innodb_insert_buffer_usage.ibuf_cell_count")
	// A primary has no lag: none printed, never a made-up 0.
	assert.NotContains(t, got, "mysql.seconds_behind_master.Seconds_Behind_Master")
}

func TestCountersArePerMinuteRates(t *testing.T) {
	s := getPair(t)
	conn := open(t, s.primary)
	h := plugintest.New(t, Plugin)
	first := h.Values(h.Run(args(s.primary)...), args(s.primary)...)
	assert.NotContains(t, first, "mysql.cmd.Com_select", "a first run has no rate")
	const n = 17
	for range n {
		_, err := conn.ExecContext(context.Background(), "SELECT 1")
		require.NoError(t, err)
	}
	h.Advance(30 * time.Second)
	got := h.Values(h.Run(args(s.primary)...), args(s.primary)...)
	assert.Equal(t, float64(2*n), got["mysql.cmd.Com_select"], "%d SELECTs in 30 s are %d a minute", n, 2*n)
	assert.Greater(t, got["mysql.traffic.Bytes_received"], 0.0)
	assert.Less(t, got["mysql.traffic.Bytes_received"], 10000.0, "bytes/sec, not per minute")
}

func TestReplicaLagOnMariaDB(t *testing.T) {
	// mackerel-plugin-mysql never prints it on MariaDB: it looks for
	// Seconds_Behind_Source because 10.11 >= 8.0.22.
	s := getPair(t)
	h := plugintest.New(t, Plugin)
	got := h.Values(h.Run(args(s.replica, "-disable_innodb")...), args(s.replica, "-disable_innodb")...)
	v, ok := got["mysql.seconds_behind_master.Seconds_Behind_Master"]
	require.True(t, ok, "%v", got)
	assert.Equal(t, 0.0, v)
	for name := range got {
		assert.False(t, strings.HasPrefix(name, "mysql.innodb_"), "-disable_innodb: %s", name)
	}
	assert.NotContains(t, got, "mysql.capacity.PercentageOfBufferPool")
}

func TestWithoutProcessPrivilege(t *testing.T) {
	s := getPair(t)
	h := plugintest.New(t, Plugin)
	a := []string{"-host", "127.0.0.1", "-port", strconv.Itoa(s.primary.Port), "-username", "noproc", "-password", "x"}
	r := h.Run(a...)
	got := h.Values(r, a...)
	assert.Contains(t, got, "mysql.connections.max_connections")
	assert.Contains(t, got, "mysql.innodb_buffer_pool.pool_size", "InnoDB values from SHOW GLOBAL STATUS need no PROCESS")
	assert.NotContains(t, got, "mysql.innodb_memory_allocation.total_mem_alloc", "read from the InnoDB status text")
	assert.Contains(t, r.Stderr, "PROCESS")
}

func TestExtendedProcesslist(t *testing.T) {
	s := getPair(t)
	h := plugintest.New(t, Plugin)
	a := args(s.primary, "-enable_extended")
	got := h.Values(h.Run(a...), a...)
	total := 0.0
	for _, st := range processStates {
		v, ok := got["mysql.processlist.State_"+st]
		require.True(t, ok, st)
		total += v
	}
	assert.GreaterOrEqual(t, total, 2.0, "at least the plugin and the replica's binlog dump")
	vars := status(t, s.primary, "SHOW GLOBAL VARIABLES")
	assert.Equal(t, vars["table_open_cache"], got["mysql.files_and_tables.table_cache"])
	assert.Equal(t, vars["key_buffer_size"], got["mysql.myisam_key_cache.key_buffer_size"])
}

func TestServerDownAndSilentServer(t *testing.T) {
	port, err := servertest.FreePort()
	require.NoError(t, err)
	h := plugintest.New(t, Plugin)
	r := h.Run("-host", "127.0.0.1", "-port", strconv.Itoa(port), "-password", "hunter2")
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "cannot connect to 127.0.0.1:"+strconv.Itoa(port))
	assert.NotContains(t, r.Stderr, "hunter2")

	_, silent, _ := net.SplitHostPort(servertest.Hang(t, "tcp"))
	start := time.Now()
	r = h.Run("-host", "127.0.0.1", "-port", silent, "-t", "2")
	assert.Less(t, time.Since(start), 4*time.Second, "-t 2 (a loaded machine may add a little)")
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "no answer from 127.0.0.1:"+silent)
}

func TestGraphKeysAreTheOriginals(t *testing.T) {
	h := plugintest.New(t, Plugin)
	keys := func(args ...string) []string {
		r := h.Meta(args...)
		require.Equal(t, 0, r.Code, r.Stderr)
		_, body, _ := strings.Cut(r.Stdout, "\n")
		var meta struct {
			Graphs map[string]json.RawMessage `json:"graphs"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &meta))
		var ks []string
		for k := range meta.Graphs {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	base := []string{"mysql.capacity", "mysql.cmd", "mysql.connections", "mysql.join", "mysql.seconds_behind_master", "mysql.table_locks", "mysql.threads", "mysql.traffic"}
	assert.Equal(t, base, keys("-disable_innodb"))
	assert.Len(t, keys(), len(base)+21, "mackerel-plugin-mysql has 21 InnoDB graphs")
	assert.Len(t, keys("-enable_extended"), len(base)+21+10)
}

// The unix socket, the original's -tempfile, and a password that reaches
// no file of the state directory.
func TestSocketTempfileAndSecretState(t *testing.T) {
	s := getPair(t)
	dir := t.TempDir()
	h := plugintest.New(t, Plugin)
	a := []string{"-socket", s.primary.Socket, "-username", "mon", "-password", "mon pw", "-tempfile", filepath.Join(dir, "mackerel-plugin-mysql")}
	// mon@127.0.0.1 does not match a socket login (localhost): root has
	// no password over the socket.
	r := h.Run(a...)
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stderr, "login mon@"+s.primary.Socket+" refused")
	assert.NotContains(t, r.Stderr, "mon pw")
	a = []string{"-socket", s.primary.Socket, "-username", "root", "-password", "", "-tempfile", filepath.Join(dir, "mackerel-plugin-mysql")}
	h.Values(h.Run(a...), a...)
	h.Advance(time.Minute)
	got := h.Values(h.Run(append(a, "-password=")...), a...)
	assert.Contains(t, got, "mysql.cmd.Questions", "the second run found the first run's counters in -tempfile's directory")

	h.Env["MYSQL_PASSWORD"] = "env-secret-xyz"
	h.Run("-host", "127.0.0.1", "-port", strconv.Itoa(s.primary.Port), "-username", "mon", "-password", "flag-secret-xyz", "-tempfile", filepath.Join(dir, "x"))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), "secret-xyz")
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		assert.NotContains(t, string(b), "secret-xyz", e.Name())
	}
}

// With -metric-key-prefix the graph labels start with the prefix, as the
// original makes them ("mysql" spelled "MySQL", each word capitalised):
// two instances side by side have graphs told apart.
func TestLabelsFollowThePrefix(t *testing.T) {
	for prefix, want := range map[string]string{"mysql": "MySQL Command", "mysqlmain": "MySQLmain Command", "db2_mysql": "Db2_MySQL Command"} {
		r := plugintest.New(t, Plugin).Meta("-metric-key-prefix=" + prefix)
		require.Equal(t, 0, r.Code, r.Stderr)
		_, body, _ := strings.Cut(r.Stdout, "\n")
		var meta struct {
			Graphs map[string]struct {
				Label string `json:"label"`
			} `json:"graphs"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &meta))
		assert.Equal(t, want, meta.Graphs[prefix+".cmd"].Label, prefix)
		for key, g := range meta.Graphs {
			assert.True(t, strings.HasPrefix(g.Label, strings.TrimSuffix(want, "Command")), "%s: %s", key, g.Label)
		}
	}
}
