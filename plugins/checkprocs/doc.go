// Package checkprocs is the check-procs plugin: it counts the running
// processes that match a pattern or a name and reports WARNING or
// CRITICAL when a count is out of bounds — by default, when nothing runs:
//
//	PROCS OK: 3 processes matching /nginx: worker/
//	PROCS CRITICAL: 0 processes named sshd (expected at least 1)
//
// It takes the flags of Mackerel's check-procs, so an agent
// configuration can switch binaries without a change, and fixes what the
// old one gets wrong:
//
//   - Processes are read from /proc on Linux, without starting ps, and
//     only the facts the flags need are read (package proctable): a
//     pattern reads the command lines and nothing else, a user filter the
//     owner of the processes the pattern picked. The command line is argv
//     as the process has it, joined by single spaces.
//   - Users are matched by uid, so a name of any length works (ps cuts
//     them at 8 characters, and the old plugin compared the cut name).
//   - Each -p and -n is counted and judged on its own and the worst
//     status wins, whatever the order of the flags.
//   - The check never counts itself, its parent, or the processes that
//     wrap it further up (sh -c 'check-procs -p x', sudo, timeout):
//     any ancestor whose command line holds the check's own arguments.
//     A dead daemon therefore reads as CRITICAL, not as OK because the
//     wrapper's command line matched.
//   - Resource filters say their direction in their names (--rss-over,
//     --vsz-under, --threads-over, --pcpu-under) and do what they say;
//     the old -z/-r/-P/-T, which did the opposite of their help, are
//     refused with a pointer to the new ones.
//   - --pid-file takes a pid file (-f took a PID): a missing pid file, or
//     one naming a process that is not running or is a zombie, is
//     CRITICAL with that reason.
//   - -w and -c also take Nagios ranges, and every count is reported as
//     perfdata (procs=3;…) for --format=nagios.
//
// %CPU (--pcpu-over, --pcpu-under) is computed as ps computes it on
// Linux: the CPU time the process has used, user plus system, divided by
// the time since it started. -i/--cpu-over and -I/--cpu-under are, as in
// the old plugin, the CPU time itself, in seconds.
package checkprocs
