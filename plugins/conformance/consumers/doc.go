// Package consumers holds only tests: every output format of the teko
// plugins read by its real consumer, each started once for the package
// on loopback in a temp directory —
//
//   - `promtool check metrics` reads the prometheus output of every
//     plugin in the registry;
//   - prometheus-node-exporter's textfile collector reads files written
//     with --output-file, scraped over HTTP;
//   - InfluxDB 1.x (influxd) takes the influx output through /write and
//     answers a query with the same values;
//   - VictoriaMetrics' Graphite listener takes the graphite output and
//     answers an export with the same values;
//   - a Nagios 4 core runs check-procs with --format nagios and records
//     its status and perfdata in status.dat.
//
// The values each consumer holds are compared with the source: nginx's
// stub_status read around the plugin's run, and processes the test
// started. Outside CI a missing consumer skips its test; with
// TEKO_REQUIRE_SERVERS=1 it fails (see plugin/servertest).
package consumers
