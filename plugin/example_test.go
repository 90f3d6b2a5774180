package plugin_test

import (
	"context"
	"os"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

type pingOptions struct {
	Host string `short:"H" long:"host" default:"localhost" description:"host to greet"`
}

func (o *pingOptions) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "%s answered", o.Host), nil
}

// A plugin is a value; Run is how tests and the multi-call binary start
// it, Main how a binary does.
func ExamplePlugin_Run() {
	hello := &plugin.Plugin{
		Name:        "check-hello",
		Title:       "HELLO",
		Description: "greets a host",
		New:         func() any { return &pingOptions{} },
	}
	code := hello.Run(context.Background(), plugin.Env{
		Args:   []string{"-H", "db1"},
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	})
	_ = code // 0: OK
	hello.Run(context.Background(), plugin.Env{Args: []string{"--colour"}, Stdout: os.Stdout, Stderr: os.Stderr})
	// Output:
	// HELLO OK: db1 answered
	// HELLO UNKNOWN: unknown flag `colour'
}
