package pgfake_test

import (
	"context"
	"fmt"

	"github.com/teko-dev/teko/plugin/pgclient"
	"github.com/teko-dev/teko/plugin/pgclient/pgfake"
)

func Example() {
	srv, err := pgfake.Start(func(sql string) (*pgfake.Result, error) {
		if sql != "SELECT count(*) FROM pg_stat_activity" {
			return nil, &pgfake.Error{Code: "42601", Message: "syntax error"}
		}
		return &pgfake.Result{Columns: []string{"count"}, Rows: [][]*string{{pgfake.S("6")}}}, nil
	})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()
	conn, err := pgclient.Connect(ctx, pgclient.Config{Host: "127.0.0.1", Port: srv.Addr().Port, User: "mon", SSLMode: "prefer"})
	if err != nil {
		panic(err)
	}
	defer conn.Close(ctx)
	res, err := conn.Query(ctx, "SELECT count(*) FROM pg_stat_activity")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Columns[0], *res.Rows[0][0])
	_, err = conn.Query(ctx, "SELEC 1")
	fmt.Println(err)
	// Output:
	// count 6
	// SELEC 1: syntax error (SQLSTATE 42601)
}
