// Package logtail reads what was appended to log files since the last
// run, without losing a line and without repeating one, across log
// rotation, truncation and restarts. It is the engine of check-log and
// of any plugin that watches logs.
//
// A run is one call:
//
//	t := &logtail.Tailer{StartAtEnd: firstRun}
//	next, report := t.Run(ctx, paths, prev, func(b logtail.Block) {
//		// b.Lines holds whole lines of b.Path, oldest first
//	})
//	// deliver the result, then save next for the following run
//
// The caller keeps the State between runs (it is plain JSON-friendly
// data); in teko the plugin state store does that, under a lock, and
// writes it only after the result has been printed, so two runs never
// read the same lines and a run killed at any point loses nothing: the
// next one starts from the last saved State and repeats what the dead
// run did not report.
//
// # How a file is recognised
//
// For every file it has read, the State holds a Position: the file's
// identity (device and inode, or the volume serial number and file index
// on Windows), a fingerprint of its first bytes (up to HeadLen), a
// fingerprint of the bytes just before the offset (up to TailLen), and
// the offset, which is always at the start of a line. On the next run
// each watched file is classified (see Event):
//
//   - the same identity and both fingerprints match: read on from the
//     offset (Continued);
//   - the same identity but shorter than the offset, or different bytes
//     before it: it was truncated (copytruncate), read from 0
//     (Truncated);
//   - the same identity but a different head: a new file that reuses
//     an inode, read from 0 (Replaced);
//   - a file with no Position: read from 0 (New) — unless the check has
//     never run (Tailer.StartAtEnd), when only lines added from now on
//     count (Started).
//
// A Position whose file is no longer under a watched name is looked for
// beside its old path, among rotated-looking names ("app.log.1",
// "app.log-20261124", "app-20261124.log"; compressed files excluded):
// first by identity, then by the two fingerprints (a copy, as
// copytruncate leaves). The rest of that file, from the offset to its
// very end, is read before the watched files (RotatedAway), so that
// after a rename-and-create rotation the rest of the old file and all of
// the new file are read exactly once, however far the new file has
// already grown. The generations rotated between that file and the
// watched one since the last run are read whole; their names give their
// order (app.log.2 before app.log.1, app.log-20261123 before
// app.log-20261124), not their modification times, which a clock
// stepped back or a late writer puts out of order. A copy shorter than what
// was read (taken while the last run read on) has nothing left to read,
// but the generations copied after it still come next. A file that was
// empty on the last run has no content to be found by: the generations
// rotated beside it since then (Position.Newest, Position.NoRotated) hold
// what was written to it and copied away. Rotated files are read oldest
// first, so that a budget that stops a run leaves only newer ones unread.
//
// A watched name that is a link made anew at each rotation is followed:
// a symbolic link (current.log -> app-20261130.log, as cronolog
// --symlink makes), or a hard link (rotatelogs -L; on Unix, where the
// number of links is known). The Position keeps the file's other name
// (Position.Target), where the rest of that file is read on the next
// run, followed by the files of the same name shape that sort between it
// and the link's new target (the link was re-pointed more than once
// since).
//
// The rotated file is looked at again on the next runs, to catch lines a
// writer adds before it reopens its log, and forgotten once nothing was
// added and the writer has moved on: as long as the file under the
// watched name is new and empty, or missing (a rotation without create:
// logrotate's nocreate, a plain mv), the writer may still be writing to
// the rotated one. For the same reason its unterminated last line waits
// until then. The rotated files of one log are forgotten together, when
// none of them has anything left to read: a file forgotten earlier would
// pass for a generation never read.
//
// # Rotation during a run
//
// logrotate renames files while a run looks at them. A run first opens
// the files and decides what to read (the plan), then checks that every
// name it looked at still names the same file and that no rotated name
// came or went; if one did, it closes everything and looks again, a few
// times at most. So the plan comes from one consistent view of the
// directory: a file renamed between two looks is neither missed nor taken
// for two files. A file opened under two names in one run is one file
// all the same (one identity, one reading).
//
// # Truncation during a run
//
// A copytruncate can land while a run reads a file. After every read,
// before delivering what it read, the run checks that the file still
// starts with the bytes it started with; after the last, that the file
// is no shorter than where reading stopped and still holds the bytes
// just read before that point. If not, it delivers nothing more and saves
// two positions (FileReport.TruncatedWhileRead): one for the old content,
// found on the next run in the copy by its fingerprints and read on from
// where this run stopped, and one for the file itself at offset 0, never
// past its new end. Lines written between the copy and the truncate are
// in no file and are lost by copytruncate itself; the run may still have
// read some of them.
//
// # Lines
//
// A line ends with '\n'. A last line without one is left for the next
// run, since its writer is probably still writing it, except in a file
// that was rotated away, where it is delivered as it is once the writer
// has moved on to the new file (see above). Lines are delivered in
// Blocks of many lines, straight from a large read buffer, so that a
// matcher can search a whole block at once.
//
// Memory does not depend on the input: reads are 1 MiB, and of a line
// longer than Tailer.MaxLineLen (1 MiB by default) only the first
// MaxLineLen bytes are delivered (Block.Cut) while the rest is skipped;
// the position still moves past the whole line.
//
// # Budget
//
// Tailer.MaxBytes and Tailer.Deadline bound one run. When either is
// reached, reading stops at a line boundary and the Position records
// exactly where, so that a large backlog is worked off over several runs
// with no line lost; Report.Backlog says how much is left.
//
// # Encodings
//
// Tailer.Encoding (see LookupEncoding) decodes the files to UTF-8. Lines
// are split on the raw bytes before decoding, which works for every
// encoding in which the byte 0x0A is only ever a newline (UTF-8, the
// ISO-8859 and Windows code pages, EUC-JP, Shift_JIS, GB18030, …) and for
// UTF-16 in either byte order, whose newline is the aligned unit 0x000A.
// Offsets are always in the file's own bytes.
//
// # Errors
//
// A watched path that cannot be read (missing, a directory, no
// permission, a symbolic link loop, an I/O error) is reported in its
// FileReport and keeps its previous Position; the other files are read as
// usual. A directory that can be searched but not listed (mode 0711)
// hides where a rotated file went: the usual names are tried (app.log.1,
// app.log-YYYYMMDD of today and yesterday), and if the file is under
// none, the directory is reported as the FileReport's Path, with an error
// saying so, in the run that found the file gone (once: the file may as
// well have been deleted).
package logtail
