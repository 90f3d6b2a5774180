package metricsmemcached

import (
	"net"
	"strconv"
	"sync/atomic"

	"github.com/teko-dev/teko/plugin/memcache"
)

// ConformanceArgs serves a stand-in memcached on 127.0.0.1 for the teko
// conformance suite (package plugins/conformance), which needs one quick
// successful run of every plugin; each "stats" counts more commands, as
// memcached would. The real-memcached tests of this package test the
// plugin against memcached itself.
func (o *options) ConformanceArgs(string) (args []string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	var served atomic.Int64
	s := &memcache.StandIn{
		Stats: func() map[string]string {
			n := strconv.FormatInt(served.Add(1)*10, 10)
			return map[string]string{"pid": "1", "curr_connections": "2", "cmd_get": n, "get_hits": n, "rusage_user": "0." + n,
				"bytes_read": n, "limit_maxbytes": "67108864", "bytes": "100", "curr_items": "1", "total_items": n}
		},
		Items: func() map[string]string { return map[string]string{"items:1:evicted_nonzero": "0"} },
	}
	go s.Serve(l)
	host, port, _ := net.SplitHostPort(l.Addr().String())
	return []string{"-host", host, "-port", port}, func() { l.Close() }, nil
}
