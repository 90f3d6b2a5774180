package metricsnginx

import (
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// ConformanceArgs serves a stand-in stub_status page on 127.0.0.1 for the
// teko conformance suite (package plugins/conformance), which needs one
// quick successful run of every plugin. Each request counts one more
// connection and request, as nginx would. The real-nginx tests of this
// package test the plugin against nginx itself.
func (o *options) ConformanceArgs(string) (args []string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	var served atomic.Uint64
	srv := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			n := served.Add(1)
			fmt.Fprintf(w, "Active connections: 1 \nserver accepts handled requests\n %d %d %d \nReading: 0 Writing: 1 Waiting: 0 \n", n, n, n)
		}),
	}
	go srv.Serve(l) // returns ErrServerClosed once stop closes the server
	stop = func() { srv.Close() }
	return []string{"--uri", "http://" + l.Addr().String() + "/nginx_status"}, stop, nil
}
