package plugin_test

import (
	"context"
	"fmt"
	"os"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

type pingCmd struct {
	plugin.Subcommand
	Host string `short:"H" long:"host" default:"localhost" description:"the host to ask"`
}

func (c *pingCmd) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "%s answered", c.Host), nil
}

type countCmd struct {
	plugin.Subcommand
	Warn int `short:"w" long:"warning" default:"10" description:"warning above this many"`
}

func (c *countCmd) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.Warning, "11 things (more than %d)", c.Warn), nil
}

type thingOptions struct {
	Ping  pingCmd  `command:"ping" description:"checks that the thing answers"`
	Count countCmd `command:"count" description:"checks how many things there are"`
}

func (o *thingOptions) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	return plugin.CheckSubcommand(ctx, inv, &o.Ping, &o.Count)
}

// A check with subcommands: "check-thing ping -H db1", "check-thing
// count -w 10".
func ExampleCheckSubcommand() {
	p := &plugin.Plugin{Name: "check-thing", Title: "THING", Description: "checks the thing",
		New: func() any { return &thingOptions{} }}
	for _, args := range [][]string{{"ping", "-H", "db1"}, {"count", "-w", "5"}, {"pong"}} {
		code := p.Run(context.Background(), plugin.Env{Args: args, Stdout: os.Stdout, Stderr: os.Stderr})
		fmt.Println("exit", code)
	}
	// Output:
	// THING OK: db1 answered
	// exit 0
	// THING WARNING: 11 things (more than 5)
	// exit 1
	// THING UNKNOWN: Unknown command `pong', did you mean `ping'?
	// exit 3
}
