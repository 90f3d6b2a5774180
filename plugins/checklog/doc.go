// Package checklog is the check-log plugin: it counts the lines appended
// to log files since its last run that match a pattern, and reports
// WARNING or CRITICAL above a count. It takes the flags of Mackerel's
// check-log and gives the same message,
//
//	LOG CRITICAL: 3 warnings, 3 criticals for pattern /ERROR/.
//
// so an agent configuration can switch binaries without a change, and it
// fixes what the old one gets wrong:
//
//   - Nothing is lost or repeated across log rotation (rename-and-create
//     to any name, copytruncate, delete and recreate), a file newly
//     matched by the glob is read from its start, and a line being
//     written is counted once it is finished (package logtail).
//   - Positions are kept in the plugin state store: locked, so two runs at
//     the same moment never count a line twice; written only after the
//     result, so a run killed at any point loses nothing; keyed by the
//     parsed options, so reordering flags or changing a threshold keeps
//     them. An unwritable state directory is UNKNOWN with the reason.
//   - Matching searches large blocks for the pattern's literals
//     (package logtail/match), so -i and alternations are as fast as a
//     literal, and memory stays bounded whatever the input: matched lines
//     are counted, not kept (-r keeps only what fits the 1024-character
//     message), and of a line longer than MaxLineLen only the start is
//     matched.
//   - A per-run budget (--max-read-bytes, --max-read-time, by default
//     60% of --timeout) works off a large backlog over several runs.
//   - A file that cannot be read is named and makes the status at least
//     UNKNOWN, without hiding a CRITICAL found in the other files;
//     --encoding accepts any standard name, and every name the old
//     check-log took (CP932, Windows1252, …), and splits UTF-16 correctly.
//   - A full disk does not hold back what was found: the result says the
//     positions were not saved, and the next run reports the lines again.
package checklog
