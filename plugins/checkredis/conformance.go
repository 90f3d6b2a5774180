package checkredis

import (
	"net"

	"github.com/teko-dev/teko/plugin/redisproto"
)

// ConformanceArgs serves a stand-in Redis on 127.0.0.1 for the teko
// conformance suite (package plugins/conformance), which needs one quick
// OK run of every plugin. The real-Redis tests of this package test the
// plugin against redis-server itself.
func (o *options) ConformanceArgs(string) (args []string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	go redisproto.Serve(l, func(args []string) redisproto.Reply {
		if args[0] == "INFO" {
			return redisproto.Bulk("# Server\r\nredis_version:7.0.15\r\n# Replication\r\nrole:master\r\n")
		}
		return redisproto.Err("ERR unknown command")
	})
	host, port, _ := net.SplitHostPort(l.Addr().String())
	return []string{"reachable", "-H", host, "-p", port}, func() { l.Close() }, nil
}
