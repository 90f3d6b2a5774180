// Package conformance is the test suite every teko plugin must pass: the
// promises that make all plugins behave the same way for an operator and
// an agent, checked against the plugin itself rather than trusted.
//
// One call covers a plugin; a plugin author writes no test for any of
// the rules:
//
//	func TestConformance(t *testing.T) { conformance.Test(t, mycheck.Plugin) }
//
// The repository's registry test runs it over every registered plugin
// (see package all), so a new plugin is covered by registering it.
//
// # The rules
//
//   - -h/--help exits 0, writes nothing to stderr, and lists every flag
//     with a description; the plugin's own flags do not take the
//     runtime's reserved names (-h, -V, --timeout, --metric-key-prefix;
//     a plugin may take -t, as some Mackerel originals did, and
//     --format, --instance or --output-file, which the runtime then
//     spells --teko-format, …).
//   - An unknown flag is "TITLE UNKNOWN: reason" on stdout, exit code 3.
//   - -V/--version exits 0 and prints "NAME VERSION" on one line.
//   - A check plugin's run, in the default format, prints a first line
//     "TITLE STATUS: …" whose status matches the exit code, under the
//     agent's 1024 characters in all.
//   - A metric plugin's meta output is the header line and one line of
//     JSON with valid graph definitions (only the units the service
//     accepts), and every value it prints is "name<TAB>value<TAB>epoch"
//     with a name that a graph definition covers — also on the second run,
//     when counters appear, and under another --metric-key-prefix.
//   - No run that succeeds writes to stderr.
//   - Every output format, read by its consumer's rules (the Validate
//     functions): a metric plugin's graphite (carbon plaintext), influx
//     (InfluxDB line protocol, epoch seconds), prometheus (the text
//     format as Prometheus parses it, promtool's linter, node_exporter's
//     textfile rules: no timestamps, one block per family; and no state
//     written) and json output, on two runs a minute apart, every name
//     covered by a graph definition; a check's nagios output (status
//     line and perfdata by the plugin guidelines), prometheus output
//     (teko_check_status with the shared HELP and the exit code, labels
//     check and, with --instance, instance) and metrics output (lines
//     under check.<name>., graph definitions from a meta run covering
//     them).
//   - --output-file: nothing on stdout, the run's exit code, a complete
//     file with mode 0666 less the umask and no temp file left; a missing
//     directory is exit 3 naming the path.
//   - A check's meta run (MACKEREL_AGENT_PLUGIN_META) changes nothing in
//     its state directory.
//
// CheckREADME adds the documentation rule: a README.md with the six
// sections every plugin README has (what it checks or collects, flags,
// output example, agent configuration example, running under other
// agents, exit statuses), every flag and its default in the flags
// section, an output example in the plugin's real format, a
// configuration example that gives the command as an array, and for the
// other agents a node_exporter textfile line, a Telegraf exec input, a
// Sensu check and, for a check, a Nagios or Icinga command, each running
// the plugin in the format that agent reads.
//
// # Inputs
//
// The run rules need one quick, successful run. A plugin that succeeds
// without arguments needs nothing more. One that needs inputs — a log
// file, a server to ask — implements Sampler on its options type; the
// suite calls it with a scratch directory, runs the plugin with the
// arguments it returns, and stops what it started afterwards.
package conformance
