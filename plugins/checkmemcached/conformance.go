package checkmemcached

import (
	"net"

	"github.com/teko-dev/teko/plugin/memcache"
)

// ConformanceArgs serves a stand-in memcached on 127.0.0.1 for the teko
// conformance suite (package plugins/conformance), which needs one quick
// OK run of every plugin. The real-memcached tests of this package test
// the plugin against memcached itself.
func (o *options) ConformanceArgs(string) (args []string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	go (&memcache.StandIn{}).Serve(l)
	host, port, _ := net.SplitHostPort(l.Addr().String())
	return []string{"-H", host, "-p", port, "-k", "teko-conformance"}, func() { l.Close() }, nil
}
