package mysqlfake_test

import (
	"context"
	"fmt"

	"github.com/teko-dev/teko/plugin/mysqlclient"
	"github.com/teko-dev/teko/plugin/mysqlclient/mysqlfake"
)

// A MySQL 8.4 replica with two channels, as no server on the machine can
// show it.
func Example() {
	srv, err := mysqlfake.Start(func(q string) (*mysqlfake.Result, error) {
		switch q {
		case "SHOW REPLICA STATUS":
			cols := []string{"Replica_IO_Running", "Replica_SQL_Running", "Seconds_Behind_Source", "Channel_Name"}
			return &mysqlfake.Result{Columns: cols, Rows: [][]*string{
				{mysqlfake.S("Yes"), mysqlfake.S("Yes"), mysqlfake.S("3"), mysqlfake.S("east")},
				{mysqlfake.S("Yes"), mysqlfake.S("No"), nil, mysqlfake.S("west")},
			}}, nil
		default: // MySQL has no SHOW ALL SLAVES STATUS
			return nil, &mysqlfake.Error{Number: 1064, Message: "You have an error in your SQL syntax"}
		}
	})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	conn, err := mysqlclient.Connect(context.Background(), mysqlclient.Config{Host: "127.0.0.1", Port: srv.Addr().Port, User: "mon"})
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	chans, flavour, err := conn.Replicas(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(flavour, conn.Queries(), "statements")
	for _, c := range chans {
		fmt.Println(c.Name(), c.IORunning, c.SQLRunning, c.SecondsBehind != nil)
	}
	// Output:
	// MySQL 2 statements
	// east Yes Yes true
	// west Yes No false
}
