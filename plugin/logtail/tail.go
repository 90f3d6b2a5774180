package logtail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// DefaultMaxLineLen is the default Tailer.MaxLineLen.
const DefaultMaxLineLen = 1 << 20

// readSize is how much one read asks for.
const readSize = 1 << 20

// minBudgetRead is the smallest read made while a byte budget is nearly
// spent, so that a small budget does not become many tiny reads.
const minBudgetRead = 4 << 10

// Tailer reads what was appended to a set of log files since the last
// run. Its zero value reads UTF-8 with no budget, starting new files at
// their beginning.
type Tailer struct {
	// StartAtEnd makes files of which the previous state has no record
	// start at the beginning of their last line instead of at offset 0.
	// Set it on the very first run of a check (no saved state), so that
	// an old backlog is not reported, unless the operator asked for the
	// first run to read everything.
	StartAtEnd bool

	// Encoding of the files; nil means UTF-8 (bytes pass unchanged).
	Encoding *Encoding

	// MaxLineLen caps the bytes of one line handed to the caller: of a
	// longer line only the first MaxLineLen bytes are delivered (in a
	// Block with Cut set), the rest is skipped without being kept in
	// memory, and the position still moves past the whole line. Zero
	// means DefaultMaxLineLen. It is rounded up to an even number.
	MaxLineLen int

	// MaxBytes is the per-run read budget in bytes; zero means none.
	// Reading stops at the first line end at or after the budget (a line
	// is always finished), and the saved position says exactly where,
	// so the next run goes on from there.
	MaxBytes int64

	// Deadline is the per-run time budget; the zero time means none.
	// Like MaxBytes, it stops reading at a line boundary.
	Deadline time.Time
}

// Block is a run of complete lines from one file, in file order.
type Block struct {
	// Path is the name the lines were read under: for the rest of a
	// rotated file, its new name (e.g. "app.log.1").
	Path string
	// Offset is the file offset of the first byte of the block.
	Offset int64
	// Lines holds whole lines as UTF-8, each ending in '\n', except
	// possibly the last line of a file that was rotated away, which may
	// have none. A line's '\r' before its '\n' is kept. Lines is only
	// valid during the call that receives it.
	Lines []byte
	// Cut is set when Lines is the first MaxLineLen bytes of a single
	// longer line (with no '\n').
	Cut bool
}

// Event says how a run classified a file.
type Event int

// The classifications of Run.
const (
	// Continued: the same file as last time, read from the saved offset.
	Continued Event = iota
	// Started: first run of the check; the file starts at the beginning
	// of its last line, so old lines are not reported.
	Started
	// New: a file not seen before, read from its start.
	New
	// Truncated: the same file, now shorter than the saved offset or
	// rewritten before it (copytruncate): read from its start.
	Truncated
	// Replaced: a file with the same identity (a reused inode) but a
	// different head: a new file, read from its start.
	Replaced
	// Moved: a file read before under another watched name, or a copy of
	// it, read on from the saved offset to its very end.
	Moved
	// RotatedAway: a file renamed away from the watched names (e.g.
	// app.log → app.log.1), read from the saved offset to its very end,
	// an unterminated last line included.
	RotatedAway
)

var eventNames = [...]string{"continued", "started at end", "new", "truncated", "replaced", "moved", "rotated away"}

func (e Event) String() string {
	if e < 0 || int(e) >= len(eventNames) {
		return "unknown"
	}
	return eventNames[e]
}

// FileReport says what a run did with one file.
type FileReport struct {
	Path  string // where the file was read
	Event Event
	Was   string // for Moved and RotatedAway: the name it had before
	From  int64  // the offset reading started at
	To    int64  // the offset reading stopped at: the saved position
	Size  int64  // the size when the file was opened
	// Stopped is set when the budget ran out before the end of the file.
	Stopped bool
	// TruncatedWhileRead is set when the file was truncated (as by
	// copytruncate) while the run was reading it: the next run reads
	// what it holds then from its start, and the rest of the old content
	// from its copy, if there is one.
	TruncatedWhileRead bool
	// Err is why the file could not be read (opened, identified or read
	// to its end); its text is the bare reason, e.g. "permission denied".
	// Lines read before a read error are delivered and their position is
	// kept.
	Err error
}

