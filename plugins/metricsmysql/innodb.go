package metricsmysql

import (
	"fmt"
	"strconv"
	"strings"
)

// parseInnodbStatus reads the text of SHOW ENGINE INNODB STATUS into
// stat, under the names mackerel-plugin-mysql uses. It never panics: a
// line it recognises but whose shape it does not know (MariaDB and each
// MySQL version word them differently) is skipped, and described in one
// of the returned notes. Lines it does not recognise at all are of no
// interest and ignored.
func parseInnodbStatus(text string, stat map[string]float64) (notes []string) {
	p := &innodbParser{stat: stat}
	for _, raw := range strings.Split(text, "\n") {
		p.line(strings.TrimLeft(raw, " "))
	}
	if p.inTransaction {
		// The transaction list was there: what it did not show is a
		// real zero (no transaction waiting, none locked).
		for _, name := range []string{"current_transactions", "active_transactions", "locked_transactions",
			"innodb_lock_wait_secs", "innodb_tables_in_use", "innodb_locked_tables", "innodb_lock_structs"} {
			if _, ok := stat[name]; !ok {
				stat[name] = 0
			}
		}
	}
	return p.notes
}

type innodbParser struct {
	stat          map[string]float64
	notes         []string
	inTransaction bool
	prev          string
	cur           string
	record        []string
}

// num returns field i of the current line as a number ("1,234;" and
// "5/s" read as 1234 and 5).
func (p *innodbParser) num(i int) (float64, bool) {
	if i >= len(p.record) {
		return 0, false
	}
	s := strings.NewReplacer(",", "", ";", "", "/s", "").Replace(p.record[i])
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v, err == nil
}

// set stores the numbers at the given field positions under the names;
// add adds them. Either notes the line and stores nothing when a field is
// missing or not a number.
func (p *innodbParser) set(pairs ...any) { p.store(false, pairs) }
func (p *innodbParser) add(pairs ...any) { p.store(true, pairs) }

func (p *innodbParser) store(add bool, pairs []any) {
	vals := make([]float64, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		v, ok := p.num(pairs[i+1].(int))
		if !ok {
			p.skip()
			return
		}
		vals = append(vals, v)
	}
	for i := 0; i < len(pairs); i += 2 {
		name := pairs[i].(string)
		if add {
			p.stat[name] += vals[i/2]
		} else {
			p.stat[name] = vals[i/2]
		}
	}
}

func (p *innodbParser) skip() {
	line := p.cur
	if len(line) > 100 {
		line = line[:100] + "…"
	}
	p.notes = append(p.notes, fmt.Sprintf("InnoDB status: line %q not understood; skipped", line))
}

