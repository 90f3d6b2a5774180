package checkhttp

import (
	"fmt"
	"net"
	"net/http"
	"time"
)

// ConformanceArgs serves a page on 127.0.0.1 for the teko conformance
// suite (package plugins/conformance), which needs one quick OK run of
// every plugin. The tests of this package run against a real nginx.
func (o *options) ConformanceArgs(string) (args []string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") }),
	}
	go srv.Serve(l)
	return []string{"-u", "http://" + l.Addr().String() + "/", "-p", "ok"}, func() { srv.Close() }, nil
}
