// Package metricsmysql is metrics-mysql: a drop-in for
// mackerel-plugin-mysql that works on MariaDB too. See README.md.
package metricsmysql

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/mysqlclient"
	"github.com/teko-dev/teko/plugin/secret"
)

// Plugin is metrics-mysql. Its flags are mackerel-plugin-mysql's, in
// either spelling ("-host=x" or "--host=x").
var Plugin = &plugin.Plugin{
	Name:           "metrics-mysql",
	Description:    "commands, connections, traffic, InnoDB and replication lag from a MySQL or MariaDB server",
	SingleDashLong: true,
	New:            func() any { return &options{} },
}

type options struct {
	Host           string       `long:"host" default:"localhost" description:"host name or address of the server"`
	Port           int          `long:"port" default:"3306" description:"TCP port of the server"`
	Socket         string       `long:"socket" value-name:"PATH" description:"connect to this unix socket instead of host and port"`
	Username       string       `long:"username" default:"root" description:"user to log in as"`
	Password       secret.Value `long:"password" statekey:"-" description:"password (default: $MYSQL_PASSWORD)"`
	PasswordFile   string       `long:"password-file" value-name:"FILE" statekey:"-" description:"read the password from this file's first line"`
	DisableInnoDB  bool         `long:"disable_innodb" description:"leave out the InnoDB graphs"`
	EnableExtended bool         `long:"enable_extended" description:"add the query cache, temporary objects, files and tables, processlist, sorts, handlers and MyISAM graphs"`
	TLS            bool         `long:"tls" description:"connect with TLS"`
	TLSRootCert    string       `long:"tls-root-cert" value-name:"FILE" description:"PEM file of the CA certificates that verify the server (default: the system's)"`
	TLSSkipVerify  bool         `long:"tls-skip-verify" description:"accept any server certificate"`
	Debug          bool         `long:"debug" hidden:"yes" statekey:"-" description:"accepted and ignored, as by the original"`
	Tempfile       string       `long:"tempfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-mysql compatibility: the same as --state-dir with FILE's directory"`
}

func (o *options) Prefix() string { return "mysql" }

// Validate rejects bad flag values before the run.
func (o *options) Validate() error {
	if o.Port < 1 || o.Port > 65535 {
		return fmt.Errorf("--port %d: want 1 to 65535", o.Port)
	}
	return nil
}

// Graphs are mackerel-plugin-mysql's for the same flags.
// GraphsFor labels the graphs as the original does for a metric key
// prefix: "mysql" in it spelled "MySQL", then each word's first letter
// upper-cased ("mysql_sub" makes "MySQL_sub Command"), so that two
// instances' graphs are told apart.
func (o *options) GraphsFor(prefix string) metrics.Graphs {
	gs := o.Graphs()
	word := cases.Title(language.Und, cases.NoLower).String(strings.ReplaceAll(prefix, "mysql", "MySQL"))
	for k, g := range gs {
		if rest, ok := strings.CutPrefix(g.Label, "MySQL "); ok {
			g.Label = word + " " + rest
			gs[k] = g
		}
	}
	return gs
}

func (o *options) Graphs() metrics.Graphs {
	gs := metrics.Graphs{}
	for _, gr := range o.graphs() {
		def := metrics.Graph{Label: gr.label, Unit: gr.unit}
		for _, m := range gr.metrics {
			def.Metrics = append(def.Metrics, metrics.Metric{Name: m.name, Label: m.label, Stacked: m.stacked})
		}
		gs[gr.key] = def
	}
	return gs
}

// graphs are the graphs the flags ask for.
func (o *options) graphs() []graph {
	var out []graph
	for _, gr := range graphList {
		if gr.innodb && o.DisableInnoDB || gr.extended && !o.EnableExtended {
			continue
		}
		if gr.key == "capacity" && !o.DisableInnoDB {
			gr.metrics = append(gr.metrics[:len(gr.metrics):len(gr.metrics)], g("PercentageOfBufferPool", "Percentage Of Buffer Pool"))
		}
		out = append(out, gr)
	}
	return out
}

func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	pw, err := secret.Resolve(o.Password, o.PasswordFile, inv.Getenv, "MYSQL_PASSWORD")
	if err != nil {
		return err
	}
	conn, err := mysqlclient.Connect(ctx, mysqlclient.Config{
		Host: o.Host, Port: o.Port, Socket: o.Socket, User: o.Username, Password: pw,
		TLS: o.TLS, TLSRootCert: o.TLSRootCert, TLSSkipVerify: o.TLSSkipVerify,
	})
	if err != nil {
		return err
	}
	defer conn.Close()
	stat, notes, err := o.fetch(ctx, conn)
	if err != nil {
		return err
	}
	for _, n := range notes {
		inv.Warnf("%s", n)
	}
	o.record(stat, b)
	return nil
}

