//go:build unix

package procfs

import (
	"io/fs"
	"syscall"
)

// FileReader reads whole files into one buffer that it reuses, which
// keeps reading thousands of small procfs files (one per process) cheap.
// The zero FileReader is ready to use; it is for one goroutine at a time.
type FileReader struct {
	buf []byte
}

// ReadFile returns the content of the file at path, valid until the next
// call. An error is an *fs.PathError wrapping the system's error number,
// so errors.Is(err, fs.ErrNotExist) and errors.Is(err, syscall.ESRCH)
// work on it.
func (r *FileReader) ReadFile(path string) ([]byte, error) {
	if r.buf == nil {
		r.buf = make([]byte, 4096)
	}
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	n := 0
	for {
		if n == len(r.buf) {
			r.buf = append(r.buf, make([]byte, len(r.buf))...)
		}
		m, err := syscall.Read(fd, r.buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		n += m
		if m == 0 {
			return r.buf[:n], nil
		}
		// procfs hands a file out whole when the buffer has room: a read
		// that leaves room has reached the end, which saves a read per
		// file. A regular file (a fixture) may return less than asked
		// only at its end too.
		if n < len(r.buf) {
			return r.buf[:n], nil
		}
	}
}
