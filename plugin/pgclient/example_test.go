package pgclient_test

import (
	"context"
	"fmt"
	"time"

	"github.com/teko-dev/teko/plugin/pgclient"
	"github.com/teko-dev/teko/plugin/pgclient/pgfake"
)

// A password with a space and quotes is a configuration field, not part
// of a connection string; the stand-in server accepts any login.
func ExampleConnect() {
	srv, _ := pgfake.Start(func(string) (*pgfake.Result, error) {
		return &pgfake.Result{Columns: []string{"state", "count"}, Rows: [][]*string{{pgfake.S("idle"), pgfake.S("2")}, {pgfake.S("active"), pgfake.S("1")}}}, nil
	})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgclient.Connect(ctx, pgclient.Config{Host: "127.0.0.1", Port: srv.Addr().Port, User: "mackerel",
		Password: `a b"c'd`, SSLMode: "disable", ApplicationName: "example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close(ctx)
	res, err := conn.Query(ctx, "SELECT state, count(*) FROM pg_stat_activity GROUP BY state")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Rows {
		fmt.Println(*r[res.Col("state")], *r[res.Col("count")])
	}
	fmt.Println(conn.Queries(), "statement")
	// Output:
	// idle 2
	// active 1
	// 1 statement
}

func ExampleValidSSLMode() {
	fmt.Println(pgclient.ValidSSLMode("verify-full"), pgclient.ValidSSLMode("on"))
	// Output: true false
}
