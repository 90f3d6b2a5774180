// Package state keeps what a plugin remembers between runs: the previous
// counter values of a metric plugin, the positions of a log check.
//
// A Store is one file per plugin instance in a state directory, under an
// exclusive lock held from Open to Close, so that two runs of the same
// check at the same moment never read the same old state: the second
// waits (a bounded time, then fails with a clear reason).
//
// Writing is two-phase, so that a plugin's output and its state cannot
// disagree in the dangerous direction:
//
//	st, err := state.Open(ctx, state.Options{Dir: dir, Key: key})
//	defer st.Close()
//	st.Load(&prev)        // found == false on the first run
//	st.Save(next)         // staged in memory
//	st.Prepare()          // written to a temp file and fsynced
//	... write the result to stdout ...
//	st.Commit()           // renamed over the old file, directory fsynced
//
// A crash (even SIGKILL) at any point leaves either the old or the new
// state file whole, never a torn one; a crash after the output but before
// Commit makes the next run repeat work rather than lose it.
//
// A state file that cannot be decoded, or was written by an unknown
// format version, is reported through Options.Warn and treated as absent.
// Directories are created 0700 and files 0600; a directory or file that
// other users may write is refused, because whoever can write the state
// can make a check skip what it should report: one that belongs to
// another user (root aside, on Unix), whatever its mode, or one that is
// world-writable (without the sticky bit, for a directory).
package state
