// Package checkers is the result model of a check plugin: a Status, the
// message the operator reads, optional long-output lines, performance data
// and Nagios threshold ranges.
//
// A check plugin builds one *Result and returns it; the plugin runtime
// renders it once, in the format chosen by --format, and exits with the
// result's status as the exit code:
//
//	res := checkers.NewResult(checkers.OK, "3 processes")
//	res.AddPerfdata(checkers.Perfdata{Label: "procs", Value: 3})
//	res.Add(checkers.NewResult(checkers.Warning, "worker pool below 4"))
//
// # Statuses and the worst-state order
//
// The four statuses are the Nagios exit codes OK=0, WARNING=1, CRITICAL=2,
// UNKNOWN=3. When sub-results are combined, the worst one wins, in the order
//
//	OK < WARNING < UNKNOWN < CRITICAL
//
// CRITICAL ranks highest because it is a known failure that needs action:
// a CRITICAL log match must never be hidden behind an UNKNOWN caused by
// another, unreadable file. UNKNOWN ranks above WARNING because "could not
// tell" may hide a failure as bad as any warning; an operator must look.
// This is the order Worst and Result.Add use.
//
// # Threshold ranges
//
// ParseRange reads the Nagios range syntax [@]start:end, where "10" means
// alert outside 0..10, "10:" below 10, "~:10" above 10, "10:20" outside
// 10..20 and "@10:20" inside 10..20 (endpoints inclusive, "~" is minus
// infinity). Thresholds pairs a warning and a critical range.
//
// # Sub-results
//
// A check over several targets adds one sub-result per target with
// Result.Add; the parent's status is the worst of them. Give each sub a
// Name: when two subs report the same perfdata label ("time"), the
// labels are qualified by it ("web1_time", "web2_time"), so that every
// label in the output is unique (AllPerfdata states the rule).
// Result.SubsSummary counts the subs by status ("1 CRITICAL, 2 OK") for a
// parent summary.
//
// # Status mapping
//
// StatusMap reads the rules operators write to choose or change a
// status: "404=ok" and "500-599=critical" for codes, "warning=critical"
// for statuses. It is a go-flags option type (repeatable, or several
// rules separated by commas).
//
// # Rendering
//
// Render writes a result in one of three formats: FormatMackerel (the
// default, "NAME STATUS: summary" and detail lines), FormatNagios (the same
// with " | perfdata") and FormatJSON. Text output never exceeds
// MessageLimit bytes: detail lines that do not fit are replaced by a
// visible "… (N more lines)" marker, never cut blindly, and a "|" in
// plugin text is replaced so it cannot be mistaken for the perfdata
// separator. Perfdata that fails Perfdata.Validate is left out; a NaN or
// infinite value is written "U", the guidelines' "could not be
// determined" (null in JSON).
//
// Result.Write adds two formats for metrics systems, which need to know
// the plugin (Output): FormatPrometheus, the family teko_check_status
// (0 to 3, the same HELP text in every plugin) and each perfdata value as
// a gauge teko_check_<label> in its base unit, labelled check="<plugin>"
// and optionally instance="…", for node_exporter's textfile collector;
// and FormatMetrics, the perfdata as metric lines
// check.<plugin without "check-">.<label>, with graph definitions from
// Result.Metrics, so that mackerel-agent graphs what a check checks.
package checkers