// fetch asks the server everything the graphs need, in as few
// statements as possible, and returns the values under the original's
// names.
func (o *options) fetch(ctx context.Context, conn *mysqlclient.Conn) (map[string]float64, []string, error) {
	var notes []string
	stat := map[string]float64{}
	status, err := conn.KeyValues(ctx, "SHOW GLOBAL STATUS")
	if err != nil {
		return nil, nil, err
	}
	numbers(status, stat)
	vars, err := conn.KeyValues(ctx, "SHOW GLOBAL VARIABLES")
	if err != nil {
		return nil, nil, err
	}
	numbers(vars, stat)

	if !o.DisableInnoDB {
		innodbFromStatus(stat)
		auroraReader := vars["aurora_version"] != "" && vars["innodb_read_only"] == "ON"
		if !auroraReader {
			_, rows, err := conn.Rows(ctx, "SHOW ENGINE INNODB STATUS")
			switch {
			case mysqlclient.KindOf(err) == mysqlclient.Denied:
				notes = append(notes, fmt.Sprintf("%v: the InnoDB values read from it are left out (grant PROCESS, or give -disable_innodb)", err))
			case err != nil:
				return nil, nil, err
			case len(rows) == 0 || len(rows[0]) < 3 || rows[0][2] == nil:
				notes = append(notes, "SHOW ENGINE INNODB STATUS answered nothing (is InnoDB disabled? then give -disable_innodb)")
			default:
				notes = append(notes, parseInnodbStatus(*rows[0][2], stat)...)
			}
		}
		derivedInnodb(stat)
	}

	channels, _, err := conn.Replicas(ctx)
	switch {
	case mysqlclient.KindOf(err) == mysqlclient.Denied:
		notes = append(notes, fmt.Sprintf("%v: seconds_behind_master left out (grant REPLICATION CLIENT and, on MariaDB 10.5 and later, SLAVE MONITOR)", err))
	case err != nil:
		return nil, nil, err
	}
	// Several channels (multi-source): the graph shows the one furthest
	// behind. A NULL lag (stopped thread) is no value, never 0.
	lag := math.Inf(-1)
	for _, ch := range channels {
		if ch.SecondsBehind != nil {
			lag = math.Max(lag, float64(*ch.SecondsBehind))
		}
	}
	if !math.IsInf(lag, -1) {
		stat["Seconds_Behind_Master"] = lag
	}

	if o.EnableExtended {
		if v, ok := stat["table_open_cache"]; ok {
			stat["table_cache"] = v
		}
		if size, ok := stat["key_cache_block_size"]; ok {
			if unused, ok := stat["Key_blocks_unused"]; ok {
				stat["key_buf_bytes_used"] = stat["key_buffer_size"] - unused*size
			}
			if dirty, ok := stat["Key_blocks_not_flushed"]; ok {
				stat["key_buf_bytes_unflushed"] = dirty * size
			}
		}
		cols, rows, err := conn.Rows(ctx, "SHOW PROCESSLIST")
		if err != nil {
			return nil, nil, err
		}
		countStates(cols, rows, stat)
	}

	if maxConn := stat["max_connections"]; maxConn > 0 {
		if tc, ok := stat["Threads_connected"]; ok {
			stat["PercentageOfConnections"] = 100 * tc / maxConn
		}
	}
	if !o.DisableInnoDB {
		if size := stat["pool_size"]; size > 0 {
			if used, ok := stat["database_pages"]; ok {
				stat["PercentageOfBufferPool"] = 100 * used / size
			}
		}
	}
	return stat, notes, nil
}

// numbers adds the values of m that are numbers to stat.
func numbers(m map[string]string, stat map[string]float64) {
	for k, v := range m {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			stat[k] = f
		}
	}
}

