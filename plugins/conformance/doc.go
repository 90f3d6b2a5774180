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
//     runtime's reserved names (-h, -V, --timeout, --format, …; a
//     plugin may take -t, as some Mackerel originals did).
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
//
// CheckREADME adds the documentation rule: a README.md with the five
// sections every plugin README has (what it checks or collects, flags,
// output example, agent configuration example, exit statuses), every
// flag and its default in the flags section, an output example in the
// plugin's real format, and a configuration example that gives the
// command as an array.
//
// # Inputs
//
// The run rules need one quick, successful run. A plugin that succeeds
// without arguments needs nothing more. One that needs inputs — a log
// file, a server to ask — implements Sampler on its options type; the
// suite calls it with a scratch directory, runs the plugin with the
// arguments it returns, and stops what it started afterwards.
package conformance
