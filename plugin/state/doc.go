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
// # Keys: which state belongs to which instance
//
// Each plugin instance (a plugin with one configuration) has its own
// file, named by Key: the plugin name and a hash of "name=value" pairs.
// The rule the plugin runtime follows, and a stable promise to operators:
//
//	The key is the plugin's name plus every option whose value differs
//	from its default, except options tagged statekey:"-".
//
// So the spelling and order of the flags do not matter, an option given
// with its default value is the same as an option left out, and a
// release that adds an option with a default never changes an existing
// key. Options that only change what is reported — thresholds, output
// switches, the state directory itself, the timeout — are tagged
// statekey:"-", so that changing them keeps the state. The default
// value is what parsing an empty command line gives.
//
// # Upgrades
//
// Releases up to 7888c66 hashed every option, defaults included, and
// kept their files in a "teko" folder of the temporary directory shared
// by every user. The runtime lists the keys and directories such a
// release would have used (Options.Former, FormerDirs); when the
// instance has no state file yet, Open carries the newest of them over,
// under its lock, by an atomic rename (or a synced copy from another file
// system), so an upgrade loses and repeats nothing, and the old file
// cannot be found a second time.
//
// The default directory is now per user, "teko-<uid>" in the temporary
// directory (Dir); the shared "teko" folder is still read when it
// belongs to the running user, and never when it belongs to another.
//
// # Parts
//
// Store.Part gives independent values in the same file, loaded and
// saved separately and written together by one Commit: the runtime keeps
// a metric plugin's counter totals in the main part and hands the plugin
// its own part, so the two never overwrite each other and never disagree
// after a crash.
//
// # Damaged and newer files
//
// A state file that cannot be decoded, or was written by an older
// unknown format version, is reported through Options.Warn and treated
// as absent. A file written by a newer format version (a rollback after
// an upgrade) is an error naming the file and its version
// (ErrNewerFormat): the run is UNKNOWN and the file is left untouched,
// for the newer release to find again.
// Directories are created 0700 and files 0600; a directory or file that
// other users may write is refused, because whoever can write the state
// can make a check skip what it should report: one that belongs to
// another user (root aside, on Unix), whatever its mode, or one that is
// world-writable (without the sticky bit, for a directory).
package state