func (p *innodbParser) line(line string) {
	p.cur, p.record = line, strings.Fields(line)
	r := p.record
	has := func(s string) bool { return strings.Contains(line, s) }
	pre := func(s string) bool { return strings.HasPrefix(line, s) }
	defer func() { p.prev = line }()
	switch {
	// Semaphores
	case pre("Mutex spin waits"):
		p.add("spin_waits", 3, "spin_rounds", 5, "os_waits", 8)
	case pre("RW-shared spins") && has(";"): // 5.5, 5.6
		p.add("spin_waits", 2, "os_waits", 5)
		p.add("spin_waits", 8, "os_waits", 11)
	case pre("RW-shared spins"), pre("RW-excl spins"), pre("RW-sx spins"):
		p.add("spin_waits", 2, "os_waits", 7)

	// Transactions
	case pre("Trx id counter"):
		p.inTransaction = true
		if len(r) >= 5 { // old MySQL: high and low words
			hi, ok1 := p.num(3)
			lo, ok2 := p.num(4)
			if !ok1 || !ok2 {
				p.skip()
				return
			}
			p.stat["innodb_transactions"] = hi*4294967296 + lo
			return
		}
		p.set("innodb_transactions", 3)
	case pre("History list length"):
		p.set("history_list", 3)
	case p.inTransaction && pre("---TRANSACTION"):
		p.stat["current_transactions"]++
		if has("ACTIVE") {
			p.stat["active_transactions"]++
		}
	case p.inTransaction && pre("------- TRX HAS BEEN"):
		p.add("innodb_lock_wait_secs", 5)
	case has("read views open inside InnoDB"):
		p.set("read_views", 0)
	case p.inTransaction && pre("mysql tables in use"):
		p.add("innodb_tables_in_use", 4, "innodb_locked_tables", 6)
	case p.inTransaction && has("lock struct(s)"):
		if pre("LOCK WAIT") {
			p.add("innodb_lock_structs", 2)
			p.stat["locked_transactions"]++
		} else {
			p.add("innodb_lock_structs", 0)
		}

	// File I/O
	case pre("Pending normal aio reads:"):
		p.aio(strings.TrimPrefix(line, "Pending normal aio reads:"))
	case pre("ibuf aio reads"):
		if len(r) >= 10 {
			p.set("pending_ibuf_aio_reads", 3, "pending_aio_log_ios", 6, "pending_aio_sync_ios", 9)
		} else if len(r) >= 4 { // MySQL 8: "ibuf aio reads:" alone
			p.set("pending_ibuf_aio_reads", 3)
		}
	case pre("Pending flushes (fsync) log:"): // MySQL: "Pending flushes (fsync) log: 0; buffer pool: 0"
		p.set("pending_log_flushes", 4, "pending_buf_pool_flushes", 7)
	case pre("Pending flushes (fsync):"):
		// MariaDB 10.x: one number, the pending tablespace fsyncs, neither
		// of the two above. Mackerel's plugin panics on this line.

	// Insert buffer and adaptive hash index
	case pre("Ibuf for space 0: size "):
		p.set("ibuf_used_cells", 5, "ibuf_free_cells", 9, "ibuf_cell_count", 12)
	case pre("Ibuf: size "):
		p.set("ibuf_used_cells", 2, "ibuf_free_cells", 6, "ibuf_cell_count", 9)
		if has("merges") {
			p.set("ibuf_merges", 10)
		}
	case has(", delete mark ") && strings.HasPrefix(p.prev, "merged operations:"):
		v1, ok1 := p.num(1)
		v2, ok2 := p.num(4)
		v3, ok3 := p.num(6)
		if !ok1 || !ok2 || !ok3 {
			p.skip()
			return
		}
		p.stat["ibuf_inserts"] = v1
		p.stat["ibuf_merged"] = v1 + v2 + v3
	case has(" merged recs, "):
		p.set("ibuf_inserts", 0, "ibuf_merged", 2, "ibuf_merges", 5)
	case pre("Hash table size "):
		p.set("hash_index_cells_total", 3)

	// Log
	case has(" log i/o's done, "):
		p.set("log_writes", 0)
	case has(" pending log writes, "): // MySQL < 5.7
		p.set("pending_log_writes", 0, "pending_chkp_writes", 4)
	case has(" pending log flushes, "): // MySQL 5.7
		p.set("log_pending_log_flushes", 0, "pending_chkp_writes", 4)
	case pre("Log sequence number"):
		p.bigint("log_bytes_written", 3)
	case pre("Log flushed up to"):
		p.bigint("log_bytes_flushed", 4)
	case pre("Last checkpoint at"):
		p.bigint("last_checkpoint", 3)

	// Memory
	case pre("Total memory allocated") && has("in additional pool allocated"): // 5.6 and older
		p.set("total_mem_alloc", 3, "additional_pool_alloc", 8)
	case pre("Total large memory allocated"):
		p.set("total_mem_alloc", 4)
	}
}

// bigint reads a log sequence number: one field, or (old MySQL) a high
// and a low 32-bit word.
func (p *innodbParser) bigint(name string, i int) {
	if len(p.record) > i+1 {
		hi, ok1 := p.num(i)
		lo, ok2 := p.num(i + 1)
		if ok1 && ok2 {
			p.stat[name] = hi*4294967296 + lo
			return
		}
	}
	p.set(name, i)
}

// aio reads the rest of a "Pending normal aio reads:" line, whose shape
// varies: "0, aio writes: 0,", "0 [0, 0, 0, 0] , aio writes: 0 [0, 0] ,",
// "[0, 0, 0, 0] , aio writes: [0, 0, 0, 0] ,".
func (p *innodbParser) aio(s string) {
	readPart, writePart, _ := strings.Cut(s, ", aio writes:")
	reads, ok1 := aioCount(readPart)
	writes, ok2 := aioCount(writePart)
	if !ok1 || !ok2 {
		p.skip()
		return
	}
	p.stat["pending_normal_aio_reads"] = reads
	p.stat["pending_normal_aio_writes"] = writes
}

// aioCount returns the sum in brackets if there is one, else the number.
func aioCount(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if i, j := strings.Index(s, "["), strings.Index(s, "]"); i >= 0 && j > i {
		total := 0.0
		for _, f := range strings.Split(s[i+1:j], ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return 0, false
			}
			total += v
		}
		return total, true
	}
	s = strings.TrimSpace(strings.TrimRight(s, ","))
	if s == "" {
		return 0, true
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}
