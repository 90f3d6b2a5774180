package metricsdocker

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// ConformanceArgs serves a stand-in Docker Engine API on 127.0.0.1 for
// the teko conformance suite (package plugins/conformance), which needs
// one quick successful run of every plugin: one running container whose
// CPU time grows with every request. The tests of this package run the
// plugin against a real Docker engine.
func (o *options) ConformanceArgs(string) (args []string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	var served atomic.Uint64
	const id = "c0ffee0123456789c0ffee0123456789c0ffee0123456789c0ffee0123456789"
	srv := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			switch {
			case r.URL.Path == "/containers/json":
				fmt.Fprintf(w, `[{"Id":%q,"Names":["/web"],"Image":"nginx:1","Labels":{},"Created":1796000000}]`, id)
			case strings.HasSuffix(r.URL.Path, "/stats"):
				n := served.Add(1)
				fmt.Fprintf(w, `{"read":"2026-12-01T00:00:00Z","cpu_stats":{"cpu_usage":{"usage_in_usermode":%d,"usage_in_kernelmode":%d},"system_cpu_usage":%d,"online_cpus":2},`+
					`"memory_stats":{"stats":{"total_rss":1048576,"total_cache":4096}},"blkio_stats":{"io_service_bytes_recursive":[{"major":8,"minor":0,"op":"Read","value":%d}]}}`,
					n*10_000_000, n*1_000_000, n*2_000_000_000, n*4096)
			default:
				http.NotFound(w, r)
			}
		}),
	}
	go srv.Serve(l) // returns ErrServerClosed once stop closes the server
	return []string{"-host", "tcp://" + l.Addr().String()}, func() { srv.Close() }, nil
}
