package plugin_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/secret"
)

// flagEcho is a check that reports the options it parsed.
type flagEcho struct {
	Host    string   `long:"host" default:"localhost"`
	Port    int      `short:"p" long:"port" default:"80"`
	Verbose bool     `short:"v" long:"verbose"`
	Header  []string `long:"header"`
}

func (o *flagEcho) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "host=%s port=%d verbose=%t header=%q", o.Host, o.Port, o.Verbose, o.Header), nil
}

func TestSingleDashLong(t *testing.T) {
	p := &plugin.Plugin{Name: "check-echo", Title: "ECHO", SingleDashLong: true, New: func() any { return &flagEcho{} }}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-host=db", "-port", "5432"}, `OK: host=db port=5432 verbose=false header=[]`},
		{[]string{"-host", "db", "--port=1", "-verbose"}, `OK: host=db port=1 verbose=true header=[]`},
		{[]string{"-p5", "-v"}, `OK: host=localhost port=5 verbose=true header=[]`},                 // short options as before
		{[]string{"-timeout=3s", "-host=x"}, `OK: host=x port=80 verbose=false header=[]`},          // runtime options too
		{[]string{"-header=-host", "-host=x"}, `OK: host=x port=80 verbose=false header=["-host"]`}, // a value is never rewritten
		{[]string{"-header", "x", "--", "-host=y"}, `UNKNOWN: unexpected argument "-host=y"`},       // nor anything after "--"
		// Go's flag package takes the next argument as a flag's value
		// whatever it starts with (a password "-x9…"); go-flags refuses
		// one that starts with "-".
		{[]string{"-host", "-db", "-header", "--x", "-port", "-1"}, `OK: host=-db port=-1 verbose=false header=["--x"]`},
		{[]string{"--host", "-db"}, `OK: host=-db port=80 verbose=false header=[]`},
		{[]string{"-host", "--"}, `OK: host=-- port=80 verbose=false header=[]`},
		{[]string{"-verbose", "-host", "h"}, `OK: host=h port=80 verbose=true header=[]`}, // a switch takes none
		// Go's flag package takes a value for a switch; go-flags does not.
		{[]string{"-verbose=true"}, `OK: host=localhost port=80 verbose=true header=[]`},
		{[]string{"--verbose=1", "-host=x"}, `OK: host=x port=80 verbose=true header=[]`},
		{[]string{"-verbose=false"}, `OK: host=localhost port=80 verbose=false header=[]`},
		{[]string{"-verbose=maybe"}, "UNKNOWN: bool flag `-v, --verbose' cannot have an argument"},
		// as Go's flag package: the next word is the value, whatever it looks like
		{[]string{"-host", "-db", "-port", "1"}, `OK: host=-db port=1 verbose=false header=[]`},
		{[]string{"--host", "-db"}, `OK: host=-db port=80 verbose=false header=[]`},
		{[]string{"-header", "--", "-host=x"}, `OK: host=x port=80 verbose=false header=["--"]`},
		{[]string{"-host"}, "UNKNOWN: expected argument for flag `--host'"},
		// a typo in a one-dash word names the word, not its first letter
		{[]string{"-hots=db"}, "UNKNOWN: unknown flag `hots'"},
		{[]string{"-p5", "-metric-key-prefx", "x"}, "UNKNOWN: unknown flag `metric-key-prefx'"},
		{[]string{"-x"}, "UNKNOWN: unknown flag `x'"},
		{[]string{"--hots=db"}, "UNKNOWN: unknown flag `hots'"},
		{[]string{"-vx"}, "UNKNOWN: unknown flag `x'"}, // a cluster whose first letter is known
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			r := plugintest.New(t, p).Run(tt.args...)
			assert.Equal(t, "ECHO "+tt.want+"\n", r.Stdout)
		})
	}

	// "-hots" (a typo) is not -h: a check that printed its help and exited
	// 0 would be OK; "-h", "-help" and "--help" still ask for it.
	r := plugintest.New(t, p).Run("-hots", "db")
	assert.Equal(t, 3, r.Code)
	for _, ask := range [][]string{{"-h"}, {"-help"}, {"--help"}, {"-hots", "-h"}} {
		r = plugintest.New(t, p).Run(ask...)
		assert.Equal(t, 0, r.Code, "%v", ask)
		assert.Contains(t, r.Stdout, "Usage:", "%v", ask)
	}

	// Without the switch, go-flags reads "-host" as short options: -h, help.
	p.SingleDashLong = false
	r = plugintest.New(t, p).Run("-host=db")
	assert.Equal(t, 0, r.Code)
	assert.Contains(t, r.Stdout, "Usage:")
}

// secretEcho is a check with a password, as check-redis has.
type secretEcho struct {
	Password secret.Value `short:"P" long:"password" statekey:"-"`
	Host     string       `long:"host" default:"localhost"`
}

func (o *secretEcho) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "password of %d bytes", len(o.Password.Reveal())), nil
}

// A password that starts with "-" is taken as Go's flag package takes
// it (one-dash plugins: mackerel-plugin-redis's "-password -x1y"), and
// where go-flags refuses it, the refusal does not print it: before, the
// message was "expected argument for flag `--password', but got option
// `-x1y'", the password on stdout.
func TestPasswordStartingWithDash(t *testing.T) {
	const pw = "-x1y secret"
	oneDash := &plugin.Plugin{Name: "check-secret", Title: "SECRET", SingleDashLong: true, New: func() any { return &secretEcho{} }}
	for _, args := range [][]string{{"-password", pw}, {"--password", pw}, {"-host", "h", "-password", pw}} {
		r := plugintest.New(t, oneDash).Run(args...)
		assert.Equal(t, "SECRET OK: password of 11 bytes\n", r.Stdout, "%q", args)
	}

	goFlags := &plugin.Plugin{Name: "check-secret", Title: "SECRET", New: func() any { return &secretEcho{} }}
	for _, args := range [][]string{{"-P", pw}, {"--password", pw}} {
		r := plugintest.New(t, goFlags).Run(args...)
		assert.Equal(t, 3, r.Code)
		assert.NotContains(t, r.Stdout+r.Stderr, "x1y", "%q", args)
		assert.Contains(t, r.Stdout, "--password=VALUE", "how to give it")
	}
	r := plugintest.New(t, goFlags).Run("--password=" + pw)
	assert.Equal(t, "SECRET OK: password of 11 bytes\n", r.Stdout)
	r = plugintest.New(t, goFlags).Run("--host", "-x")
	assert.Contains(t, r.Stdout, "but got option `-x'", "a value that is no secret is still shown")
}
