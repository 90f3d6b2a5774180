// Package metricslinux is metrics-linux, a drop-in replacement for
// mackerel-plugin-linux: swap-in/out, TCP connection states, disk I/O
// times, interrupts, context switches, forks and logged-in users, read
// from /proc, /sys and utmp (package procfs) without starting ss or who.
// See README.md.
package metricslinux
