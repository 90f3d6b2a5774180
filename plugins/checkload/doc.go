// Package checkload is check-load, a drop-in replacement for Mackerel's
// check-load: the 1, 5 and 15 minute load averages against warning and
// critical thresholds, optionally per CPU, with perfdata. See README.md.
package checkload
