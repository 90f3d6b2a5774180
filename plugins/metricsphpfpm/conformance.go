package metricsphpfpm

import (
	"io"
	"net"
	"net/http"
)

// ConformanceArgs serves a small status page over HTTP on a loopback port.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{"pool":"www","accepted conn":10,"listen queue":0,"max listen queue":0,"listen queue len":0,"idle processes":1,"active processes":1,"total processes":2,"max active processes":1,"max children reached":0,"slow requests":0}`)
	})}
	go srv.Serve(l)
	return []string{"-url", "http://" + l.Addr().String() + "/status?json"}, func() { srv.Close() }, nil
}