// Left returns how many bytes known at open time were left unread.
func (f FileReport) Left() int64 { return max(f.Size-f.To, 0) }

// Report is what a run did, file by file, in reading order.
type Report struct {
	Files []FileReport
}

// Failed returns the files that could not be read.
func (r *Report) Failed() []FileReport {
	var out []FileReport
	for _, f := range r.Files {
		if f.Err != nil {
			out = append(out, f)
		}
	}
	return out
}

// Backlog returns the bytes left unread because the budget ran out, and
// in how many files.
func (r *Report) Backlog() (bytes int64, files int) {
	for _, f := range r.Files {
		if f.Stopped && f.Left() > 0 {
			bytes += f.Left()
			files++
		}
	}
	return bytes, files
}

// file is one open file and the plan for reading it.
type file struct {
	path  string
	f     *os.File
	info  fs.FileInfo // at open
	id    FileID
	size  int64
	head  Mark
	codec *codec

	live      bool     // under a watched name when the run began
	newest    *FileRef // for a watched file, the newest rotated file beside it
	target    string   // for a watched name that is a symbolic link, the file it points at; for a hard link, its other name
	noRotated bool     // for a watched file, no rotated file lies beside it
	planned   bool
	event     Event
	was       string
	from      int64
	final     bool   // read to the end, an unterminated last line included
	rotated   bool   // keep its position as a rotated file
	origin    string // for a rotated file, the watched name it came from

	fromTail Mark      // for a file read on from a record: the record's tail mark
	read     readBytes // what the run read of it: its first and last bytes
	to       int64
	stopped  bool
	cut      bool // truncated while it was read
	err      error
}

func (fl *file) report() FileReport {
	return FileReport{Path: fl.path, Event: fl.event, Was: fl.was, From: fl.from, To: fl.to, Size: fl.size,
		Stopped: fl.stopped, TruncatedWhileRead: fl.cut, Err: fl.err}
}

// run is the state of one Run.
type run struct {
	t        *Tailer
	ctx      context.Context
	emit     func(Block)
	maxLine  int
	used     int64
	buf      []byte              // maxLine + readSize
	dec      []byte              // decoded lines
	dirs     map[string][]string // directory → its names
	looked   map[string]*look    // path → the rotated-looking names beside it
	opened   map[string]*file    // path → the file it named when opened
	absent   map[string]bool     // paths found missing
	unlisted map[string]error    // directories that could not be listed, and why
	byID     map[FileID]*file
}

// Run reads, from each of paths, what was appended since prev (the
// State the previous run returned; nil or empty on the first run), and
// hands it to emit as Blocks of whole lines, oldest first: the rest of
// rotated-away files before the files now under the watched names. It
// returns the State to save for the next run and a report of what
// happened to every file.
//
// Save the returned State only after the result of the lines has been
// delivered: a run that dies before then must leave the old State, so
// that the next run repeats the lines rather than losing them.
//
// A file that cannot be read is reported and keeps its previous
// position; the other files are read regardless. Paths are expected to
// name regular files; a directory or device is reported as an error.
func (t *Tailer) Run(ctx context.Context, paths []string, prev *State, emit func(Block)) (*State, *Report) {
	var records []Position
	if prev != nil {
		records = prev.Files
	}
	var (
		r    *run
		plan []*file
		next *State
		rep  *Report
	)
	for attempt := 1; ; attempt++ {
		r = t.newRun(ctx, emit)
		plan, next, rep = r.plan(paths, records)
		if attempt == maxPlanAttempts || r.exhausted() || r.unchanged() {
			break
		}
		// Names changed while the run looked at them: a rotation is
		// under way. Let it finish, then look again.
		r.close()
		time.Sleep(time.Duration(attempt) * time.Millisecond)
	}
	defer r.close()

	// Read, oldest content first.
	for _, fl := range plan {
		fl.to = fl.from
		if r.exhausted() {
			fl.stopped = fl.from < fl.size
		} else {
			r.read(fl)
		}
		next.Files = append(next.Files, fl.positions()...)
		rep.Files = append(rep.Files, fl.report())
	}
	return next, rep
}

