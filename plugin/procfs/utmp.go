package procfs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"
)

// UtmpSize is the size of one utmp record of glibc on Linux, on 32-bit
// and 64-bit machines alike.
const UtmpSize = 384

// Utmp record types (ut_type).
const (
	UtmpEmpty        = 0
	UtmpRunLevel     = 1
	UtmpBootTime     = 2
	UtmpInitProcess  = 5
	UtmpLoginProcess = 6
	UtmpUserProcess  = 7 // a user's login session
	UtmpDeadProcess  = 8
)

// UtmpEntry is one record of utmp: who is logged in where.
type UtmpEntry struct {
	Type int16
	PID  int32
	Line string // the terminal: pts/0, tty1
	ID   string
	User string
	Host string // where the login came from
	Time time.Time
}

// ParseUtmp reads utmp records (the file's byte order is the machine's).
// A trailing partial record (a file being written) is ignored.
func ParseUtmp(r io.Reader) ([]UtmpEntry, error) {
	var entries []UtmpEntry
	rec := make([]byte, UtmpSize)
	for {
		_, err := io.ReadFull(r, rec)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return entries, nil
		}
		if err != nil {
			return entries, err
		}
		e := UtmpEntry{
			Type: int16(binary.NativeEndian.Uint16(rec[0:])),
			PID:  int32(binary.NativeEndian.Uint32(rec[4:])),
			Line: cString(rec[8:40]),
			ID:   cString(rec[40:44]),
			User: cString(rec[44:76]),
			Host: cString(rec[76:332]),
		}
		sec := int32(binary.NativeEndian.Uint32(rec[340:]))
		usec := int32(binary.NativeEndian.Uint32(rec[344:]))
		e.Time = time.Unix(int64(sec), int64(usec)*1000)
		entries = append(entries, e)
	}
}

// AppendUtmp appends e as a utmp record to b: for tests and fixtures.
func AppendUtmp(b []byte, e UtmpEntry) []byte {
	rec := make([]byte, UtmpSize)
	binary.NativeEndian.PutUint16(rec[0:], uint16(e.Type))
	binary.NativeEndian.PutUint32(rec[4:], uint32(e.PID))
	copy(rec[8:40], e.Line)
	copy(rec[40:44], e.ID)
	copy(rec[44:76], e.User)
	copy(rec[76:332], e.Host)
	if !e.Time.IsZero() {
		binary.NativeEndian.PutUint32(rec[340:], uint32(int32(e.Time.Unix())))
		binary.NativeEndian.PutUint32(rec[344:], uint32(int32(e.Time.Nanosecond()/1000)))
	}
	return append(b, rec...)
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// UtmpPath is where utmp is: RunPath("utmp"), /run/utmp (/var/run is a
// link to /run).
func (fsys FS) UtmpPath() string { return fsys.RunPath("utmp") }

// Utmp reads the utmp file.
func (fsys FS) Utmp() ([]UtmpEntry, error) {
	f, err := os.Open(fsys.UtmpPath())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := ParseUtmp(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", fsys.UtmpPath(), err)
	}
	return entries, nil
}

// Users counts the login sessions as who(1) lists them: utmp records of
// user processes with a user name, leaving out those whose process is
// gone (a session that ended without its record being cleared). A
// process counts as gone when procfs has no directory for it and, for
// the real /proc (the zero Proc), when signal 0 finds none either, so
// that a procfs mounted hidepid=invisible, which lists only the
// reader's processes, does not hide other users' sessions. A missing
// utmp file is an error wrapping fs.ErrNotExist: a system that keeps no
// login records (many containers) cannot say how many users there are.
func (fsys FS) Users() (int, error) {
	entries, err := fsys.Utmp()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if e.Type != UtmpUserProcess || e.User == "" {
			continue
		}
		if e.PID > 0 {
			_, err := os.Stat(fsys.ProcPath(strconv.Itoa(int(e.PID))))
			if errors.Is(err, fs.ErrNotExist) && (fsys.Proc != "" || !signalAlive(int(e.PID))) {
				continue
			}
		}
		n++
	}
	return n, nil
}
