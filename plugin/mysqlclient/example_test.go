package mysqlclient_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/teko-dev/teko/plugin/mysqlclient"
	"github.com/teko-dev/teko/plugin/mysqlclient/mysqlfake"
)

// Status variables over one connection; the stand-in server plays MySQL.
func ExampleConn_KeyValues() {
	srv, _ := mysqlfake.Start(func(q string) (*mysqlfake.Result, error) {
		return &mysqlfake.Result{Columns: []string{"Variable_name", "Value"}, Rows: [][]*string{
			{mysqlfake.S("Threads_connected"), mysqlfake.S("7")}}}, nil
	})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := mysqlclient.Connect(ctx, mysqlclient.Config{Host: "127.0.0.1", Port: srv.Addr().Port, User: "mackerel", Password: "s3cret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	status, err := conn.KeyValues(ctx, "SHOW GLOBAL STATUS LIKE 'Threads_connected'")
	fmt.Println(status["Threads_connected"], err)
	// Output: 7 <nil>
}

// What a check makes of a failure depends on its Kind: a server that
// cannot be reached is Down (CRITICAL), a refused login Auth (UNKNOWN).
func ExampleKindOf() {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there any more
	_, err := mysqlclient.Connect(context.Background(), mysqlclient.Config{Host: "127.0.0.1", Port: port, User: "mackerel"})
	fmt.Println(mysqlclient.KindOf(err) == mysqlclient.Down)
	fmt.Println(err.Error() == "cannot connect to 127.0.0.1:"+strconv.Itoa(port)+": dial tcp 127.0.0.1:"+strconv.Itoa(port)+": connect: connection refused")
	// Output:
	// true
	// true
}

// Replica status rows read by whichever names their columns have.
func ExampleParseReplicas() {
	s := func(v string) *string { return &v }
	mariadb := mysqlclient.ParseReplicas(
		[]string{"Connection_name", "Slave_IO_Running", "Slave_SQL_Running", "Seconds_Behind_Master"},
		[][]*string{{s(""), s("Yes"), s("Yes"), s("0")}, {s("eu"), s("Connecting"), s("Yes"), nil}})
	for _, r := range mariadb {
		fmt.Println(r.Name(), r.IORunning, r.SQLRunning, r.SecondsBehind != nil)
	}
	// Output:
	// default Yes Yes true
	// eu Connecting Yes false
}