// maxPlanAttempts is how many times a run looks at the files when it
// finds names changed while it was looking.
const maxPlanAttempts = 5

func (t *Tailer) newRun(ctx context.Context, emit func(Block)) *run {
	r := &run{t: t, ctx: ctx, emit: emit, maxLine: t.MaxLineLen,
		dirs: map[string][]string{}, looked: map[string]*look{},
		opened: map[string]*file{}, absent: map[string]bool{}, byID: map[FileID]*file{},
		unlisted: map[string]error{}}
	if r.maxLine <= 0 {
		r.maxLine = DefaultMaxLineLen
	}
	r.maxLine += r.maxLine % 2
	return r
}

// close closes the files the run opened.
func (r *run) close() {
	for path, fl := range r.opened {
		if fl.path == path { // opened under this name, not a second one
			fl.f.Close()
		}
	}
}

// plan opens the watched files, finds where the file of each record is
// now, and decides what to read of each: it returns the files to read,
// oldest content first, and the State and Report so far (records kept
// unread, files that could not be opened). It reads no lines.
func (r *run) plan(paths []string, records []Position) ([]*file, *State, *Report) {
	rep := &Report{}
	next := &State{Files: []Position{}}

	// Open what is watched now.
	var live []*file
	isLive := map[string]bool{}
	failed := map[string]bool{}
	for _, p := range paths {
		if isLive[p] || failed[p] {
			continue
		}
		fl, err := r.open(p)
		if err != nil {
			// A file that exists but cannot be read keeps its position;
			// one that is gone is looked for under rotated names.
			failed[p] = !errors.Is(err, fs.ErrNotExist)
			rep.Files = append(rep.Files, FileReport{Path: p, Err: err})
			continue
		}
		isLive[p] = true
		if fl.live {
			continue // the same file under a second name
		}
		fl.live = true
		live = append(live, fl)
	}
	for _, fl := range live {
		fl.target = linkTarget(fl.path)
		if fl.target == "" && linkCount(fl.info) > 1 {
			fl.target = r.otherName(fl)
		}
		fl.newest = r.newestRotated(fl.path, fl.target)
		fl.noRotated = len(r.rotatedBeside(fl.path, fl.target)) == 0
	}

	// Records whose file is still watched, found by identity.
	type orphan struct {
		Position
		contentOnly bool // its identity now belongs to other content
	}
	var orphans []orphan
	var seenEmpty []Position // records of watched files found empty
	for _, rec := range records {
		if failed[rec.Path] {
			next.Files = append(next.Files, rec) // keep it until the file can be read again
			continue
		}
		if rec.Head.Len == 0 && !rec.Rotated {
			seenEmpty = append(seenEmpty, rec)
		}
		fl := r.byID[rec.ID]
		if !rec.ID.Known() || fl == nil || !fl.live || fl.planned {
			orphans = append(orphans, orphan{Position: rec})
			continue
		}
		fl.planned = true
		switch ev := fl.continuity(rec); ev {
		case Continued:
			fl.event, fl.from, fl.fromTail = Continued, rec.Offset, rec.Tail
			if fl.path != rec.Path {
				fl.event, fl.was, fl.final = Moved, rec.Path, !r.awaitingWriter(rec.Path, isLive)
			}
		default:
			fl.event, fl.from = ev, 0
			orphans = append(orphans, orphan{Position: rec, contentOnly: true})
		}
	}

	// Records whose file left the watched names (or whose content was
	// copied away): find where the rest of it went.
	var rotated []*file
	var finished []*file // rotated files found unchanged
	var done *file       // the newest of them, when they are forgotten
	// The watched names whose record can tell where their content went
	// (an empty file's cannot).
	traced := map[string]bool{}
	for _, rec := range records {
		if !rec.Rotated && rec.Head.Len > 0 {
			traced[rec.Path] = true
		}
	}
	var anchors []*file
	for _, o := range orphans {
		succ := r.successor(o.Position, o.contentOnly, live, isLive)
		if dir, _ := splitPath(o.Path); succ == nil && r.unlisted[dir] != nil {
			// Where the file went cannot be known: say so. Once: were
			// it deleted, not renamed, looking again would say so for
			// ever.
			rep.Files = append(rep.Files, FileReport{Path: filepath.Clean(dir), Event: RotatedAway, Was: o.Path,
				Err: &errUnlisted{name: filepath.Base(o.Path), err: r.unlisted[dir]}})
			continue
		}
		if succ == nil {
			// Deleted, or a copy taken before what was read last: the
			// generations after the newest rotated file of that run
			// were never read.
			if a := r.find(o.Newest, o.Path, o.Target); a != nil && !a.live {
				a.planned = true // it was there on the last run: not a generation never read
				anchors = append(anchors, a)
			}
			continue
		}
		succ.planned = true
		succ.from, succ.fromTail = min(o.Offset, succ.size), o.Tail
		if isLive[succ.path] {
			succ.event = Continued   // found by content where it was: no file identity here
			if succ.path != o.Path { // another watched name holds it: renamed, or a copy
				succ.event, succ.was, succ.final = Moved, o.Path, !r.awaitingWriter(o.Path, isLive)
			}
			continue
		}
		succ.was, succ.origin = o.Path, o.Origin
		if succ.origin == "" {
			succ.origin = schemeOf(o.Path, o.Target, succ.path)
		}
		succ.final = !r.awaitingWriter(succ.origin, isLive)
		succ.event, succ.rotated = RotatedAway, true
		if o.Rotated && succ.size == o.Offset && succ.final {
			finished = append(finished, succ)
			continue
		}
		rotated = append(rotated, succ)
	}
	// A rotated file looked at once more after its rotation, to which
	// nothing was added while the writer writes to its new file, is
	// forgotten — but only together with the other generations of the
	// same log: were it forgotten while an older one is still read on, it
	// would be taken on the next run for a generation rotated after that
	// one and never read. When the watched file was missing or empty on
	// the last run, the newest file forgotten is where the generations
	// rotated (or copied) since begin.
	reading := map[string]bool{}
	for _, fl := range rotated {
		reading[fl.origin] = true
	}
	for _, fl := range finished {
		switch {
		case reading[fl.origin]:
			rotated = append(rotated, fl)
		case !traced[fl.origin]:
			done = fl
		}
	}

	// With several rotations since the last run, the generations
	// between the rotated-away file and the watched one were never read.
	if done != nil {
		anchors = append(anchors, done)
	}
	// A watched file found empty on the last run has no content to be
	// traced by: what was written to it and copied away (copytruncate)
	// before this run is in the generations rotated since then, wherever
	// the file itself went.
	for _, rec := range seenEmpty {
		if a := r.find(rec.Newest, rec.Path, rec.Target); a != nil && !a.live {
			anchors = append(anchors, a)
		} else if rec.NoRotated {
			rotated = append(rotated, r.allGenerations(rec.Path, rec.Target, isLive)...)
		}
	}
	rotated = append(rotated, r.laterGenerations(append(anchors, rotated...), isLive)...)
	oldestFirst(rotated)

	// Files never seen before.
	for _, fl := range live {
		if fl.planned {
			continue
		}
		fl.planned = true
		fl.event, fl.from = New, 0
		if r.t.StartAtEnd {
			fl.event, fl.from = Started, r.startOfLastLine(fl)
		}
	}
	return append(rotated, live...), next, rep
}

