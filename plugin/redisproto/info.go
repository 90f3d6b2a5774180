package redisproto

import (
	"sort"
	"strconv"
	"strings"
)

// Info is the parsed answer to INFO (or CLUSTER INFO, which has the same
// "key:value" lines without sections).
type Info struct {
	// Fields holds every "key:value" line, keyspace and replica lines
	// included, by key. A key given twice keeps the last value.
	Fields map[string]string
	// DBs are the keyspace lines ("db0:keys=3,expires=1,avg_ttl=0"),
	// sorted by database number.
	DBs []DB
	// Replicas are a primary's replica lines
	// ("slave0:ip=…,port=…,state=online,offset=…,lag=0"), sorted by
	// their number.
	Replicas []Replica
}

// DB is one keyspace line. A field the line lacks is -1.
type DB struct {
	Name    string // "db0"
	Number  int
	Keys    int64
	Expires int64
	AvgTTL  int64 // milliseconds
}

// Replica is one replica line of a primary's INFO replication section.
type Replica struct {
	Name   string // "slave0", as Redis names it
	Number int
	IP     string
	Port   string
	State  string // "online", "wait_bgsave", …
	// Offset is the replication offset the replica acknowledged; HasOffset
	// says whether the line had one.
	Offset    int64
	HasOffset bool
	// Lag is the seconds since the replica's last acknowledgement;
	// HasLag says whether the line had one (Redis before 2.8.x has none).
	Lag    int64
	HasLag bool
}

// ParseInfo reads INFO text. Comment lines ("# Server"), empty lines
// and lines without a colon are skipped; values are kept as text, so
// that nothing is lost to a format this parser does not know.
func ParseInfo(text string) *Info {
	info := &Info{Fields: map[string]string{}}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok || key == "" {
			continue
		}
		info.Fields[key] = value
		if n, ok := numbered(key, "db"); ok {
			f := ParseFields(value)
			info.DBs = append(info.DBs, DB{Name: key, Number: n, Keys: intOr(f, "keys"), Expires: intOr(f, "expires"), AvgTTL: intOr(f, "avg_ttl")})
		} else if n, ok := numbered(key, "slave"); ok {
			if r, ok := parseReplica(key, n, value); ok {
				info.Replicas = append(info.Replicas, r)
			}
		}
	}
	sort.Slice(info.DBs, func(i, j int) bool { return info.DBs[i].Number < info.DBs[j].Number })
	sort.Slice(info.Replicas, func(i, j int) bool { return info.Replicas[i].Number < info.Replicas[j].Number })
	return info
}

// numbered reports whether key is prefix followed by a decimal number.
func numbered(key, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok || rest == "" || len(rest) > 9 {
		return 0, false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

func parseReplica(key string, n int, value string) (Replica, bool) {
	f := ParseFields(value)
	if len(f) == 0 {
		return Replica{}, false
	}
	r := Replica{Name: key, Number: n, IP: f["ip"], Port: f["port"], State: f["state"]}
	if v, err := strconv.ParseInt(f["offset"], 10, 64); err == nil {
		r.Offset, r.HasOffset = v, true
	}
	if v, err := strconv.ParseInt(f["lag"], 10, 64); err == nil {
		r.Lag, r.HasLag = v, true
	}
	return r, true
}

// ParseFields reads "a=1,b=2" into a map. Items without "=" are skipped.
func ParseFields(value string) map[string]string {
	out := map[string]string{}
	for _, item := range strings.Split(value, ",") {
		if k, v, ok := strings.Cut(item, "="); ok && k != "" {
			out[k] = v
		}
	}
	return out
}

func intOr(f map[string]string, key string) int64 {
	v, err := strconv.ParseInt(f[key], 10, 64)
	if err != nil {
		return -1
	}
	return v
}

// Get returns the value of key and whether INFO had it.
func (i *Info) Get(key string) (string, bool) {
	v, ok := i.Fields[key]
	return v, ok
}

// Uint returns key's value as an unsigned integer; false when INFO had no
// such key or its value is not one.
func (i *Info) Uint(key string) (uint64, bool) {
	v, err := strconv.ParseUint(i.Fields[key], 10, 64)
	return v, err == nil
}

// Float returns key's value as a number; false when INFO had no such key
// or its value is not a finite number.
func (i *Info) Float(key string) (float64, bool) {
	v, err := strconv.ParseFloat(i.Fields[key], 64)
	if err != nil || v != v || v > 1e308 || v < -1e308 {
		return 0, false
	}
	return v, true
}