// innodbFromStatus takes what SHOW GLOBAL STATUS says about InnoDB under
// the original's names. MariaDB and MySQL report some of the values the
// InnoDB status text holds as status variables too; those are used when
// the text does not have them (MariaDB 10.5 and later dropped many of its
// lines) or cannot be read (no PROCESS privilege).
func innodbFromStatus(stat map[string]float64) {
	for dst, src := range map[string]string{
		"database_pages":         "Innodb_buffer_pool_pages_data",
		"free_pages":             "Innodb_buffer_pool_pages_free",
		"file_fsyncs":            "Innodb_data_fsyncs",
		"file_reads":             "Innodb_data_reads",
		"file_writes":            "Innodb_data_writes",
		"modified_pages":         "Innodb_buffer_pool_pages_dirty",
		"pool_size":              "Innodb_buffer_pool_pages_total",
		"pages_created":          "Innodb_pages_created",
		"pages_read":             "Innodb_pages_read",
		"pages_written":          "Innodb_pages_written",
		"read_ahead":             "Innodb_buffer_pool_read_ahead",
		"read_evicted":           "Innodb_buffer_pool_read_ahead_evicted",
		"read_random_ahead":      "Innodb_buffer_pool_read_ahead_rnd",
		"innodb_log_buffer_size": "innodb_log_buffer_size",
	} {
		if v, ok := stat[src]; ok {
			stat[dst] = v
		}
	}
}

// statusFallbacks fill what the InnoDB text did not give. MariaDB
// 10.11's Innodb_ibuf_size and Innodb_ibuf_segment_size are not sizes
// (1086626725889 pages on an idle server), so the insert buffer usage
// is taken from the text only.
var statusFallbacks = map[string]string{
	"history_list":        "Innodb_history_list_length",
	"innodb_transactions": "Innodb_max_trx_id",
	"log_bytes_written":   "Innodb_lsn_current",
	"log_bytes_flushed":   "Innodb_lsn_flushed",
	"last_checkpoint":     "Innodb_lsn_last_checkpoint",
	"log_writes":          "Innodb_log_writes",
	"ibuf_merges":         "Innodb_ibuf_merges",
	"ibuf_inserts":        "Innodb_ibuf_merged_inserts",
	"pending_log_writes":  "Innodb_os_log_pending_writes",
	"pending_log_flushes": "Innodb_os_log_pending_fsyncs",
}

func derivedInnodb(stat map[string]float64) {
	for dst, src := range statusFallbacks {
		if _, ok := stat[dst]; ok {
			continue
		}
		if v, ok := stat[src]; ok {
			stat[dst] = v
		}
	}
	if _, ok := stat["ibuf_merged"]; !ok {
		ins, ok1 := stat["Innodb_ibuf_merged_inserts"]
		del, ok2 := stat["Innodb_ibuf_merged_deletes"]
		mark, ok3 := stat["Innodb_ibuf_merged_delete_marks"]
		if ok1 && ok2 && ok3 {
			stat["ibuf_merged"] = ins + del + mark
		}
	}
	w, okW := stat["log_bytes_written"]
	if f, ok := stat["log_bytes_flushed"]; okW && ok {
		stat["unflushed_log"] = w - f
	}
	if c, ok := stat["last_checkpoint"]; okW && ok {
		stat["uncheckpointed_bytes"] = w - c
	} else if age, ok := stat["Innodb_checkpoint_age"]; ok {
		stat["uncheckpointed_bytes"] = age
	}
}

// countStates counts SHOW PROCESSLIST's threads by state, as the
// original does: "" is none, table locks are locked, anything not in
// processStates is other.
func countStates(cols []string, rows [][]*string, stat map[string]float64) {
	for _, s := range processStates {
		stat["State_"+s] = 0
	}
	col := -1
	for i, c := range cols {
		if strings.EqualFold(c, "State") {
			col = i
		}
	}
	if col < 0 {
		return
	}
	known := map[string]bool{}
	for _, s := range processStates {
		known[s] = true
	}
	for _, r := range rows {
		state := "NULL"
		if col < len(r) && r[col] != nil {
			state = *r[col]
		}
		switch {
		case state == "":
			state = "none"
		case state == "Table lock", strings.HasPrefix(state, "Waiting for ") && strings.HasSuffix(state, "lock"):
			state = "locked"
		}
		state = strings.ReplaceAll(strings.ToLower(state), " ", "_")
		if !known[state] {
			state = "other"
		}
		stat["State_"+state]++
	}
}

// record puts every declared metric the server gave into the batch;
// one it did not give is left out, never printed as 0.
func (o *options) record(stat map[string]float64, b *metrics.Batch) {
	var counters []string
	for _, gr := range o.graphs() {
		for _, m := range gr.metrics {
			v, ok := stat[m.name]
			if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			name := gr.key + "." + m.name
			switch m.kind {
			case gauge:
				b.Gauge(name, v)
			case perMinute, perSecond:
				if v < 0 || v > math.MaxUint64 {
					continue
				}
				if m.kind == perSecond {
					b.ScaledCounter(name, uint64(v), 1.0/60) // per minute to per second, as the original's Scale 1/60
				} else {
					b.Counter(name, uint64(v))
				}
				counters = append(counters, name)
			}
		}
	}
	b.Together(counters...) // one server restart resets them all
}