// awaitingWriter reports whether the writer of the log watched as origin
// may not have reopened it since it was rotated: the file now under that
// name is new and still empty, or there is none yet (a rotation without
// create: logrotate's nocreate, a plain mv). Until something is written
// to the watched name, the writer may still add to the file rotated
// away, and even be in the middle of writing its last line.
func (r *run) awaitingWriter(origin string, isLive map[string]bool) bool {
	fl := r.originFile(origin, isLive)
	return r.absent[origin] || fl != nil && fl.live && fl.size == 0
}

// originFile returns the file now under origin, a watched name or the
// file a watched link names: opened if the run has not opened it yet
// (a caller's glob does not name a file that is missing), nil when it
// cannot be opened.
func (r *run) originFile(origin string, isLive map[string]bool) *file {
	if fl := r.opened[origin]; fl != nil || isLive[origin] || r.absent[origin] {
		return fl
	}
	fl, _ := r.open(origin)
	return fl
}

// unchanged reports whether every name the run looked at still names
// the file it named then, and no rotated-looking name came or went: the
// plan was made from one consistent view of the files. While a rotation
// is under way, names change between one look and the next, and a plan
// made from several moments can miss a file (looked for under a name it
// had already left) or take it twice (once under each name).
func (r *run) unchanged() bool {
	dirs := map[string][]string{}
	for path, l := range r.looked {
		dir, base := splitPath(path)
		if _, ok := dirs[dir]; !ok {
			dirs[dir] = readDirNames(dir)
		}
		if !slices.Equal(rotatedNamesIn(dirs[dir], base), l.names) {
			return false
		}
	}
	for path := range r.absent {
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			return false
		}
	}
	for path, fl := range r.opened {
		fi, err := os.Stat(path)
		if err != nil || !os.SameFile(fi, fl.info) {
			return false
		}
	}
	return true
}

