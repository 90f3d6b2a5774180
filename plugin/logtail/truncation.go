package logtail

import (
	"bytes"
	"errors"
	"io"
)

// A copytruncate can land while a run reads the file: the file is copied
// away, then cut to nothing in place, and the writer starts again at
// offset 0. What the run read is then no longer in the file, and an
// offset past the new end, or into new content, would make the next run
// lose or repeat lines. So when a run has read a file, it checks that the
// file still holds what was read (intact), and if not, records two
// positions instead of one (positions): the old content, to be found by
// its fingerprints in the copy and read on from where the run stopped,
// and the file itself, to be read from its start.

// readBytes keeps, of what a run read of a file, the first HeadLen bytes
// of the file (those seen when it was opened, and those read after them)
// and the last TailLen bytes read: what its head and tail marks cover.
type readBytes struct {
	first []byte
	last  [TailLen]byte
	n     int // of last
}

// add records that b was read at offset off, right after what was read
// before.
func (rb *readBytes) add(off int64, b []byte) {
	if have := int64(len(rb.first)); have < HeadLen && off <= have && have < off+int64(len(b)) {
		rb.first = append(rb.first, b[have-off:min(int64(len(b)), HeadLen-off)]...)
	}
	if len(b) >= TailLen {
		rb.n = copy(rb.last[:], b[len(b)-TailLen:])
		return
	}
	keep := min(rb.n, TailLen-len(b))
	copy(rb.last[:keep], rb.last[rb.n-keep:rb.n])
	rb.n = keep + copy(rb.last[keep:], b)
}

// lastRead returns the last bytes read, up to TailLen.
func (rb *readBytes) lastRead() []byte { return rb.last[:rb.n] }

// save and restore undo adds.
func (rb *readBytes) save() readBytes { return *rb }

func (rb *readBytes) restore(saved readBytes) {
	saved.first = rb.first[:len(saved.first)]
	*rb = saved
}

// intact reports whether fl, now size bytes long, still holds what the run
// read of it: it is not shorter than fl.to, its head is the one seen when
// it was opened, and the bytes just before fl.to are the ones read. Only a
// sure sign of truncation makes it false; a read error does not.
func (fl *file) intact(size int64) bool {
	if size < fl.to || !fl.headUnchanged() {
		return false
	}
	seen := fl.read.lastRead()
	var buf [TailLen]byte
	got := buf[:len(seen)]
	switch _, err := fl.f.ReadAt(got, fl.to-int64(len(seen))); {
	case errors.Is(err, io.EOF):
		return false
	case err == nil && !bytes.Equal(got, seen):
		return false
	}
	return true
}

// headUnchanged reports whether fl still starts with the bytes it started
// with when it was opened. The run checks it after every read, before it
// delivers what it read: once a file has been truncated and written
// again, a read at the old offset returns the new content's middle.
func (fl *file) headUnchanged() bool {
	n := fl.head.Len
	if n == 0 {
		return true
	}
	var buf [HeadLen]byte
	_, err := fl.f.ReadAt(buf[:n], 0)
	if errors.Is(err, io.EOF) {
		return false
	}
	return err != nil || fingerprint(buf[:n]) == fl.head
}

// positions returns what the next run must know of fl: its Position, or,
// when the file was truncated while it was read, a Position for the old
// content (by fingerprints only, as the file's identity now belongs to
// the new content) followed by one for the file at offset 0, never
// beyond its new end.
func (fl *file) positions() []Position {
	// The head mark covers the bytes read after those seen at open too:
	// a file opened empty is known by what was read of it.
	pos := Position{Path: fl.path, ID: fl.id, Offset: fl.to, Head: fingerprint(fl.read.first), Rotated: fl.rotated, Origin: fl.origin, Newest: fl.newest, NoRotated: fl.noRotated, Target: fl.target}
	if k := fl.codec.firstNewline(fl.read.first, 0); k > 0 && k < len(fl.read.first) {
		pos.First = fingerprint(fl.read.first[:k])
	}
	fi, err := fl.f.Stat()
	if err != nil || fl.intact(fi.Size()) {
		if seen := fl.read.lastRead(); int64(len(seen)) == min(fl.to, TailLen) {
			pos.Tail = fingerprint(seen)
		} else if pos.Tail, err = tailMark(fl.f, fl.to); err != nil {
			pos.Tail = Mark{} // the file shrank meanwhile; the next run sees it
		}
		return []Position{pos}
	}
	fl.cut = true
	var out []Position
	// The copy may have been taken before the run opened the file, and
	// be shorter than what the run saw then: the old content's head mark
	// covers only what was read, or, if nothing was, the first line.
	n := min(int64(len(fl.read.first)), fl.to)
	if n == 0 {
		n = int64(max(fl.codec.firstNewline(fl.read.first, 0), 0))
	}
	if n > 0 {
		old := pos
		old.ID, old.Head = FileID{}, fingerprint(fl.read.first[:n])
		old.Tail = fl.fromTail
		if seen := fl.read.lastRead(); len(seen) > 0 {
			old.Tail = fingerprint(seen)
		}
		old.Rotated = true
		if old.Origin == "" {
			old.Origin = fl.path
		}
		out = append(out, old)
	}
	head := make([]byte, min(fi.Size(), HeadLen))
	k, err := fl.f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		k = 0
	}
	return append(out, Position{Path: fl.path, ID: fl.id, Head: fingerprint(head[:k]), Rotated: fl.rotated, Origin: fl.origin, Newest: fl.newest, NoRotated: fl.noRotated, Target: fl.target})
}
