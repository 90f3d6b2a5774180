package logtail

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
)

// HeadLen is how many bytes at the start of a file its head mark covers
// (fewer while the file is shorter).
const HeadLen = 1024

// TailLen is how many bytes just before the offset the tail mark covers
// (fewer near the start of the file).
const TailLen = 256

// A Mark fingerprints a stretch of a file: its length and a hash of its
// bytes. The zero Mark covers nothing and matches any file.
type Mark struct {
	Len  int64  `json:"len"`
	Hash string `json:"hash,omitempty"`
}

// Position records how far a file has been read and what it looked like,
// so that the next run can tell the same file from a rotated, truncated
// or replaced one. It is plain data, meant to be kept as JSON between
// runs (in teko, through the plugin state store).
type Position struct {
	// Path is where the file was last seen.
	Path string `json:"path"`
	// ID is the file's identity (device and inode, or file index).
	ID FileID `json:"id"`
	// Offset is where the next read starts: always at the start of a
	// line.
	Offset int64 `json:"offset"`
	// Head fingerprints the first bytes of the file.
	Head Mark `json:"head"`
	// Tail fingerprints the bytes just before Offset.
	Tail Mark `json:"tail"`
	// First fingerprints the file's first line, when it is shorter than
	// the head: a copy taken before the head was written (a small file
	// copied by copytruncate while a run read on) is known by it.
	First Mark `json:"first,omitzero"`
	// Rotated is set for a file that has been rotated away from the names
	// being watched; it is read once more on the next run to catch what a
	// writer still added to it, and then forgotten.
	Rotated bool `json:"rotated,omitempty"`
	// Origin is, for a rotated file, the watched name it was rotated
	// from: rotated names are looked for beside it as well, should the
	// file be renamed again (app.log.1 → app.log.2).
	Origin string `json:"origin,omitempty"`
	// Newest is, for a watched file, the rotated file that was the newest
	// beside it when the position was taken. Should the file's content
	// not be found again (a copytruncate's copy taken before the lines
	// last read were written), the generations rotated after Newest are
	// the ones never read.
	Newest *FileRef `json:"newest,omitempty"`
	// NoRotated is set for a watched file beside which no rotated file
	// lay when the position was taken: should it have been empty then,
	// every rotated file found beside it later holds lines written since
	// (copied away by copytruncate).
	NoRotated bool `json:"no_rotated,omitempty"`
	// Target is, for a watched name that is a symbolic link, the file
	// it pointed at, and for one that is a hard link, the file's other
	// name beside it (cronolog --symlink, rotatelogs -L and many
	// appenders re-point a link such as current.log at each rotation):
	// should the link name another file on the next run, the rest of
	// this one is read under that name.
	Target string `json:"target,omitempty"`
}

// FileRef names a file by its identity, and where it was seen.
type FileRef struct {
	Path string `json:"path"`
	ID   FileID `json:"id"`
}

// State is everything a tailing check remembers between runs: one
// Position per file.
type State struct {
	Files []Position `json:"files"`
}

// markAt fingerprints n bytes of f starting at off. It returns the zero
// Mark for n <= 0 and an error when the bytes cannot all be read.
func markAt(f *os.File, off, n int64) (Mark, error) {
	if n <= 0 {
		return Mark{}, nil
	}
	var buf [HeadLen]byte // HeadLen >= TailLen
	b := buf[:n]
	if _, err := f.ReadAt(b, off); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Mark{}, err
	}
	return fingerprint(b), nil
}

// fingerprint is the Mark of b.
func fingerprint(b []byte) Mark {
	if len(b) == 0 {
		return Mark{}
	}
	sum := sha256.Sum256(b)
	return Mark{Len: int64(len(b)), Hash: hex.EncodeToString(sum[:12])}
}

// tailMark fingerprints the bytes just before off.
func tailMark(f *os.File, off int64) (Mark, error) {
	n := min(off, TailLen)
	return markAt(f, off-n, n)
}

// matchesAt reports whether f, of the given size, holds at off the bytes
// that m fingerprints.
func matchesAt(f *os.File, size, off int64, m Mark) bool {
	if m.Len == 0 {
		return true
	}
	if off < 0 || off+m.Len > size {
		return false
	}
	got, err := markAt(f, off, m.Len)
	return err == nil && got == m
}
