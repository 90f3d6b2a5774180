//go:build windows

package logtail

import (
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

func identify(f *os.File) (FileID, error) {
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(windows.Handle(f.Fd()), &info); err != nil {
		return FileID{}, &os.PathError{Op: "GetFileInformationByHandle", Path: f.Name(), Err: err}
	}
	return FileID{
		Dev: uint64(info.VolumeSerialNumber),
		Ino: uint64(info.FileIndexHigh)<<32 | uint64(info.FileIndexLow),
	}, nil
}

// linkCount returns how many names the file has; this platform's files
// are taken to have one.
func linkCount(fs.FileInfo) uint64 { return 1 }
