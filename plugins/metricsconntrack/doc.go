// Package metricsconntrack is metrics-conntrack, a drop-in replacement for
// mackerel-plugin-conntrack: the connection tracking table's entries in
// use and free. See README.md.
package metricsconntrack
