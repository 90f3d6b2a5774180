//go:build !unix

package procfs

import (
	"io"
	"os"
)

// FileReader reads whole files into one buffer that it reuses. The zero
// FileReader is ready to use; it is for one goroutine at a time.
type FileReader struct {
	buf []byte
}

// ReadFile returns the content of the file at path, valid until the next
// call. An error is an *fs.PathError.
func (r *FileReader) ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if r.buf == nil {
		r.buf = make([]byte, 4096)
	}
	n := 0
	for {
		if n == len(r.buf) {
			r.buf = append(r.buf, make([]byte, len(r.buf))...)
		}
		m, err := f.Read(r.buf[n:])
		n += m
		if err == io.EOF || m == 0 && err == nil {
			return r.buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}
