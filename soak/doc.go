// Package soak proves check-log's promise — nothing lost, nothing
// repeated, nothing silently OK — end to end, under load, with the real
// binary. It has no code of its own, only tests:
//
//   - The soak test: a writer appends lines, a known number of which
//     match, while a rotator rotates the log as logrotate does (numbered
//     renames app.log → app.log.1 → app.log.2 …, or copytruncate), and
//     check-log runs again and again at random moments, sometimes after
//     several rotations. After a final drain, the counts check-log
//     reported add up to the matching lines written: exactly for rename
//     rotation; for copytruncate, missing only lines written between a
//     copy and its truncate, which the test counts and prints.
//   - Fault tests: a full disk (a tmpfs when the test may mount one, else
//     a file size limit) and a stuck run holding the lock each make a run
//     UNKNOWN with the reason, and the next good run counts that run's
//     lines. (The state store's own faults are tested in plugin/state.)
//
// The soak runs for TEKO_SOAK_DURATION per rotation style (a Go
// duration; 10s by default, as part of "make test"; "make soak" runs
// minutes). TEKO_SOAK_SEED fixes the random schedule; the seed in use is
// printed, so a failure can be replayed.
//
// The copytruncate soak holds check-log runs off while a copy is being
// taken and truncated, so that the count is exact: it is the number of
// matching lines found in the copies and in the log at the end, and every
// other line must have been written between a copy and its truncate
// (copytruncate loses them; the test counts and prints them).
// TEKO_SOAK_OVERLAP=1 lets runs overlap copies and truncates, as in real
// life: check-log may then also count some of those lines, read before
// the truncate, so the count is only bounded (at least the lines kept in
// files, at most all lines written), and no line may be shown twice.
package soak
