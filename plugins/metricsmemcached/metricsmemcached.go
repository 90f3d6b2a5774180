// Package metricsmemcached is the metrics-memcached plugin, a drop-in
// replacement for mackerel-plugin-memcached: the same flags in either
// spelling, metric names, graph keys, labels and units. One connection
// per run reads "stats" and "stats items", each under the run's
// deadline.
package metricsmemcached

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/memcache"
)

// Plugin is metrics-memcached.
var Plugin = &plugin.Plugin{
	Name:           "metrics-memcached",
	Description:    "connections, commands, hits and misses, evictions, traffic, CPU and cache size from memcached's stats",
	SingleDashLong: true,
	New:            func() any { return &options{} },
}

type options struct {
	Host     string `long:"host" value-name:"HOST" default:"localhost" description:"host name or IP address of the server"`
	Port     int    `long:"port" value-name:"PORT" default:"11211" description:"TCP port of the server"`
	Socket   string `long:"socket" value-name:"PATH" description:"connect to this unix socket (overrides --host and --port)"`
	Tempfile string `long:"tempfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-memcached compatibility: the same as --state-dir with FILE's directory"`
}

func (o *options) Prefix() string { return "memcached" }

// Validate rejects impossible values as flag errors.
func (o *options) Validate() error {
	if o.Socket == "" && (o.Port < 1 || o.Port > 65535) {
		return fmt.Errorf("--port %d: want 1 to 65535", o.Port)
	}
	if o.Socket == "" && strings.TrimSpace(o.Host) == "" {
		return errors.New("--host is empty")
	}
	return nil
}

func mm(name, label string) metrics.Metric { return metrics.Metric{Name: name, Label: label} }

// Graphs are mackerel-plugin-memcached's, key for key and label for label
// (its "Resouce Usage" typo included, so that existing graphs match).
func (o *options) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"connections": {Label: "Memcached Connections", Unit: metrics.Integer, Metrics: []metrics.Metric{mm("curr_connections", "Connections")}},
		"cmd": {Label: "Memcached Command", Unit: metrics.Integer, Metrics: []metrics.Metric{
			mm("cmd_get", "Get"), mm("cmd_set", "Set"), mm("cmd_flush", "Flush"), mm("cmd_touch", "Touch")}},
		"hitmiss": {Label: "Memcached Hits/Misses", Unit: metrics.Integer, Metrics: []metrics.Metric{
			mm("get_hits", "Get Hits"), mm("get_misses", "Get Misses"), mm("delete_hits", "Delete Hits"), mm("delete_misses", "Delete Misses"),
			mm("incr_hits", "Incr Hits"), mm("incr_misses", "Incr Misses"), mm("cas_hits", "Cas Hits"), mm("cas_misses", "Cas Misses"),
			mm("touch_hits", "Touch Hits"), mm("touch_misses", "Touch Misses")}},
		"evictions": {Label: "Memcached Evictions", Unit: metrics.Integer, Metrics: []metrics.Metric{
			mm("evictions", "Evictions"), mm("nonzero_evictions", "Nonzero Evictions"), mm("reclaimed", "Reclaimed")}},
		"unfetched": {Label: "Memcached Unfetched", Unit: metrics.Integer, Metrics: []metrics.Metric{
			mm("expired_unfetched", "Expired unfetched"), mm("evicted_unfetched", "Evicted unfetched")}},
		"rusage": {Label: "Memcached Resouce Usage", Unit: metrics.Float, Metrics: []metrics.Metric{
			mm("rusage_user", "User"), mm("rusage_system", "System")}},
		"bytes": {Label: "Memcached Traffics", Unit: metrics.Bytes, Metrics: []metrics.Metric{
			mm("bytes_read", "Read"), mm("bytes_written", "Write")}},
		"cachesize": {Label: "Memcached Cache Size", Unit: metrics.Bytes, Metrics: []metrics.Metric{
			mm("limit_maxbytes", "Total"), mm("bytes", "Used")}},
		"items": {Label: "Memcached Items", Unit: metrics.Integer, Metrics: []metrics.Metric{
			mm("curr_items", "Current Items"), mm("new_items", "New Items")}},
	}
}

