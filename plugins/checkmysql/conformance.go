package checkmysql

import (
	"errors"
	"strconv"

	"github.com/teko-dev/teko/plugin/mysqlclient/mysqlfake"
)

// ConformanceArgs serves a stand-in server on 127.0.0.1 for the teko
// conformance suite (package plugins/conformance), which needs one quick
// successful run of every plugin. The tests of this package run against
// a real MariaDB.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	srv, err := mysqlfake.Start(func(q string) (*mysqlfake.Result, error) {
		if q != "SHOW GLOBAL STATUS LIKE 'Uptime'" {
			return nil, errors.New("not served by the stand-in")
		}
		return &mysqlfake.Result{Columns: []string{"Variable_name", "Value"},
			Rows: [][]*string{{mysqlfake.S("Uptime"), mysqlfake.S("93784")}}}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return []string{"uptime", "-H", "127.0.0.1", "-p", strconv.Itoa(srv.Addr().Port)}, srv.Close, nil
}
