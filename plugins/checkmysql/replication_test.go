package checkmysql

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/mysqlclient"
	"github.com/teko-dev/teko/plugin/servertest"
)

// The replication tests change the replica's state in turn, so they run
// as one test.
func TestReplicationStates(t *testing.T) {
	s := getPair(t)
	repl := append([]string{"replication"}, tcp(s.replica)...)

	t.Run("healthy MariaDB replica is OK", func(t *testing.T) {
		// Mackerel's check-mysql says CRITICAL "replication has been
		// stopped" here: it takes MariaDB 10.x for MySQL 8.
		r := run(t, repl...)
		assert.Equal(t, 0, r.Code, r.Stdout)
		assert.Equal(t, "MySQL Replication OK: MySQL replication behind master 0 seconds\n", r.Stdout)
	})

	t.Run("a primary is not a replica", func(t *testing.T) {
		r := run(t, append([]string{"replication"}, tcp(s.primary)...)...)
		assert.Equal(t, 0, r.Code, r.Stdout)
		assert.Equal(t, "MySQL Replication OK: MySQL is not a replica\n", r.Stdout)
	})

	t.Run("without the monitoring grant", func(t *testing.T) {
		r := run(t, "replication", "-H", "127.0.0.1", "-p", strconv.Itoa(s.replica.Port), "-u", "nopriv", "-P", "x")
		assert.Equal(t, 3, r.Code, r.Stdout)
		assert.Contains(t, r.Stdout, "privilege")
	})

	t.Run("stopped", func(t *testing.T) {
		exec(t, s.replica, "STOP SLAVE SQL_THREAD")
		defer exec(t, s.replica, "START SLAVE SQL_THREAD")
		r := run(t, repl...)
		assert.Equal(t, 2, r.Code, r.Stdout)
		assert.Equal(t, "MySQL Replication CRITICAL: MySQL replication has been stopped (IO thread: Yes, SQL thread: No)\n", r.Stdout)
	})

	t.Run("every channel of a multi-source replica", func(t *testing.T) {
		// A second connection to a port where nothing listens: its IO
		// thread keeps connecting, the default channel stays healthy.
		exec(t, s.replica, "CHANGE MASTER 'other' TO MASTER_HOST='127.0.0.1', MASTER_PORT="+strconv.Itoa(closedPort(t))+
			", MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_CONNECT_RETRY=1; START SLAVE 'other'")
		defer exec(t, s.replica, "STOP SLAVE 'other'; RESET SLAVE 'other' ALL")
		waitReplica(t, s.replica)
		r := run(t, repl...)
		assert.Equal(t, 2, r.Code, r.Stdout)
		assert.Contains(t, r.Stdout, "channel '': MySQL replication behind master 0 seconds")
		assert.Regexp(t, `channel 'other': MySQL replication has been stopped \(IO thread: (Connecting|No), SQL thread: Yes\)`, r.Stdout)
	})

	t.Run("lagging", func(t *testing.T) {
		exec(t, s.replica, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=3600; START SLAVE")
		defer exec(t, s.replica, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=0; START SLAVE")
		exec(t, s.primary, "INSERT INTO t.a VALUES (1)")
		var r struct {
			Code   int
			Stdout string
		}
		require.NoError(t, servertest.WaitFor(10*time.Second, func() error {
			res := run(t, append(repl, "-w", "1", "-c", "3600")...)
			r.Code, r.Stdout = res.Code, res.Stdout
			if res.Code != 1 {
				return os.ErrDeadlineExceeded
			}
			return nil
		}), r.Stdout)
		assert.Regexp(t, `^MySQL Replication WARNING: MySQL replication behind master \d+ seconds\n$`, r.Stdout)
	})

	t.Run("broken", func(t *testing.T) {
		waitReplica(t, s.replica)
		// The same key inserted on both: the replica's SQL thread stops
		// on the primary's row.
		exec(t, s.replica, "SET sql_log_bin=0; INSERT INTO t.a VALUES (42)")
		exec(t, s.primary, "INSERT INTO t.a VALUES (42)")
		require.NoError(t, servertest.WaitFor(10*time.Second, func() error {
			if r := run(t, repl...); r.Code != 2 {
				return os.ErrDeadlineExceeded
			}
			return nil
		}))
		r := run(t, repl...)
		assert.Equal(t, 2, r.Code, r.Stdout)
		assert.Contains(t, r.Stdout, "MySQL Replication CRITICAL: MySQL replication has been stopped (IO thread: Yes, SQL thread: No)\ndefault: ")
		assert.Contains(t, r.Stdout, "Duplicate")
	})
}

func exec(t *testing.T, m *servertest.MariaDB, sql string) {
	t.Helper()
	if _, err := m.Exec(sql); err != nil {
		t.Fatal(err)
	}
}

// waitReplica waits until the default channel has caught up.
func waitReplica(t *testing.T, m *servertest.MariaDB) {
	t.Helper()
	require.NoError(t, servertest.WaitFor(10*time.Second, func() error {
		out, err := m.Exec("SHOW SLAVE STATUS")
		if err == nil && !strings.Contains(out, "\tYes\tYes\t") {
			return os.ErrDeadlineExceeded
		}
		return err
	}))
}

// readCapture reads a captured replica status: a header line of column
// names, then one line per channel, tab-separated, NULL for NULL.
func readCapture(t *testing.T, path string) ([]string, [][]*string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	var cols []string
	var rows [][]*string
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if cols == nil {
			cols = fields
			continue
		}
		row := make([]*string, len(fields))
		for i, v := range fields {
			if v != "NULL" {
				row[i] = &v
			}
		}
		rows = append(rows, row)
	}
	return cols, rows
}

// MySQL 8.0.22 and later name the columns Replica_* and *_Source; the
// captures are written from MySQL's documented column list.
func TestMySQL8ReplicaStatusCaptures(t *testing.T) {
	cmd := &replicationCmd{Critical: 250, Warning: 200}
	cols, rows := readCapture(t, "testdata/mysql84-show-replica-status.tsv")
	chans := mysqlclient.ParseReplicas(cols, rows)
	require.Len(t, chans, 2)
	r := cmd.judge(chans)
	assert.Equal(t, "CRITICAL", r.Status.String())
	assert.Equal(t, "channel 'east': MySQL replication behind master 12 seconds; channel 'west': MySQL replication behind master 300 seconds", r.Summary)

	cols, rows = readCapture(t, "testdata/mysql80-show-replica-status-null-lag.tsv")
	r = cmd.judge(mysqlclient.ParseReplicas(cols, rows))
	assert.Equal(t, "UNKNOWN", r.Status.String())
	assert.Equal(t, "Unknown seconds behind in MySQL replication", r.Summary)

	cols, rows = readCapture(t, "testdata/mysql57-show-slave-status-io-connecting.tsv")
	r = cmd.judge(mysqlclient.ParseReplicas(cols, rows))
	assert.Equal(t, "CRITICAL", r.Status.String())
	assert.Equal(t, "MySQL replication has been stopped (IO thread: Connecting, SQL thread: Yes)", r.Summary)
	assert.Equal(t, []string{"default: error connecting to master 'repl@10.0.0.5:3306' - retry-time: 60 retries: 3 message: Can't connect to MySQL server on '10.0.0.5:3306' (111)"}, r.Details)
}
