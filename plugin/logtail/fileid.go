package logtail

import "os"

// FileID names a file independently of its path: the device and inode
// number on Unix, the volume serial number and file index on Windows. A
// renamed file keeps its FileID; a file deleted and created again usually
// gets a new one, but file systems do reuse inode numbers, which is why a
// Position also fingerprints the file's head.
//
// The zero FileID means "unknown" (a platform that has no such number);
// it never equals another file's.
type FileID struct {
	Dev uint64 `json:"dev"`
	Ino uint64 `json:"ino"`
}

// Known reports whether id holds a real identity.
func (id FileID) Known() bool { return id != FileID{} }

// sameFile reports whether a and b are known and equal.
func sameFile(a, b FileID) bool { return a.Known() && a == b }

// Identify returns the FileID of an open file.
func Identify(f *os.File) (FileID, error) { return identify(f) }
