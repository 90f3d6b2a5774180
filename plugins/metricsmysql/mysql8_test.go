package metricsmysql

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/mysqlclient/mysqlfake"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// readTSV reads a capture: tab-separated rows, NULL for NULL; with
// header, the first line is the column names.
func readTSV(t *testing.T, path string, header bool) ([]string, [][]*string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var cols []string
	var rows [][]*string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if header && cols == nil {
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
	if !header {
		cols = []string{"Variable_name", "Value"}
	}
	return cols, rows
}

// A MySQL 8.4 replica with two channels, from captures written from
// MySQL's documented output: MariaDB's statements are syntax errors,
// lag is in Seconds_Behind_Source.
func TestMySQL84Replica(t *testing.T) {
	statusCols, statusRows := readTSV(t, "testdata/mysql80-global-status.tsv", false)
	replCols, replRows := readTSV(t, "testdata/mysql84-show-replica-status.tsv", true)
	innodb, err := os.ReadFile("testdata/mysql80-innodb-status.txt")
	require.NoError(t, err)
	srv, err := mysqlfake.Start(func(q string) (*mysqlfake.Result, error) {
		switch q {
		case "SHOW GLOBAL STATUS":
			return &mysqlfake.Result{Columns: statusCols, Rows: statusRows}, nil
		case "SHOW GLOBAL VARIABLES":
			return &mysqlfake.Result{Columns: []string{"Variable_name", "Value"}, Rows: [][]*string{
				{mysqlfake.S("max_connections"), mysqlfake.S("151")}, {mysqlfake.S("version"), mysqlfake.S("8.4.3")}}}, nil
		case "SHOW ENGINE INNODB STATUS":
			return &mysqlfake.Result{Columns: []string{"Type", "Name", "Status"}, Rows: [][]*string{{mysqlfake.S("InnoDB"), mysqlfake.S(""), mysqlfake.S(string(innodb))}}}, nil
		case "SHOW REPLICA STATUS":
			return &mysqlfake.Result{Columns: replCols, Rows: replRows}, nil
		}
		return nil, &mysqlfake.Error{Number: 1064, Message: "You have an error in your SQL syntax"}
	})
	require.NoError(t, err)
	defer srv.Close()
	h := plugintest.New(t, Plugin)
	a := []string{"-host", "127.0.0.1", "-port", strconv.Itoa(srv.Addr().Port)}
	r := h.Run(a...)
	got := h.Values(r, a...)
	assert.Empty(t, r.Stderr)
	assert.Equal(t, 300.0, got["mysql.seconds_behind_master.Seconds_Behind_Master"], "the channel furthest behind")
	assert.Equal(t, 100*1200/8192.0, got["mysql.capacity.PercentageOfBufferPool"])
	assert.Equal(t, 100*5/151.0, got["mysql.capacity.PercentageOfConnections"])
	assert.Equal(t, 137363456.0, got["mysql.innodb_memory_allocation.total_mem_alloc"])
	assert.Equal(t, 3.0, got["mysql.innodb_io_pending.pending_normal_aio_reads"])
	assert.Equal(t, 22392.0, got["mysql.innodb_checkpoint_age.uncheckpointed_bytes"])
	assert.Equal(t, 7.0, got["mysql.innodb_transactions.history_list"])
}
