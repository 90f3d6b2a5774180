package metricsredis

import (
	"fmt"
	"net"
	"sync/atomic"

	"github.com/teko-dev/teko/plugin/redisproto"
)

// ConformanceArgs serves a stand-in Redis on 127.0.0.1 for the teko
// conformance suite (package plugins/conformance), which needs one quick
// successful run of every plugin; each INFO counts more commands, as
// Redis would. The real-Redis tests of this package test the plugin
// against redis-server itself.
func (o *options) ConformanceArgs(string) (args []string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	var served atomic.Int64
	go redisproto.Serve(l, func(args []string) redisproto.Reply {
		switch {
		case args[0] == "INFO":
			n := served.Add(1)
			return redisproto.Bulk(fmt.Sprintf("# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:%d\r\n# Clients\r\nconnected_clients:1\r\n"+
				"# Memory\r\nused_memory:1000000\r\n# Stats\r\ntotal_commands_processed:%d\r\nkeyspace_hits:%d\r\nkeyspace_misses:1\r\n"+
				"# Replication\r\nrole:master\r\nmaster_repl_offset:0\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n", 60*n, 10*n, n))
		case args[0] == "CONFIG" && len(args) == 3 && args[2] == "maxmemory":
			return redisproto.BulkArray("maxmemory", "4000000")
		case args[0] == "CONFIG" && len(args) == 3 && args[2] == "maxclients":
			return redisproto.BulkArray("maxclients", "10000")
		}
		return redisproto.Err("ERR unknown command")
	})
	host, port, _ := net.SplitHostPort(l.Addr().String())
	return []string{"-host", host, "-port", port}, func() { l.Close() }, nil
}
