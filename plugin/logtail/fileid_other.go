//go:build !unix && !windows

package logtail

import (
	"io/fs"
	"os"
)

// identify has no file identity to offer on this platform; positions rely
// on the fingerprints alone.
func identify(*os.File) (FileID, error) { return FileID{}, nil }

// linkCount returns how many names the file has; this platform's files
// are taken to have one.
func linkCount(fs.FileInfo) uint64 { return 1 }