// testHooks lets tests act at chosen moments of a run: rename or truncate
// files while it looks at them or reads them. Nothing else sets them.
var testHooks struct {
	opened     func(path string) // after a path was opened
	beforeRead func(path string) // before each read of a file
}

// open opens a regular file and takes its identity and head. Opening
// the same path again in the run returns the same *file, and so does
// opening a file already open under another name: a second link, or,
// with a rotation under way while the run looks around, the same file
// renamed since (app.log opened as a watched file, then app.log.1 opened
// as a rotation candidate, both the same file). One file is one *file,
// so that no file is read twice in a run.
func (r *run) open(path string) (*file, error) {
	if fl := r.opened[path]; fl != nil {
		return fl, nil
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		r.absent[path] = true
	}
	if err != nil {
		return nil, reason(err)
	}
	if fi.IsDir() {
		return nil, errors.New("is a directory")
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("is not a regular file")
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		r.absent[path] = true
	}
	if err != nil {
		return nil, reason(err)
	}
	fl, err := r.identify(path, f)
	if err != nil {
		f.Close()
		return nil, reason(err)
	}
	if same := r.byID[fl.id]; same != nil && fl.id.Known() {
		f.Close()
		fl = same
	} else if fl.id.Known() {
		r.byID[fl.id] = fl
	}
	r.opened[path] = fl
	if testHooks.opened != nil {
		testHooks.opened(path)
	}
	return fl, nil
}

func (r *run) identify(path string, f *os.File) (*file, error) {
	id, err := identify(f)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	head := make([]byte, min(size, HeadLen))
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = head[:n]
	fl := &file{path: path, f: f, info: fi, id: id, size: size, head: fingerprint(head), codec: r.t.Encoding.codecFor(head)}
	fl.read.first = head
	return fl, nil
}

// reason strips the operation and path from a file system error: the
// caller names the file itself.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// continuity classifies fl, which has rec's identity: the same content
// read on, or a file whose start changed.
func (fl *file) continuity(rec Position) Event {
	switch {
	case fl.size < rec.Offset:
		return Truncated
	case !matchesAt(fl.f, fl.size, 0, rec.Head):
		if fl.size < rec.Head.Len {
			return Truncated
		}
		return Replaced
	case !matchesAt(fl.f, fl.size, rec.Offset-rec.Tail.Len, rec.Tail):
		return Truncated
	}
	return Continued
}

// holds reports whether fl holds the content rec describes, up to
// rec.Offset.
func (fl *file) holds(rec Position) bool {
	return fl.size >= rec.Offset &&
		matchesAt(fl.f, fl.size, 0, rec.Head) &&
		matchesAt(fl.f, fl.size, rec.Offset-rec.Tail.Len, rec.Tail)
}

