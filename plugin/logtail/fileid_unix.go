//go:build unix

package logtail

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

func identify(f *os.File) (FileID, error) {
	fi, err := f.Stat()
	if err != nil {
		return FileID{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return FileID{}, fmt.Errorf("%s: no device and inode number", f.Name())
	}
	// Dev is int32 on some systems; the conversion is only used for
	// equality, so sign extension does no harm.
	return FileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}, nil
}

// linkCount returns how many names the file has (hard links); 1 when
// the platform does not say.
func linkCount(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}
