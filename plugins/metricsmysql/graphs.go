package metricsmysql

import "github.com/teko-dev/teko/metrics"

// kind is how a metric is printed.
type kind int

const (
	gauge     kind = iota // as read
	perMinute             // a counter, as a rate per minute (Mackerel's Diff)
	perSecond             // a counter, as a rate per second (Diff with Scale 1/60)
)

type metric struct {
	name, label string
	kind        kind
	stacked     bool
}

type graph struct {
	key, label string
	unit       metrics.Unit
	metrics    []metric
	innodb     bool // declared unless -disable_innodb
	extended   bool // declared with -enable_extended
}

func g(name, label string) metric  { return metric{name: name, label: label} }
func gs(name, label string) metric { return metric{name: name, label: label, stacked: true} }
func d(name, label string) metric  { return metric{name: name, label: label, kind: perMinute} }
func ds(name, label string) metric {
	return metric{name: name, label: label, kind: perMinute, stacked: true}
}
func dsec(name, label string) metric { return metric{name: name, label: label, kind: perSecond} }

// graphList is mackerel-plugin-mysql's graph definitions, key for key,
// name for name, label for label (labels with the default prefix).
var graphList = []graph{
	{key: "cmd", label: "MySQL Command", unit: metrics.Float, metrics: []metric{
		ds("Com_insert", "Insert"), ds("Com_insert_select", "Insert Select"), ds("Com_select", "Select"),
		ds("Com_update", "Update"), ds("Com_update_multi", "Update Multi"), ds("Com_delete", "Delete"),
		ds("Com_delete_multi", "Delete Multi"), ds("Com_replace", "Replace"), ds("Com_replace_select", "Replace Select"),
		ds("Com_load", "Load"), ds("Com_set_option", "Set Option"),
		d("Qcache_hits", "Query Cache Hits"), d("Questions", "Questions")}},
	{key: "join", label: "MySQL Join/Scan", unit: metrics.Float, metrics: []metric{
		d("Select_full_join", "Select Full JOIN"), d("Select_full_range_join", "Select Full Range JOIN"),
		d("Select_range", "Select Range"), d("Select_range_check", "Select Range Check"), d("Select_scan", "Select SCAN")}},
	{key: "threads", label: "MySQL Threads", unit: metrics.Integer, metrics: []metric{
		g("thread_cache_size", "Cache Size"), g("Threads_connected", "Connected"), g("Threads_running", "Running"),
		d("Threads_created", "Created"), g("Threads_cached", "Cached")}},
	{key: "connections", label: "MySQL Connections", unit: metrics.Float, metrics: []metric{
		g("max_connections", "Max Connections"), g("Max_used_connections", "Max Used Connections"),
		d("Connections", "Connections"), g("Threads_connected", "Threads Connected"),
		d("Aborted_clients", "Aborted Clients"), d("Aborted_connects", "Aborted Connects")}},
	{key: "seconds_behind_master", label: "MySQL Slave status", unit: metrics.Integer, metrics: []metric{
		g("Seconds_Behind_Master", "Seconds Behind Master")}},
	{key: "table_locks", label: "MySQL Table Locks/Slow Queries", unit: metrics.Float, metrics: []metric{
		d("Table_locks_immediate", "Table Locks Immediate"), d("Table_locks_waited", "Table Locks Waited"),
		d("Slow_queries", "Slow Queries")}},
	{key: "traffic", label: "MySQL Traffic", unit: metrics.BytesPerSec, metrics: []metric{
		dsec("Bytes_sent", "Sent Bytes"), dsec("Bytes_received", "Received Bytes")}},
	{key: "capacity", label: "MySQL Capacity", unit: metrics.Percentage, metrics: []metric{
		g("PercentageOfConnections", "Percentage Of Connections")}},

	{innodb: true, key: "innodb_rows", label: "MySQL innodb Rows", unit: metrics.Float, metrics: []metric{
		d("Innodb_rows_read", "Read"), d("Innodb_rows_inserted", "Inserted"), d("Innodb_rows_updated", "Updated"),
		d("Innodb_rows_deleted", "Deleted")}},
	{innodb: true, key: "innodb_row_lock_time", label: "MySQL innodb Row Lock Time", unit: metrics.Float, metrics: []metric{
		d("Innodb_row_lock_time", "Lock Time")}},
	{innodb: true, key: "innodb_row_lock_waits", label: "MySQL innodb Row Lock Waits", unit: metrics.Float, metrics: []metric{
		d("Innodb_row_lock_waits", "Lock Waits")}},
	{innodb: true, key: "innodb_adaptive_hash_index", label: "MySQL innodb Adaptive Hash Index", unit: metrics.Integer, metrics: []metric{
		g("hash_index_cells_total", "Hash Index Cells Total")}},
	{innodb: true, key: "innodb_buffer_pool_read", label: "MySQL innodb Buffer Pool Read (/sec)", unit: metrics.Float, metrics: []metric{
		dsec("read_ahead", "Pages Read Ahead"), dsec("read_evicted", "Evicted Without Access"),
		dsec("read_random_ahead", "Random Read Ahead")}},
	{innodb: true, key: "innodb_buffer_pool_activity", label: "MySQL innodb Buffer Pool Activity (Pages)", unit: metrics.Integer, metrics: []metric{
		d("pages_created", "Created"), d("pages_read", "Read"), d("pages_written", "Written")}},
	{innodb: true, key: "innodb_buffer_pool_efficiency", label: "MySQL innodb Buffer Pool Efficiency", unit: metrics.Integer, metrics: []metric{
		d("Innodb_buffer_pool_reads", "Reads"), d("Innodb_buffer_pool_read_requests", "Read Requests")}},
	{innodb: true, key: "innodb_buffer_pool", label: "MySQL innodb Buffer Pool (Pages)", unit: metrics.Integer, metrics: []metric{
		g("pool_size", "Pool Size"), gs("database_pages", "Used"), gs("free_pages", "Free"), g("modified_pages", "Modified")}},
	{innodb: true, key: "innodb_checkpoint_age", label: "MySQL innodb Checkpoint Age", unit: metrics.Bytes, metrics: []metric{
		g("uncheckpointed_bytes", "Uncheckpointed")}},
	{innodb: true, key: "innodb_current_lock_waits", label: "MySQL innodb Current Lock Waits (secs)", unit: metrics.Integer, metrics: []metric{
		g("innodb_lock_wait_secs", "Innodb Lock Wait")}},
	{innodb: true, key: "innodb_io", label: "MySQL innodb I/O", unit: metrics.Integer, metrics: []metric{
		d("file_reads", "File Reads"), d("file_writes", "File Writes"), d("file_fsyncs", "File fsyncs"), d("log_writes", "Log Writes")}},
	{innodb: true, key: "innodb_io_pending", label: "MySQL innodb I/O Pending", unit: metrics.Integer, metrics: []metric{
		g("pending_normal_aio_reads", "Normal AIO Reads"), g("pending_normal_aio_writes", "Normal AIO Writes"),
		g("pending_ibuf_aio_reads", "InnoDB Buffer AIO Reads"), g("pending_aio_log_ios", "AIO Log IOs"),
		g("pending_aio_sync_ios", "AIO Sync IOs"), g("pending_log_flushes", "Log Flushes (fsync)"),
		g("pending_buf_pool_flushes", "Buffer Pool Flushes"), g("pending_log_writes", "Log Writes"),
		g("pending_chkp_writes", "Checkpoint Writes"), g("log_pending_log_flushes", "Log Flushes (log)")}},
	{innodb: true, key: "innodb_insert_buffer", label: "MySQL innodb Insert Buffer", unit: metrics.Integer, metrics: []metric{
		d("ibuf_inserts", "Inserts"), d("ibuf_merges", "Merges"), d("ibuf_merged", "Merged")}},
	{innodb: true, key: "innodb_insert_buffer_usage", label: "MySQL innodb Insert Buffer Usage (Cells)", unit: metrics.Integer, metrics: []metric{
		g("ibuf_cell_count", "Cell Count"), gs("ibuf_used_cells", "Used"), gs("ibuf_free_cells", "Free")}},
	{innodb: true, key: "innodb_lock_structures", label: "MySQL innodb Lock Structures", unit: metrics.Integer, metrics: []metric{
		g("innodb_lock_structs", "Structures")}},
	{innodb: true, key: "innodb_log", label: "MySQL innodb Log", unit: metrics.Bytes, metrics: []metric{
		d("log_bytes_written", "Written"), d("log_bytes_flushed", "Flushed"), g("unflushed_log", "Unflushed"),
		gs("innodb_log_buffer_size", "Buffer Size")}},
	{innodb: true, key: "innodb_memory_allocation", label: "MySQL innodb Memory Allocation", unit: metrics.Integer, metrics: []metric{
		g("additional_pool_alloc", "Additional Pool Allocated"), g("total_mem_alloc", "Total Memory Allocated")}},
	{innodb: true, key: "innodb_semaphores", label: "MySQL innodb Semaphores", unit: metrics.Integer, metrics: []metric{
		d("spin_waits", "Spin Waits"), d("spin_rounds", "Spin Rounds"), d("os_waits", "OS Waits")}},
	{innodb: true, key: "innodb_tables_in_use", label: "MySQL innodb Tables In Use", unit: metrics.Integer, metrics: []metric{
		g("innodb_locked_tables", "Locked Tables"), g("innodb_tables_in_use", "Table in Use")}},
	{innodb: true, key: "innodb_transactions_active_locked", label: "MySQL innodb Transactions Active/Locked", unit: metrics.Integer, metrics: []metric{
		g("current_transactions", "Current"), g("active_transactions", "Active"), g("locked_transactions", "Locked"),
		g("read_views", "Read Views")}},
	{innodb: true, key: "innodb_transactions", label: "MySQL innodb Transactions", unit: metrics.Integer, metrics: []metric{
		g("history_list", "History List"), d("innodb_transactions", "InnoDB Transactions")}},

	{extended: true, key: "query_cache", label: "MySQL query Cache", unit: metrics.Float, metrics: []metric{
		g("Qcache_queries_in_cache", "Qcache Queries In Cache"), d("Qcache_hits", "Qcache Hits"),
		d("Qcache_inserts", "Qcache Inserts"), d("Qcache_not_cached", "Qcache Not Cached"),
		d("Qcache_lowmem_prunes", "Qcache Lowmem Prunes")}},
	{extended: true, key: "query_cache_memory", label: "MySQL query Cache Memory", unit: metrics.Float, metrics: []metric{
		g("query_cache_size", "Query Cache Size"), g("Qcache_free_memory", "Qcache Free Memory"),
		g("Qcache_total_blocks", "Qcache Total Blocks"), g("Qcache_free_blocks", "Qcache Free Blocks")}},
	{extended: true, key: "temporary_objects", label: "MySQL temporary Objects", unit: metrics.Float, metrics: []metric{
		d("Created_tmp_tables", "Created Tmp Tables"), d("Created_tmp_disk_tables", "Created Tmp Disk Tables"),
		d("Created_tmp_files", "Created Tmp Files")}},
	{extended: true, key: "files_and_tables", label: "MySQL files and Tables", unit: metrics.Float, metrics: []metric{
		g("table_cache", "Table Cache"), g("Open_tables", "Open Tables"), g("Open_files", "Open Files"),
		d("Opened_tables", "Opened Tables")}},
	{extended: true, key: "processlist", label: "MySQL processlist", unit: metrics.Float, metrics: processlistMetrics()},
	{extended: true, key: "sorts", label: "MySQL sorts", unit: metrics.Float, metrics: []metric{
		d("Sort_rows", "Sort Rows"), d("Sort_range", "Sort Range"), d("Sort_merge_passes", "Sort Merge Passes"),
		d("Sort_scan", "Sort Scan")}},
	{extended: true, key: "handlers", label: "MySQL handlers", unit: metrics.Float, metrics: []metric{
		ds("Handler_write", "Handler Write"), ds("Handler_update", "Handler Update"), ds("Handler_delete", "Handler Delete"),
		ds("Handler_read_first", "Handler Read First"), ds("Handler_read_key", "Handler Read Key"),
		ds("Handler_read_last", "Handler Read Last"), ds("Handler_read_next", "Handler Read Next"),
		ds("Handler_read_prev", "Handler Read Prev"), ds("Handler_read_rnd", "Handler Read Rnd"),
		ds("Handler_read_rnd_next", "Handler Read Rnd Next")}},
	{extended: true, key: "transaction_handler", label: "MySQL transaction handler", unit: metrics.Float, metrics: []metric{
		d("Handler_commit", "Handler Commit"), d("Handler_rollback", "Handler Rollback"),
		d("Handler_savepoint", "Handler Savepoint"), d("Handler_savepoint_rollback", "Handler Savepoint Rollback")}},
	{extended: true, key: "myisam_indexes", label: "MySQL MyISAM Indexes", unit: metrics.Float, metrics: []metric{
		d("Key_read_requests", "Key Read Requests"), d("Key_reads", "Key Reads"),
		d("Key_write_requests", "Key Write Requests"), d("Key_writes", "Key Writes")}},
	{extended: true, key: "myisam_key_cache", label: "MySQL MyISAM Key Cache", unit: metrics.Bytes, metrics: []metric{
		g("key_buffer_size", "Key Buffer Size"), g("key_buf_bytes_used", "Key Buf Bytes Used"),
		g("key_buf_bytes_unflushed", "Key Buf Bytes Unflushed")}},
}

// processStates are the processlist states the original counts; any
// other state counts as State_other.
var processStates = []string{"closing_tables", "copying_to_tmp_table", "end", "freeing_items", "init", "locked",
	"login", "preparing", "reading_from_net", "sending_data", "sorting_result", "statistics", "updating",
	"writing_to_net", "none", "other"}

func processlistMetrics() []metric {
	var ms []metric
	for _, s := range processStates {
		label := "State"
		for _, w := range splitWords(s) {
			label += " " + w
		}
		ms = append(ms, gs("State_"+s, label))
	}
	return ms
}

// splitWords turns "copying_to_tmp_table" into "Copying To Tmp Table".
func splitWords(s string) []string {
	var out []string
	word := []byte{}
	flush := func() {
		if len(word) > 0 {
			if word[0] >= 'a' && word[0] <= 'z' {
				word[0] -= 'a' - 'A'
			}
			out = append(out, string(word))
			word = []byte{}
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			flush()
			continue
		}
		word = append(word, s[i])
	}
	flush()
	return out
}
