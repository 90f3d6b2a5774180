package metricsmysql

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The MySQL 8.0 text is written from the shape MySQL 8.0 prints; MariaDB's
// is tested on the real server.
func TestParseMySQL80InnodbStatus(t *testing.T) {
	text, err := os.ReadFile("testdata/mysql80-innodb-status.txt")
	require.NoError(t, err)
	stat := map[string]float64{}
	notes := parseInnodbStatus(string(text), stat)
	assert.Empty(t, notes)
	want := map[string]float64{
		"spin_waits": 8, "os_waits": 3, "innodb_transactions": 12345, "history_list": 7,
		"current_transactions": 3, "active_transactions": 2, "locked_transactions": 1,
		"innodb_lock_structs": 5, "innodb_lock_wait_secs": 18, "innodb_tables_in_use": 1, "innodb_locked_tables": 1,
		"pending_normal_aio_reads": 3, "pending_normal_aio_writes": 3,
		"pending_log_flushes": 1, "pending_buf_pool_flushes": 4,
		"ibuf_used_cells": 1, "ibuf_free_cells": 10, "ibuf_cell_count": 12, "ibuf_merges": 5,
		"ibuf_inserts": 6, "ibuf_merged": 21, "hash_index_cells_total": 34679,
		"log_bytes_written": 28622392, "log_bytes_flushed": 28622000, "last_checkpoint": 28600000,
		"log_writes": 25, "total_mem_alloc": 137363456, "read_views": 2,
	}
	for k, v := range want {
		assert.Equal(t, v, stat[k], k)
	}
	derivedInnodb(stat)
	assert.Equal(t, 392.0, stat["unflushed_log"])
	assert.Equal(t, 22392.0, stat["uncheckpointed_bytes"])
}

// Lines the original panics on, or that a new version words differently,
// are skipped with a note; nothing panics.
func TestParseInnodbStatusIsDefensive(t *testing.T) {
	stat := map[string]float64{}
	notes := parseInnodbStatus(strings.Join([]string{
		"Pending flushes (fsync): 0", // MariaDB 10.x: the original's index out of range [4]
		"Mutex spin waits 5",         // too short
		"Pending normal aio reads: [0, x] , aio writes: 0 ,",
		"Trx id counter",
		"History list length many",
		"Log sequence number 10 20", // old MySQL: high and low words
		"Something InnoDB never said",
	}, "\n"), stat)
	assert.Len(t, notes, 4, "%q", notes)
	for _, n := range notes {
		assert.True(t, strings.HasPrefix(n, "InnoDB status: line "), n)
	}
	for name, v := range stat {
		if name == "log_bytes_written" {
			assert.Equal(t, 10*4294967296+20.0, v)
		} else {
			assert.Zero(t, v, "%s: only the transaction list's real zeros besides", name)
		}
	}
}

func FuzzParseInnodbStatus(f *testing.F) {
	text, _ := os.ReadFile("testdata/mysql80-innodb-status.txt")
	f.Add(string(text))
	f.Add("Pending flushes (fsync): 0\nIbuf: size\n merged recs, \n, delete mark ")
	f.Fuzz(func(t *testing.T, s string) {
		parseInnodbStatus(s, map[string]float64{})
	})
}
