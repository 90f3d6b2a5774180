// Package hsperf reads the performance counters a HotSpot JVM (OpenJDK,
// Oracle, Temurin, Corretto…) publishes in its "hsperfdata" file, the
// file jps, jstat and jcmd PerfCounter.print read. Reading it directly
// costs a file read instead of starting a JVM for each tool.
//
// # Where the file is
//
// A JVM started without -XX:-UsePerfData maps a 32 KiB file
// /tmp/hsperfdata_<user>/<pid> (Path) and updates it in place; it
// deletes the file when it exits. The directory is /tmp on every Unix
// whatever TMPDIR says. The file is readable by its owner only, so the
// reader must run as the JVM's user (or root). A JVM started with
// -XX:+PerfDisableSharedMem keeps the counters in private memory and has
// no file at all; nothing outside the JVM can read them then.
//
// # The format
//
// The file starts with a prologue:
//
//	offset size
//	0      4    magic 0xcafec0c0, always in this byte order
//	4      1    byte order of everything else: 0 big-endian, 1 little-endian
//	5      1    major version (2)
//	6      1    minor version
//	7      1    accessible: 1 once the JVM has filled the file
//	8      4    used bytes
//	12     4    overflow
//	16     8    modification time stamp
//	24     4    offset of the first entry
//	28     4    number of entries
//
// and each entry is
//
//	0      4    entry length (to the next entry)
//	4      4    name offset, from the entry's start
//	8      4    vector length (0 for a scalar)
//	12     1    type: 'J' a 64-bit integer, 'B' bytes (a string when a vector)
//	13     1    flags
//	14     1    units: 1 none, 2 bytes, 3 ticks, 4 events, 5 string, 6 hertz
//	15     1    variability: 1 constant, 2 monotonic, 3 variable
//	16     4    data offset, from the entry's start
//
// with a NUL-terminated name. Parse checks every offset against the
// file's size: a truncated or foreign file is an error, never a panic.
//
// # Names
//
// The counters jstat shows are named in the JDK's jstat_options, e.g.
// jstat -gc's EU is sun.gc.generation.0.space.0.used (bytes; jstat shows
// KiB) and YGCT is sun.gc.collector.0.time / sun.os.hrt.frequency.
package hsperf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Units of a counter, as the JVM declares them.
const (
	UnitNone   = 1
	UnitBytes  = 2
	UnitTicks  = 3
	UnitEvents = 4
	UnitString = 5
	UnitHertz  = 6
)

// Counter is one entry of the file.
type Counter struct {
	Name  string
	Units int
	// Int is the value of an integer counter ('J').
	Int int64
	// Str is the value of a string counter (a 'B' vector), up to its
	// first NUL; IsString says which of Int and Str holds the value.
	Str      string
	IsString bool
}

// Data is a parsed file.
type Data struct {
	Counters map[string]Counter
	// Accessible is false while the JVM is still filling the file.
	Accessible bool
	Major      int
	Minor      int
}

// Int returns the integer counter name and whether it exists.
func (d *Data) Int(name string) (int64, bool) {
	c, ok := d.Counters[name]
	if !ok || c.IsString {
		return 0, false
	}
	return c.Int, true
}

// String returns the string counter name and whether it exists.
func (d *Data) String(name string) (string, bool) {
	c, ok := d.Counters[name]
	if !ok || !c.IsString {
		return "", false
	}
	return c.Str, true
}

// ErrNotPerfData says a file does not start with the hsperfdata magic.
var ErrNotPerfData = errors.New("not a JVM performance data file (wrong magic number)")

const (
	prologueSize = 32
	entryHeader  = 20
	maxFileSize  = 64 << 20
)

// Parse reads the contents of an hsperfdata file.
func Parse(b []byte) (*Data, error) {
	if len(b) < prologueSize {
		return nil, fmt.Errorf("performance data: %d bytes, shorter than the %d-byte header", len(b), prologueSize)
	}
	if !bytes.Equal(b[:4], []byte{0xca, 0xfe, 0xc0, 0xc0}) {
		return nil, ErrNotPerfData
	}
	var order binary.ByteOrder
	switch b[4] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		return nil, fmt.Errorf("performance data: byte order %d is neither 0 nor 1", b[4])
	}
	d := &Data{Counters: map[string]Counter{}, Major: int(b[5]), Minor: int(b[6]), Accessible: b[7] != 0}
	if d.Major != 2 {
		return nil, fmt.Errorf("performance data version %d.%d: only version 2 (Java 1.5 and later) is known", d.Major, d.Minor)
	}
	used := int64(order.Uint32(b[8:]))
	off := int64(order.Uint32(b[24:]))
	n := int64(order.Uint32(b[28:]))
	size := int64(len(b))
	if used > 0 && used < size {
		size = used
	}
	for i := int64(0); i < n; i++ {
		if off < prologueSize || off+entryHeader > size {
			return nil, fmt.Errorf("performance data: entry %d at offset %d lies outside the %d bytes in use", i, off, size)
		}
		e := b[off:]
		length := int64(order.Uint32(e[0:]))
		nameOff := int64(order.Uint32(e[4:]))
		vlen := int64(order.Uint32(e[8:]))
		typ, units := e[12], int(e[14])
		dataOff := int64(order.Uint32(e[16:]))
		if length < entryHeader || off+length > size || nameOff >= length || dataOff >= length || dataOff < entryHeader {
			return nil, fmt.Errorf("performance data: entry %d at offset %d is malformed", i, off)
		}
		name := e[nameOff:length]
		if k := bytes.IndexByte(name, 0); k >= 0 {
			name = name[:k]
		}
		c := Counter{Name: string(name), Units: units}
		data := e[dataOff:length]
		switch {
		case typ == 'J' && vlen == 0:
			if len(data) < 8 {
				return nil, fmt.Errorf("performance data: counter %q is cut short", c.Name)
			}
			c.Int = int64(order.Uint64(data))
		case typ == 'B' && vlen > 0:
			if vlen > int64(len(data)) {
				vlen = int64(len(data))
			}
			s := data[:vlen]
			if k := bytes.IndexByte(s, 0); k >= 0 {
				s = s[:k]
			}
			c.Str, c.IsString = string(s), true
		default:
			off += length
			continue // other types (arrays of longs, …) are not used by jstat's counters
		}
		d.Counters[c.Name] = c
		off += length
	}
	return d, nil
}

