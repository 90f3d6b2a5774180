package metricsmysql

import (
	"strconv"
	"sync/atomic"

	"github.com/teko-dev/teko/plugin/mysqlclient/mysqlfake"
)

// ConformanceArgs serves a stand-in server on 127.0.0.1 for the teko
// conformance suite (package plugins/conformance), which needs quick
// successful runs of every plugin: a few status variables whose counters
// grow with every run, a MariaDB-shaped InnoDB status, no replication.
// The tests of this package run against a real MariaDB.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	var runs atomic.Int64
	kv := func(pairs ...string) *mysqlfake.Result {
		r := &mysqlfake.Result{Columns: []string{"Variable_name", "Value"}}
		for i := 0; i+1 < len(pairs); i += 2 {
			r.Rows = append(r.Rows, []*string{mysqlfake.S(pairs[i]), mysqlfake.S(pairs[i+1])})
		}
		return r
	}
	srv, err := mysqlfake.Start(func(q string) (*mysqlfake.Result, error) {
		switch q {
		case "SHOW GLOBAL STATUS":
			n := strconv.FormatInt(100*runs.Add(1), 10)
			return kv("Com_select", n, "Questions", n, "Bytes_sent", n, "Threads_connected", "2", "Uptime", "1000",
				"Innodb_buffer_pool_pages_total", "1000", "Innodb_buffer_pool_pages_data", "250", "Innodb_rows_read", n), nil
		case "SHOW GLOBAL VARIABLES":
			return kv("max_connections", "151", "thread_cache_size", "8", "version", "10.11.0-MariaDB-fake"), nil
		case "SHOW ENGINE INNODB STATUS":
			return &mysqlfake.Result{Columns: []string{"Type", "Name", "Status"}, Rows: [][]*string{{mysqlfake.S("InnoDB"), mysqlfake.S(""),
				mysqlfake.S("Trx id counter 21\nHistory list length 3\nPending flushes (fsync): 0\nLog sequence number 47096\nLog flushed up to   47096\nLast checkpoint at  44894\nTotal large memory allocated 50331648\n0 read views open inside InnoDB\n")}}}, nil
		case "SHOW ALL SLAVES STATUS":
			return &mysqlfake.Result{Columns: []string{"Connection_name", "Slave_IO_Running", "Slave_SQL_Running", "Seconds_Behind_Master"}}, nil
		case "SHOW PROCESSLIST":
			return &mysqlfake.Result{Columns: []string{"Id", "User", "Host", "db", "Command", "Time", "State", "Info"},
				Rows: [][]*string{{mysqlfake.S("1"), mysqlfake.S("mon"), mysqlfake.S("localhost"), nil, mysqlfake.S("Query"), mysqlfake.S("0"), mysqlfake.S("starting"), mysqlfake.S("SHOW PROCESSLIST")}}}, nil
		}
		return nil, &mysqlfake.Error{Number: 1064, Message: "not served by the stand-in"}
	})
	if err != nil {
		return nil, nil, err
	}
	return []string{"-host", "127.0.0.1", "-port", strconv.Itoa(srv.Addr().Port)}, srv.Close, nil
}
