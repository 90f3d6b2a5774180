// Package checkuptime is check-uptime, a drop-in replacement for
// Mackerel's check-uptime: the time since boot against thresholds below
// (a recent reboot) and above (a host that has missed its reboots). See
// README.md.
package checkuptime
