// Package metricsredis is the metrics-redis plugin, a drop-in
// replacement for mackerel-plugin-redis: the same flags in either
// spelling ("-host=x", "--host=x"), REDIS_PASSWORD, and the same metric
// names, graph keys, labels and units, so existing dashboards keep
// working. It adds per-database key counts and the keyspace hit ratio.
//
// One connection and one INFO per run (CONFIG GET maxmemory and
// maxclients for the capacity graph, CLUSTER INFO on a cluster node).
// INFO is read defensively: a field a Redis version or fork lacks, or
// writes differently, leaves out that value only. A CONFIG command that
// is renamed or forbidden (managed Redis) leaves out the capacity graph
// only, with a note on stderr. No value is ever made up: with maxmemory 0
// (no limit, the default) there is no percentage of memory.
package metricsredis

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/netclient"
	"github.com/teko-dev/teko/plugin/redisproto"
	"github.com/teko-dev/teko/plugin/secret"
)

// Plugin is metrics-redis.
var Plugin = &plugin.Plugin{
	Name:           "metrics-redis",
	Description:    "commands, connections, clients, keys, memory, capacity, replication and cluster state from Redis INFO",
	SingleDashLong: true,
	New:            func() any { return &options{} },
}

type options struct {
	Host          string       `long:"host" value-name:"HOST" default:"localhost" description:"host name or IP address of the server"`
	Port          int          `long:"port" value-name:"PORT" default:"6379" description:"TCP port of the server"`
	Socket        string       `long:"socket" value-name:"PATH" description:"connect to this unix socket (overrides --host and --port)"`
	Username      string       `long:"username" value-name:"USER" default:"default" description:"ACL user to authenticate as (Redis 6 and later)"`
	Password      secret.Value `long:"password" value-name:"PASSWORD" statekey:"-" description:"password (default: $REDIS_PASSWORD)"`
	PasswordFile  string       `long:"password-file" value-name:"FILE" statekey:"-" description:"read the password from this file's first line"`
	ConfigCommand string       `long:"config-command" value-name:"NAME" default:"CONFIG" statekey:"-" description:"name of the CONFIG command (renamed on some managed services); \"\" skips the capacity graph"`
	TLS           bool         `long:"tls" description:"connect with TLS"`
	netclient.TLSOptions

	tlsConfig *tls.Config // from TLSOptions, built by Validate
	Tempfile  string      `long:"tempfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-redis compatibility: the same as --state-dir with FILE's directory"`
}

func (o *options) Prefix() string { return "redis" }

// Validate rejects impossible values as flag errors.
func (o *options) Validate() error {
	if o.Socket == "" && (o.Port < 1 || o.Port > 65535) {
		return fmt.Errorf("--port %d: want 1 to 65535", o.Port)
	}
	if o.Socket == "" && strings.TrimSpace(o.Host) == "" {
		return errors.New("--host is empty")
	}
	cfg, err := o.TLSOptions.Config()
	switch {
	case err != nil:
		return err
	case cfg != nil && !o.TLS:
		return errors.New("--tls-skip-verify, --ca-file, --cert-file and --key-file need --tls")
	case o.TLS && cfg == nil:
		cfg = &tls.Config{}
	}
	o.tlsConfig = cfg
	return nil
}

func g(label string, unit metrics.Unit, ms ...metrics.Metric) metrics.Graph {
	return metrics.Graph{Label: "Redis " + label, Unit: unit, Metrics: ms}
}

func m(name, label string) metrics.Metric { return metrics.Metric{Name: name, Label: label} }

func s(name, label string) metrics.Metric {
	return metrics.Metric{Name: name, Label: label, Stacked: true}
}