// Dir is the directory that holds the hsperfdata_<user> directories:
// /tmp, which HotSpot uses on Linux and the BSDs whatever TMPDIR says.
// (On macOS the JVM uses the per-user temporary directory; set Dir to
// os.TempDir() there.)
var Dir = "/tmp"

// Path returns where the JVM with this pid, run by user, keeps its
// file: /tmp/hsperfdata_<user>/<pid>.
func Path(user string, pid int) string {
	return filepath.Join(Dir, "hsperfdata_"+user, strconv.Itoa(pid))
}

// File is one hsperfdata file found by Files.
type File struct {
	Path string
	User string // from the directory's name
	PID  int    // from the file's name
}

// Files lists the files under Dir/hsperfdata_*/ whose names are process
// ids, whether or not their JVM still runs (a JVM killed with SIGKILL
// leaves its file behind) and whether or not they are readable.
func Files() ([]File, error) {
	dirs, err := filepath.Glob(filepath.Join(Dir, "hsperfdata_*"))
	if err != nil {
		return nil, err
	}
	var out []File
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // another user's private directory
		}
		user := filepath.Base(dir)[len("hsperfdata_"):]
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil || pid <= 0 || !e.Type().IsRegular() {
				continue
			}
			out = append(out, File{Path: filepath.Join(dir, e.Name()), User: user, PID: pid})
		}
	}
	return out, nil
}

// FindPID returns the file of the JVM with this pid, whichever user runs
// it; os.ErrNotExist when there is none.
func FindPID(pid int) (File, error) {
	matches, _ := filepath.Glob(filepath.Join(Dir, "hsperfdata_*", strconv.Itoa(pid)))
	for _, m := range matches {
		return File{Path: m, User: filepath.Base(filepath.Dir(m))[len("hsperfdata_"):], PID: pid}, nil
	}
	return File{}, os.ErrNotExist
}

// ReadFile reads and parses one file. A path that is not a regular file
// (a named pipe or a device put in place of a JVM's file) is an error at
// once: opening does not wait for a writer.
func ReadFile(path string) (*Data, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s), so not a performance data file", path, fi.Mode().Type())
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: %d bytes, too large for a performance data file", path, fi.Size())
	}
	b := make([]byte, fi.Size())
	if _, err := f.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// MainClass returns the name jps shows for a JVM (without -l): the main
// class without its package, or the jar's file name, taken from the
// sun.rt.javaCommand counter; "Unknown" when there is none.
func (d *Data) MainClass() string {
	cmd, _ := d.String("sun.rt.javaCommand")
	return MainClass(cmd)
}

// MainClass is Data.MainClass for a java command line ("org.example.App
// arg…", "/opt/app.jar arg…", "jdk.compiler/com.sun.tools.javac.launcher.Main
// Hello.java").
func MainClass(javaCommand string) string {
	arg0, _, _ := bytes.Cut([]byte(javaCommand), []byte(" "))
	s := string(arg0)
	if s == "" {
		return "Unknown"
	}
	if i := lastIndexAny(s, "/\\"); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 4 && s[len(s)-4:] == ".jar" {
		return s
	}
	if i := lastIndexAny(s, "."); i >= 0 {
		s = s[i+1:]
	}
	return s
}

func lastIndexAny(s, chars string) int {
	for i := len(s) - 1; i >= 0; i-- {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return i
			}
		}
	}
	return -1
}

// Encode writes counters in the file format, as a JVM would (version
// 2.0, accessible), for tests and stand-ins: integer counters as 'J'
// scalars, string counters as 'B' vectors. order is the byte order of
// everything after the magic.
func Encode(counters []Counter, order binary.ByteOrder) []byte {
	b := make([]byte, prologueSize)
	copy(b, []byte{0xca, 0xfe, 0xc0, 0xc0})
	if order == binary.LittleEndian {
		b[4] = 1
	}
	b[5], b[6], b[7] = 2, 0, 1
	for _, c := range counters {
		name := append([]byte(c.Name), 0)
		for len(name)%8 != 0 {
			name = append(name, 0)
		}
		var data []byte
		typ, vlen := byte('J'), 0
		if c.IsString {
			data = append([]byte(c.Str), 0)
			typ, vlen = 'B', len(data)
			for len(data)%8 != 0 {
				data = append(data, 0)
			}
		} else {
			data = make([]byte, 8)
			order.PutUint64(data, uint64(c.Int))
		}
		e := make([]byte, entryHeader+4) // header, padded to 8
		order.PutUint32(e[4:], uint32(len(e)))
		order.PutUint32(e[8:], uint32(vlen))
		e[12], e[14], e[15] = typ, byte(c.Units), 3
		order.PutUint32(e[16:], uint32(len(e)+len(name)))
		e = append(append(e, name...), data...)
		order.PutUint32(e[0:], uint32(len(e)))
		b = append(b, e...)
	}
	order.PutUint32(b[8:], uint32(len(b)))
	order.PutUint32(b[24:], prologueSize)
	order.PutUint32(b[28:], uint32(len(counters)))
	return b
}
