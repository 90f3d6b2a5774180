package checkmysql

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/mysqlclient/mysqlfake"
)

// serveCapture answers like a MySQL server of the capture's version:
// MariaDB's SHOW ALL SLAVES STATUS is a syntax error, and so is SHOW
// REPLICA STATUS before 8.0.22 (replicaStatement names the statement the
// version knows).
func serveCapture(t *testing.T, replicaStatement, capture string) int {
	t.Helper()
	cols, rows := readCapture(t, capture)
	srv, err := mysqlfake.Start(func(q string) (*mysqlfake.Result, error) {
		if q == replicaStatement {
			return &mysqlfake.Result{Columns: cols, Rows: rows}, nil
		}
		return nil, &mysqlfake.Error{Number: 1064, Message: "You have an error in your SQL syntax near '" + q + "'"}
	})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	return srv.Addr().Port
}

func TestMySQL84MultiChannelReplica(t *testing.T) {
	port := serveCapture(t, "SHOW REPLICA STATUS", "testdata/mysql84-show-replica-status.tsv")
	r := run(t, "replication", "-H", "127.0.0.1", "-p", strconv.Itoa(port), "--format", "nagios")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Equal(t, "MySQL Replication CRITICAL: channel 'east': MySQL replication behind master 12 seconds; channel 'west': MySQL replication behind master 300 seconds | "+
		"seconds_behind_east=12s;200;250 seconds_behind_west=300s;200;250\n", r.Stdout)
}

func TestMySQL57Replica(t *testing.T) {
	port := serveCapture(t, "SHOW SLAVE STATUS", "testdata/mysql57-show-slave-status-io-connecting.tsv")
	r := run(t, "replication", "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "MySQL Replication CRITICAL: MySQL replication has been stopped (IO thread: Connecting, SQL thread: Yes)\n")
}

func TestMySQL80NullLag(t *testing.T) {
	port := serveCapture(t, "SHOW REPLICA STATUS", "testdata/mysql80-show-replica-status-null-lag.tsv")
	r := run(t, "replication", "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Equal(t, "MySQL Replication UNKNOWN: Unknown seconds behind in MySQL replication\n", r.Stdout)
}

// A server that logs in and then never answers a statement: the run
// still ends within -t.
func TestServerHangingOnAStatement(t *testing.T) {
	release := make(chan struct{})
	srv, err := mysqlfake.Start(func(string) (*mysqlfake.Result, error) {
		<-release
		return nil, nil
	})
	require.NoError(t, err)
	defer srv.Close()
	defer close(release)
	start := time.Now()
	r := run(t, "uptime", "-H", "127.0.0.1", "-p", strconv.Itoa(srv.Addr().Port), "-t", "2")
	assert.Less(t, time.Since(start), 4*time.Second, "-t 2 (a loaded machine may add a little)")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Regexp(t, `^MySQL Uptime CRITICAL: SHOW GLOBAL STATUS LIKE 'Uptime': no answer from 127\.0\.0\.1:\d+ within 1\.\ds\n$`, r.Stdout)
}