// Graphs are mackerel-plugin-redis's, key for key, label for label
// (with the default prefix), plus db.# and hit_ratio. The replication
// graphs, which the original defines per replica found at meta time, are
// defined once with a wildcard, so they need no server at meta time.
func (o *options) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"queries":       g("Queries", metrics.Integer, m("total_commands_processed", "Queries")),
		"connections":   g("Connections", metrics.Integer, s("total_connections_received", "Connections"), s("rejected_connections", "Rejected Connections")),
		"clients":       g("Clients", metrics.Integer, s("connected_clients", "Connected Clients"), s("blocked_clients", "Blocked Clients"), s("connected_slaves", "Connected Slaves")),
		"keys":          g("Keys", metrics.Integer, m("keys", "Keys"), m("expires", "Keys with expiration"), m("expired", "Expired Keys"), m("evicted_keys", "Evicted Keys")),
		"keyspace":      g("Keyspace", metrics.Integer, m("keyspace_hits", "Keyspace Hits"), m("keyspace_misses", "Keyspace Missed")),
		"memory":        g("Memory", metrics.Integer, m("used_memory", "Used Memory"), m("used_memory_rss", "Used Memory RSS"), m("used_memory_peak", "Used Memory Peak"), m("used_memory_lua", "Used Memory Lua engine")),
		"capacity":      g("Capacity", metrics.Percentage, m("percentage_of_memory", "Percentage of memory"), m("percentage_of_clients", "Percentage of clients")),
		"uptime":        g("Uptime", metrics.Integer, m("uptime_in_seconds", "Uptime In Seconds")),
		"lag":           g("Slave Lag", metrics.Seconds, m("*", "Replication lag")),
		"offset_delay":  g("Slave Offset Delay", metrics.Integer, m("*", "Offset delay")),
		"cluster":       g("Cluster", metrics.Integer, m("cluster_known_nodes", "Known Nodes"), m("cluster_size", "Size")),
		"cluster_state": g("Cluster State", metrics.Integer, m("cluster_state", "State (1: ok, 0: fail)")),
		"cluster_slots": g("Cluster Slots", metrics.Integer, m("cluster_slots_assigned", "Slots Assigned"), m("cluster_slots_ok", "Slots OK"), m("cluster_slots_pfail", "Slots PFAIL"), m("cluster_slots_fail", "Slots FAIL")),
		"cluster_stats": g("Cluster Stats", metrics.Integer,
			m("cluster_stats_messages_ping_sent", "Messages PING Sent"), m("cluster_stats_messages_pong_sent", "Messages PONG Sent"),
			m("cluster_stats_messages_fail_sent", "Messages FAIL Sent"), m("cluster_stats_messages_sent", "Messages Sent"),
			m("cluster_stats_messages_ping_received", "Messages PING Received"), m("cluster_stats_messages_pong_received", "Messages PONG Received"),
			m("cluster_stats_messages_fail_received", "Messages FAIL Received"), m("cluster_stats_messages_received", "Messages Received")),
		// teko's additions.
		"db.#":      g("Keys per DB", metrics.Integer, m("keys", "Keys"), m("expires", "Keys with expiration")),
		"hit_ratio": g("Keyspace Hit Ratio", metrics.Percentage, m("keyspace_hit_ratio", "Hits per lookup since start")),
	}
}

// counters are the INFO fields drawn as per-minute rates, by metric name.
var counters = []struct{ name, field string }{
	{"queries.total_commands_processed", "total_commands_processed"},
	{"connections.total_connections_received", "total_connections_received"},
	{"connections.rejected_connections", "rejected_connections"},
	{"keys.expired", "expired_keys"},
	{"keys.evicted_keys", "evicted_keys"},
	{"keyspace.keyspace_hits", "keyspace_hits"},
	{"keyspace.keyspace_misses", "keyspace_misses"},
}

// gauges are the INFO fields printed as they are.
var gauges = []struct{ name, field string }{
	{"clients.connected_clients", "connected_clients"},
	{"clients.blocked_clients", "blocked_clients"},
	{"clients.connected_slaves", "connected_slaves"},
	{"memory.used_memory", "used_memory"},
	{"memory.used_memory_rss", "used_memory_rss"},
	{"memory.used_memory_peak", "used_memory_peak"},
	{"memory.used_memory_lua", "used_memory_lua"},
	{"uptime.uptime_in_seconds", "uptime_in_seconds"},
}

func (o *options) dialOptions(inv *plugin.Invocation) (redisproto.Options, error) {
	password, err := secret.Resolve(o.Password, o.PasswordFile, inv.Getenv, "REDIS_PASSWORD")
	if err != nil {
		return redisproto.Options{}, err
	}
	ro := redisproto.Options{Network: "tcp", Address: net.JoinHostPort(strings.Trim(o.Host, "[]"), strconv.Itoa(o.Port)), Password: password}
	if o.Username != "default" { // "AUTH password" is the default user on every version; "AUTH default …" fails before Redis 6
		ro.Username = o.Username
	}
	if o.Socket != "" {
		ro.Network, ro.Address = "unix", o.Socket
	}
	ro.TLS = o.tlsConfig
	return ro, nil
}

// Collect reads INFO (and CONFIG GET, CLUSTER INFO) once.
func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	ro, err := o.dialOptions(inv)
	if err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok { // leave time to say what did not answer
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Now().Add(time.Until(deadline)*3/4))
		defer cancel()
	}
	conn, err := redisproto.Dial(ctx, ro)
	if err != nil {
		return describe(ro, err)
	}
	defer conn.Close()
	info, err := conn.Info(ctx)
	if err != nil {
		return describe(ro, err)
	}
	if _, ok := info.Get("redis_version"); !ok {
		return fmt.Errorf("%s: INFO has no redis_version; not a Redis server?", ro.Address)
	}
	record(info, b)
	if o.ConfigCommand != "" {
		if err := capacity(ctx, conn, o.ConfigCommand, info, b); err != nil {
			inv.Warnf("capacity graph left out: %v", secret.Redact(err.Error(), ro.Password))
		}
	}
	if v, _ := info.Get("cluster_enabled"); v == "1" {
		if err := cluster(ctx, conn, b); err != nil {
			inv.Warnf("cluster graphs left out: CLUSTER INFO: %v", err)
		}
	}
	return nil
}

