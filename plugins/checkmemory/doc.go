// Package checkmemory is check-memory, a teko addition for Nagios and
// Icinga users: the memory the kernel says is available for new work
// (MemAvailable), and optionally free swap, against thresholds given as
// percentages or sizes. See README.md.
package checkmemory
