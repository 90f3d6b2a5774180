package checkpostgresql

import (
	"errors"
	"strconv"

	"github.com/teko-dev/teko/plugin/pgclient/pgfake"
)

// ConformanceArgs serves a stand-in server on 127.0.0.1 for the teko
// conformance suite (package plugins/conformance), which needs one quick
// successful run of every plugin. The tests of this package run against
// a real PostgreSQL.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	srv, err := pgfake.Start(func(q string) (*pgfake.Result, error) {
		if q != connectionQuery {
			return nil, errors.New("not served by the stand-in")
		}
		return &pgfake.Result{Columns: []string{"count", "current_setting"}, Rows: [][]*string{{pgfake.S("3"), pgfake.S("100")}}}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return []string{"connection", "-H", "127.0.0.1", "-p", strconv.Itoa(srv.Addr().Port)}, srv.Close, nil
}
