package metricspostgres

import (
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/teko-dev/teko/plugin/pgclient/pgfake"
)

// ConformanceArgs serves a stand-in server on 127.0.0.1 for the teko
// conformance suite (package plugins/conformance), which needs quick
// successful runs of every plugin; its counters grow with every run. The
// tests of this package run against a real PostgreSQL.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	var runs atomic.Int64
	s := pgfake.S
	srv, err := pgfake.Start(func(q string) (*pgfake.Result, error) {
		switch q {
		case activityQuery:
			return &pgfake.Result{Columns: make([]string, 8), Rows: [][]*string{
				{s("1"), s("0"), s("2"), s("0"), s("0"), s("0"), s("0"), s(strconv.FormatInt(1000*runs.Add(1), 10))}}}, nil
		case databaseQuery:
			n := s(strconv.FormatInt(100*runs.Load(), 10))
			return &pgfake.Result{Columns: make([]string, 17), Rows: [][]*string{
				{s("postgres"), s("f"), s("1"), n, s("0"), n, n, n, n, s("0"), s("0"), s("0"), s("0"), s("0"), s("1.5"), s("0"), s("7000000")},
				{nil, s("f"), s("0"), s("0"), s("0"), n, n, s("0"), s("0"), s("0"), s("0"), s("0"), s("0"), s("0"), s("0"), s("0"), nil},
			}}, nil
		}
		return nil, errors.New("not served by the stand-in")
	})
	if err != nil {
		return nil, nil, err
	}
	return []string{"-hostname", "127.0.0.1", "-port", strconv.Itoa(srv.Addr().Port), "-user", "mon"}, srv.Close, nil
}