// counters maps each per-minute rate to its "stats" field.
var counters = []struct{ name, field string }{
	{"cmd.cmd_get", "cmd_get"}, {"cmd.cmd_set", "cmd_set"}, {"cmd.cmd_flush", "cmd_flush"}, {"cmd.cmd_touch", "cmd_touch"},
	{"hitmiss.get_hits", "get_hits"}, {"hitmiss.get_misses", "get_misses"},
	{"hitmiss.delete_hits", "delete_hits"}, {"hitmiss.delete_misses", "delete_misses"},
	{"hitmiss.incr_hits", "incr_hits"}, {"hitmiss.incr_misses", "incr_misses"},
	{"hitmiss.cas_hits", "cas_hits"}, {"hitmiss.cas_misses", "cas_misses"},
	{"hitmiss.touch_hits", "touch_hits"}, {"hitmiss.touch_misses", "touch_misses"},
	{"evictions.evictions", "evictions"}, {"evictions.reclaimed", "reclaimed"},
	{"unfetched.expired_unfetched", "expired_unfetched"}, {"unfetched.evicted_unfetched", "evicted_unfetched"},
	{"bytes.bytes_read", "bytes_read"}, {"bytes.bytes_written", "bytes_written"},
	{"items.new_items", "total_items"},
}

// gauges maps each value printed as it is to its "stats" field.
var gauges = []struct{ name, field string }{
	{"connections.curr_connections", "curr_connections"},
	{"cachesize.limit_maxbytes", "limit_maxbytes"},
	{"cachesize.bytes", "bytes"},
	{"items.curr_items", "curr_items"},
}

// Collect reads "stats" and "stats items" once.
func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	network, address := "tcp", net.JoinHostPort(strings.Trim(o.Host, "[]"), strconv.Itoa(o.Port))
	if o.Socket != "" {
		network, address = "unix", o.Socket
	}
	if deadline, ok := ctx.Deadline(); ok { // leave time to say what did not answer
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Now().Add(time.Until(deadline)*3/4))
		defer cancel()
	}
	conn, err := memcache.Dial(ctx, network, address)
	if err != nil {
		return err
	}
	defer conn.Close()
	stats, err := conn.Stats(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", address, err)
	}
	if _, ok := stats["pid"]; !ok {
		return fmt.Errorf("%s: stats has no pid; not memcached?", address)
	}
	var together []string
	for _, c := range counters {
		if v, err := strconv.ParseUint(stats[c.field], 10, 64); err == nil {
			b.Counter(c.name, v)
			together = append(together, c.name)
		}
	}
	for _, f := range []string{"rusage_user", "rusage_system"} {
		if us, ok := micros(stats[f]); ok {
			b.ConvertedCounter("rusage."+f, us, 1e-6, 1e-6) // CPU seconds per minute; totals in seconds
			together = append(together, "rusage."+f)
		}
	}
	for _, gv := range gauges {
		if v, err := strconv.ParseFloat(stats[gv.field], 64); err == nil {
			b.Gauge(gv.name, v)
		}
	}
	items, err := conn.Stats(ctx, "items")
	if err != nil {
		inv.Warnf("nonzero_evictions left out: stats items: %v", err)
	} else {
		var sum uint64
		ok := true
		for k, v := range items {
			if strings.HasSuffix(k, ":evicted_nonzero") {
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					ok = false
					break
				}
				sum += n
			}
		}
		if ok {
			b.Counter("evictions.nonzero_evictions", sum)
			together = append(together, "evictions.nonzero_evictions")
		}
	}
	b.Together(together...) // one server: a restart resets them all
	return nil
}

// micros reads memcached's "seconds.microseconds" CPU time exactly.
func micros(s string) (uint64, bool) {
	sec, frac, _ := strings.Cut(s, ".")
	whole, err := strconv.ParseUint(sec, 10, 64)
	if err != nil || len(frac) > 6 {
		return 0, false
	}
	var us uint64
	if frac != "" {
		f, err := strconv.ParseUint(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
		if err != nil {
			return 0, false
		}
		us = f
	}
	return whole*1_000_000 + us, true
}
