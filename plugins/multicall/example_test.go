package multicall_test

import (
	"context"
	"fmt"
	"os"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/multicall"
)

type pingOptions struct{}

func (pingOptions) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "pong"), nil
}

func ExampleProgram_Run() {
	ping := &plugin.Plugin{Name: "check-ping", Title: "PING", Description: "answers pong", New: func() any { return &pingOptions{} }}
	prog := &multicall.Program{Name: "teko", Plugins: []*plugin.Plugin{ping}}
	env := plugin.Env{Stdout: os.Stdout, Stderr: os.Stderr}

	prog.Run(context.Background(), []string{"teko", "check-ping"}, env)         // by argument
	prog.Run(context.Background(), []string{"/usr/bin/check-ping"}, env)        // through a symlink
	prog.Run(context.Background(), []string{"teko", "--help"}, env)             // the list
	code := prog.Run(context.Background(), []string{"teko", "check-pong"}, env) // a mistake
	fmt.Println("exit code", code)
	// Output:
	// PING OK: pong
	// PING OK: pong
	// Usage: teko PLUGIN [OPTIONS]   (or call a symlink named after the plugin)
	//        teko PLUGIN --help   shows the plugin's options
	//
	// Plugins:
	//   check-ping  answers pong
	// teko UNKNOWN: unknown plugin "check-pong" (teko --help lists them)
	// exit code 3
}
