package metricsapache2

import (
	"io"
	"net"
	"net/http"
	"strconv"
)

// conformancePage is a small ?auto page for the conformance suite's run.
const conformancePage = `Total Accesses: 42
Total kBytes: 7
CPULoad: .5
Uptime: 100
BusyWorkers: 1
IdleWorkers: 3
Scoreboard: W___....
`

// ConformanceArgs serves conformancePage on a loopback port.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, conformancePage) })}
	go srv.Serve(l)
	return []string{"-p", strconv.Itoa(l.Addr().(*net.TCPAddr).Port)}, func() { srv.Close() }, nil
}