func describe(ro redisproto.Options, err error) error {
	msg := secret.Redact(err.Error(), ro.Password)
	if redisproto.IsAuthError(err) {
		if ro.Password == "" {
			return fmt.Errorf("%s: authentication required (%s): give -password, -password-file or REDIS_PASSWORD", ro.Address, msg)
		}
		return fmt.Errorf("%s: authentication failed: %s", ro.Address, msg)
	}
	return fmt.Errorf("%s: %s", ro.Address, msg)
}

// record turns INFO into values. Fields that are missing or not numbers
// are left out, one by one.
func record(info *redisproto.Info, b *metrics.Batch) {
	var together []string
	for _, c := range counters {
		if v, ok := info.Uint(c.field); ok {
			b.Counter(c.name, v)
			together = append(together, c.name)
		}
	}
	b.Together(together...) // one server: a restart resets them all
	for _, gv := range gauges {
		if v, ok := info.Float(gv.field); ok {
			b.Gauge(gv.name, v)
		}
	}
	var keys, expires int64
	for _, db := range info.DBs {
		if db.Keys >= 0 {
			keys += db.Keys
			b.Gauge("db."+db.Name+".keys", float64(db.Keys))
		}
		if db.Expires >= 0 {
			expires += db.Expires
			b.Gauge("db."+db.Name+".expires", float64(db.Expires))
		}
	}
	// No keyspace line means an empty keyspace: 0 keys is the truth.
	b.Gauge("keys.keys", float64(keys))
	b.Gauge("keys.expires", float64(expires))

	hits, ok1 := info.Uint("keyspace_hits")
	misses, ok2 := info.Uint("keyspace_misses")
	if ok1 && ok2 && hits+misses > 0 {
		b.Gauge("hit_ratio.keyspace_hit_ratio", 100*float64(hits)/float64(hits+misses))
	}

	if offset, ok := info.Float("master_repl_offset"); ok {
		for _, r := range info.Replicas {
			if r.HasOffset {
				b.Gauge("offset_delay."+r.Name+"_offset_delay", offset-float64(r.Offset))
			}
		}
	}
	for _, r := range info.Replicas {
		if r.HasLag {
			b.Gauge("lag."+r.Name+"_lag", float64(r.Lag))
		}
	}
}

// capacity records used memory and clients as percentages of their
// configured limits. maxmemory 0 means no limit: no percentage.
func capacity(ctx context.Context, conn *redisproto.Conn, command string, info *redisproto.Info, b *metrics.Batch) error {
	var errs []error
	if used, ok := info.Float("used_memory"); ok {
		if max, err := configNumber(ctx, conn, command, "maxmemory"); err != nil {
			errs = append(errs, err)
		} else if max > 0 {
			b.Gauge("capacity.percentage_of_memory", 100*used/max)
		}
	}
	if clients, ok := info.Float("connected_clients"); ok {
		if max, err := configNumber(ctx, conn, command, "maxclients"); err != nil {
			errs = append(errs, err)
		} else if max > 0 {
			b.Gauge("capacity.percentage_of_clients", 100*clients/max)
		}
	}
	return errors.Join(errs...)
}

func configNumber(ctx context.Context, conn *redisproto.Conn, command, param string) (float64, error) {
	cfg, err := conn.ConfigGet(ctx, command, param)
	if err != nil {
		return 0, fmt.Errorf("%s GET %s: %w", command, param, err)
	}
	v, err := strconv.ParseFloat(cfg[param], 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%s GET %s: %q is not a number", command, param, cfg[param])
	}
	return v, nil
}

// cluster records CLUSTER INFO.
func cluster(ctx context.Context, conn *redisproto.Conn, b *metrics.Batch) error {
	rep, err := conn.Do(ctx, "CLUSTER", "INFO")
	if err != nil {
		return err
	}
	ci := redisproto.ParseInfo(rep.Str)
	if st, ok := ci.Get("cluster_state"); ok {
		state := 0.0
		if st == "ok" {
			state = 1
		}
		b.Gauge("cluster_state.cluster_state", state)
	}
	for _, f := range []string{"cluster_known_nodes", "cluster_size"} {
		if v, ok := ci.Float(f); ok {
			b.Gauge("cluster."+f, v)
		}
	}
	for _, f := range []string{"assigned", "ok", "pfail", "fail"} {
		if v, ok := ci.Float("cluster_slots_" + f); ok {
			b.Gauge("cluster_slots.cluster_slots_"+f, v)
		}
	}
	var together []string
	for _, f := range []string{"ping_sent", "pong_sent", "fail_sent", "ping_received", "pong_received", "fail_received"} {
		name := "cluster_stats_messages_" + f
		if v, ok := ci.Uint(name); ok {
			b.Counter("cluster_stats."+name, v)
			together = append(together, "cluster_stats."+name)
		}
	}
	for _, f := range []string{"cluster_stats_messages_sent", "cluster_stats_messages_received"} {
		if v, ok := ci.Uint(f); ok {
			b.Counter("cluster_stats."+f, v)
			together = append(together, "cluster_stats."+f)
		}
	}
	b.Together(together...)
	return nil
}