// successor finds the file that now holds the content of rec: the file
// with its identity under a rotated name (unless contentOnly), else a
// file whose head and tail marks match (a copy). Candidates are the
// watched files not yet claimed and the rotated-looking names beside
// rec.Path.
func (r *run) successor(rec Position, contentOnly bool, live []*file, isLive map[string]bool) *file {
	byContent := rec.Head.Len > 0 // known content, even if none of it was read yet
	if !byContent && (contentOnly || !rec.ID.Known()) {
		return nil
	}
	var cands []*file
	if !isLive[rec.Path] {
		if fl, err := r.open(rec.Path); err == nil {
			cands = append(cands, fl)
		}
	}
	names := r.rotatedNames(rec.Path)
	if rec.Origin != "" && rec.Origin != rec.Path {
		names = append(names, r.rotatedNames(rec.Origin)...)
	}
	if dir, _ := splitPath(rec.Path); r.unlisted[dir] != nil {
		names = append(names, probedNames(rec.Path, time.Now())...)
	}
	if rec.Target != "" && rec.Target != rec.Path {
		// A link re-pointed at each rotation: the file it named keeps
		// its own name. A link that always names the same path: the
		// file was rotated beside it.
		names = append(names, rec.Target)
		names = append(names, r.rotatedNames(rec.Target)...)
	}
	for _, p := range names {
		if isLive[p] || p == rec.Path {
			continue
		}
		if fl, err := r.open(p); err == nil {
			cands = append(cands, fl)
		}
	}
	if !contentOnly {
		for _, fl := range cands {
			if !fl.planned && sameFile(fl.id, rec.ID) && fl.holds(rec) {
				return fl
			}
		}
	}
	if !byContent {
		return nil
	}
	for _, fl := range live {
		if !fl.planned && !sameFile(fl.id, rec.ID) && fl.holds(rec) {
			return fl
		}
	}
	for _, fl := range cands {
		if !fl.planned && !sameFile(fl.id, rec.ID) && fl.holds(rec) {
			return fl
		}
	}
	// A copy taken while the last run read the file on, and so shorter
	// than what it read (even than its head): nothing of it is left to
	// read, but the generations copied after it come next.
	head := Position{Offset: rec.Head.Len, Head: rec.Head}
	first := Position{Offset: rec.First.Len, Head: rec.First}
	for _, fl := range cands {
		if !fl.planned && !sameFile(fl.id, rec.ID) && fl.size < rec.Offset &&
			(fl.holds(head) || rec.First.Len > 0 && fl.holds(first)) {
			return fl
		}
	}
	return nil
}

// startOfLastLine returns where the last line of fl starts: its size
// when the file ends with a newline, else the offset just after the
// last newline within MaxLineLen bytes of the end.
func (r *run) startOfLastLine(fl *file) int64 {
	win := min(fl.size, int64(r.maxLine))
	start := fl.size - win
	if start%2 == 1 && fl.codec.unit == 2 {
		start, win = start+1, win-1
	}
	buf := make([]byte, win)
	if _, err := fl.f.ReadAt(buf, start); err != nil {
		return fl.size
	}
	if k := fl.codec.lastNewline(buf); k >= 0 {
		return start + int64(k)
	}
	if start == 0 {
		return 0
	}
	return fl.size
}

// exhausted reports whether the budget is spent or the run cancelled.
func (r *run) exhausted() bool {
	t := r.t
	return (t.MaxBytes > 0 && r.used >= t.MaxBytes) ||
		(!t.Deadline.IsZero() && !time.Now().Before(t.Deadline)) ||
		r.ctx.Err() != nil
}

// readLen is how much the next read asks for, n bytes being buffered.
func (r *run) readLen(n int) int {
	if r.t.MaxBytes <= 0 {
		return readSize
	}
	left := r.t.MaxBytes - r.used - int64(n)
	return int(min(max(left, minBudgetRead), readSize))
}

