package plugin

import (
	"context"
	"errors"

	"github.com/teko-dev/teko/checkers"
)

// Subcommand makes a check plugin of the form "check-X <sub> [flags]",
// as Mackerel's check-mysql, check-postgresql and check-redis are.
//
// Each subcommand is a struct with its own go-flags options that embeds
// Subcommand and implements Checker; the plugin's options hold one field
// per subcommand, tagged `command:"name"`, and their Check hands over to
// CheckSubcommand:
//
//	type options struct {
//		Uptime  uptimeCmd  `command:"uptime" description:"checks how long the server has been up"`
//		Connect connectCmd `command:"connection" description:"checks the number of connections"`
//	}
//
//	type uptimeCmd struct {
//		plugin.Subcommand
//		Warn int `short:"w" long:"warning" description:"warning below this many seconds"`
//	}
//
//	func (c *uptimeCmd) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) { … }
//
//	func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
//		return plugin.CheckSubcommand(ctx, inv, &o.Uptime, &o.Connect)
//	}
//
// The runtime's parser (go-flags) picks the subcommand named first on
// the command line and reads the flags after it into that struct; a
// missing or unknown subcommand is a flag error (UNKNOWN, exit 3, naming
// the subcommands), and --help lists them. The runtime's own flags (-t,
// --format) are accepted before or after the subcommand's name.
type Subcommand struct {
	chosen bool
}

// Execute is called by the parser on the subcommand the command line
// names; it only marks it chosen. Arguments left over stay the parser's
// to reject.
func (s *Subcommand) Execute([]string) error {
	s.chosen = true
	return nil
}

// Chosen reports whether the command line named this subcommand.
func (s *Subcommand) Chosen() bool { return s.chosen }

// ChosenChecker is a subcommand: a Checker that embeds Subcommand.
type ChosenChecker interface {
	Checker
	Chosen() bool
}

// CheckSubcommand runs the Check of the one of subs the command line
// chose. None chosen is an error (the parser normally refuses such a
// command line before the run).
func CheckSubcommand(ctx context.Context, inv *Invocation, subs ...ChosenChecker) (*checkers.Result, error) {
	for _, s := range subs {
		if s.Chosen() {
			return s.Check(ctx, inv)
		}
	}
	return nil, errors.New("no subcommand given")
}
