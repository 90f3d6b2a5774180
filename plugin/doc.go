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
// # Options
//
// Every exported field with a go-flags tag is an option. Unexported
// fields are not: go-flags cannot set them, --help does not list them,
// and they take no part in the state key, so a plugin may keep what it
// computes during a run there (New makes fresh options for every run).
// A field tagged statekey:"-" is an option that does not name the
// instance (see State): thresholds, output switches, timeouts.
//
// # What every binary gets
//
//   - -h/--help lists every flag with its default and exits 0;
//     -V/--version prints the version (Version, set at build time) and
//     exits 0, also inside a bundle of short flags ("-rV") and, for a
//     plugin with SingleDashLong, as "-version". The plugin does not run.
//   - A flag error prints "TITLE UNKNOWN: reason" on stdout (TITLE is
//     Plugin.Title, else Plugin.Name) and exits 3, never 1 (which the
//     agent would show as WARNING).
//   - An error returned by Check, a panic (its stack goes to stderr), the
//     -t/--timeout deadline (default 10s, well under the agent's 30s) and
//     every catchable signal that would end the process (SIGTERM,
//     SIGINT, SIGHUP, SIGQUIT, SIGABRT) end a check as "TITLE UNKNOWN:
//     reason", exit code 3, never the 2 a Go panic would give. On a
//     deadline or a signal the plugin's context is cancelled and the
//     runtime answers at once, without waiting for the plugin to notice.
//     A closed stdout (SIGPIPE) is a write error: exit code 3. A plugin
//     whose original used -t for something else (a tempfile, an NTP
//     timeout) declares its own -t; the runtime then keeps only --timeout.
//   - Every line printed for the agent — the result, a flag error, a
//     warning on stderr — fits mackerel-agent's 1024 bytes, cut with a
//     visible marker ("…", "… (N more lines)", "… (cut)").
//   - Check plugins get --format: mackerel (the default), nagios (adds
//     perfdata), json, prometheus (teko_check_status and the perfdata as
//     gauges, labelled check= and, with --instance, instance=) or metrics
//     (the perfdata as metric lines check.<name>.<label>, with graph
//     definitions derived from them on MACKEREL_AGENT_PLUGIN_META); see
//     checkers.Result.Write.
//   - Metric plugins get --metric-key-prefix and --state-dir, and
//     --format mackerel (the default), graphite, influx, prometheus (raw
//     counter totals, no state) or json; see metrics.Format. On
//     MACKEREL_AGENT_PLUGIN_META they print their graph definitions.
//   - Both get --output-file PATH: the output is written to PATH
//     atomically (a temp file in the same directory, renamed; mode 0666
//     less the umask) instead of stdout, for node_exporter's textfile
//     collector; the exit code is the run's. A symbolic link is followed
//     (its target is replaced, the link stays); a device or named pipe
//     such as /dev/stdout is written to, never replaced (see
//     WriteFileAtomic). A file that cannot be written is UNKNOWN naming
//     PATH. A plugin that declares its own
//     --format, --instance or --output-file keeps it; the runtime's is
//     then spelled --teko-format, --teko-instance, --teko-output-file.
//   - A meta run (MACKEREL_AGENT_PLUGIN_META set) of a check never
//     commits its state: a check-log configured as a metric plugin loses
//     no lines to the agent's start.
//
// # When a metric plugin fails
//
// stdout of a metric plugin is for metric lines only: the agent reads
// every line there as "name value epoch". So when Collect returns an
// error, panics or runs out of time, nothing is printed on stdout — not
// a partial set of values, which the agent would graph as if complete,
// and not an UNKNOWN line, which it would drop as a malformed metric —
// the reason goes to stderr (the agent logs it), and the exit code is 3.
// A flag error is the exception: it is printed on stdout as "NAME
// UNKNOWN: reason" like a check's, for the operator who runs the command
// by hand (the agent drops the line).
//
// The state that turns counters into rates is the one thing a metric run
// can do without: when it cannot be used (an unwritable or foreign
// directory, a lock held too long, a file from a newer release), the
// gauges are printed, the rates are left out, stderr says why, and the
// exit code is 3. When only saving it fails (a full disk), every value is
// printed and stderr says the state was not saved.
//
// # State
//
// Invocation.State opens the instance's state store (package state),
// locked for the rest of the run. Its key follows one rule: the plugin
// name plus every option whose value differs from its default, except
// options tagged statekey:"-". So "-p X" and "--pattern=X", a different
// flag order, or an option given with its default value find the same
// state, and a release that adds an option never changes existing keys.
// State kept by earlier releases (whose keys hashed every option) is
// found and carried over (see package state, "Upgrades").
//
// The directory is --state-dir when the plugin has that option, else
// $MACKEREL_PLUGIN_WORKDIR, else teko-<uid> in the temporary directory.
// A plugin need not declare --state-dir to keep state; embedding
// StateOptions (or declaring its own option with that long name) lets
// operators choose the directory. Metric plugins get it in any case.
// A plugin whose Mackerel original took -tempfile FILE declares a string
// option with the long name "tempfile" (tagged statekey:"-"): without
// --state-dir, the state is kept in FILE's directory.
//
// What the plugin saves is written after its output, never before, so a
// run that dies in between repeats work rather than losing it. In a
// metric plugin, State is the plugin's own part of the state file,
// beside the counter totals the runtime keeps there; both are written
// together, atomically.
//
// # Testing
//
// Plugin.Run takes the arguments, output streams, environment and clock
// as an Env and returns the exit code; only Main touches the process.
// Package plugintest wraps this for tests.
package plugin