// read reads fl from fl.from, delivering whole lines, until its end, a
// read error or the budget.
func (r *run) read(fl *file) {
	if r.buf == nil {
		r.buf = make([]byte, r.maxLine+readSize)
	}
	buf, c := r.buf, fl.codec
	off := fl.from
	if _, err := fl.f.Seek(off, io.SeekStart); err != nil {
		fl.err = reason(err)
		return
	}
	consume := func(k int64) {
		off += k
		r.used += k
		fl.to = off
	}
	n := 0 // buf[:n] is the start of a line not yet delivered
	for {
		if k := c.lastNewline(buf[:n]); k > 0 {
			budgetEnd := false
			if left := r.t.MaxBytes - r.used; r.t.MaxBytes > 0 && int64(k) > left {
				// Stop at the first line end at or after the budget.
				if left <= 0 {
					fl.stopped = true
					return
				}
				if j := c.firstNewline(buf[left:k], int(left)%c.unit); j >= 0 {
					k = int(left) + j
				}
				budgetEnd = true
			}
			if fl.err = r.deliver(fl, off, buf[:k], false); fl.err != nil {
				return
			}
			fl.read.add(off, buf[:k])
			consume(int64(k))
			if budgetEnd {
				fl.stopped = true
				return
			}
			n = copy(buf, buf[k:n])
		}
		if n >= r.maxLine {
			before := fl.read.save()
			fl.read.add(off, buf[:n])
			lineLen, rest, found, err := r.skipLongLine(fl, off, n)
			if err != nil {
				fl.read.restore(before)
				if err != errTruncated {
					fl.err = err
				}
				return
			}
			if !found && !fl.final {
				fl.read.restore(before)
				return // the line is not finished: the next run reads it again
			}
			if fl.err = r.deliver(fl, off, buf[:r.maxLine], true); fl.err != nil {
				fl.read.restore(before)
				return
			}
			consume(lineLen)
			n = copy(buf, rest)
			if !found {
				return
			}
			continue
		}
		if r.exhausted() {
			fl.stopped = true
			return
		}
		if testHooks.beforeRead != nil {
			testHooks.beforeRead(fl.path)
		}
		m, err := fl.f.Read(buf[n : n+r.readLen(n)])
		if m > 0 && !fl.headUnchanged() {
			return // truncated: what was just read may be new content
		}
		if m > 0 {
			n += m
			continue
		}
		if err != nil && err != io.EOF {
			fl.err = reason(err)
			return
		}
		if n > 0 && fl.final { // the unterminated last line of a rotated file
			if fl.err = r.deliver(fl, off, buf[:n], false); fl.err != nil {
				return
			}
			fl.read.add(off, buf[:n])
			consume(int64(n))
		}
		return
	}
}

// errTruncated stops reading a file found truncated.
var errTruncated = errors.New("truncated while read")

// skipLongLine is called with buf[:n] (n >= maxLine) the start of a line
// and no newline in it. It keeps buf[:maxLine] and reads on to the end of
// the line, dropping the bytes in between. It returns the length of the
// whole line with its newline, the bytes read after it, and whether the
// newline was found before the end of the file.
func (r *run) skipLongLine(fl *file, off int64, n int) (lineLen int64, rest []byte, found bool, err error) {
	buf, c, keep := r.buf, fl.codec, r.maxLine
	seen := int64(n)
	last := buf[n-1]
	for {
		// A UTF-16 newline may straddle two reads: start the chunk on a
		// code unit boundary by repeating the previous byte.
		carry := int(seen % int64(c.unit))
		if carry == 1 {
			buf[keep] = last
		}
		m, rerr := fl.f.Read(buf[keep+carry : keep+readSize])
		if m > 0 && !fl.headUnchanged() {
			return 0, nil, false, errTruncated
		}
		if m == 0 {
			if rerr != nil && rerr != io.EOF {
				return 0, nil, false, reason(rerr)
			}
			return seen, nil, false, nil
		}
		chunk := buf[keep : keep+carry+m]
		if j := c.firstNewline(chunk, 0); j >= 0 {
			fl.read.add(off+seen, chunk[carry:j])
			return seen - int64(carry) + int64(j), chunk[j:], true, nil
		}
		fl.read.add(off+seen, chunk[carry:])
		seen += int64(m)
		last = chunk[len(chunk)-1]
	}
}

// deliver decodes raw lines read at off and hands them to emit.
func (r *run) deliver(fl *file, off int64, raw []byte, cut bool) error {
	c := fl.codec
	if off == 0 && len(c.bom) > 0 && bytes.HasPrefix(raw, c.bom) {
		raw, off = raw[len(c.bom):], int64(len(c.bom))
	}
	lines := raw
	if c.dec != nil {
		var err error
		if lines, err = c.decode(r.dec, raw); err != nil {
			return err
		}
		r.dec = lines[:0]
	}
	if len(lines) > 0 {
		r.emit(Block{Path: fl.path, Offset: off, Lines: lines, Cut: cut})
	}
	return nil
}
