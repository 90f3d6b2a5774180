// Package plugin is the runtime every teko binary shares. A plugin is a
// value — a name, a one-line description and a constructor for its
// options — and this package does everything around it the same way for
// every plugin: argument parsing, --help and --version, the deadline,
// signals, the panic guard, the state store, rendering, and the one place
// where an outcome becomes an exit code.
//
// # Writing a plugin
//
// The options are a struct with go-flags tags. For a check plugin the
// struct implements Checker:
//
//	type options struct {
//		Path string `short:"p" long:"path" default:"/" description:"file system to check"`
//	}
//
//	func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
//		...
//		return checkers.NewResult(checkers.OK, "%s is fine", o.Path), nil
//	}
//
//	var Plugin = &plugin.Plugin{
//		Name: "check-thing", Title: "THING", Description: "checks the thing",
//		New:  func() any { return &options{} },
//	}
//
// and main is three lines: func main() { plugin.Main(thing.Plugin) }.
// A metric plugin implements Collector instead (see the metrics package).
//
// # What every binary gets
//
//   - -h/--help lists every flag with its default and exits 0;
//     -V/--version prints the version (Version, set at build time).
//   - A flag error prints "TITLE UNKNOWN: reason" on stdout and exits 3,
//     never 1 (which the agent would show as WARNING).
//   - An error returned by Check or Collect, a panic (its stack goes to
//     stderr), the -t/--timeout deadline (default 10s, well under the
//     agent's 30s) and SIGTERM/SIGINT all end as UNKNOWN with the reason,
//     exit code 3, never the 2 a Go panic would give. On a deadline or a
//     signal the plugin's context is cancelled and the runtime answers at
//     once, without waiting for the plugin to notice. A plugin whose
//     original used -t for something else (a tempfile, an NTP timeout)
//     declares its own -t; the runtime then keeps only --timeout.
//   - Check plugins get --format (mackerel, nagios or json; see
//     checkers.Result.Render).
//   - Metric plugins get --metric-key-prefix and --state-dir; on
//     MACKEREL_AGENT_PLUGIN_META they print their graph definitions.
//
// # State
//
// Invocation.State opens the instance's state store (package state),
// locked for the rest of the run. Its key is the plugin name plus the
// canonical form of the parsed options, so "-p X" and "--pattern=X", or a
// different flag order, find the same state; options tagged
// `statekey:"-"` (thresholds, output switches) do not take part. A check
// plugin that keeps state declares a "state-dir" option (embed
// StateOptions, or declare its own with that long name); the runtime
// reads it from there. What the plugin saves is written after its output,
// never before, so a run that dies in between repeats work rather than
// losing it.
//
// # Testing
//
// Plugin.Run takes the arguments, output streams, environment and clock
// as an Env and returns the exit code; only Main touches the process.
// Package plugintest wraps this for tests.
package plugin
