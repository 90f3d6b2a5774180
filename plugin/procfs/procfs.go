package procfs

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// FS says where the kernel's file systems are mounted. An empty field
// means the usual place.
type FS struct {
	Proc string // procfs; "" is /proc
	Sys  string // sysfs; "" is /sys
	Run  string // the runtime directory holding utmp; "" is /run
}

// Host returns the FS named by the environment variables HOST_PROC,
// HOST_SYS and HOST_RUN (as Telegraf and node_exporter read them), for a
// plugin that runs in a container with the host's trees mounted, e.g.
// HOST_PROC=/host/proc. Unset variables leave the usual place. getenv is
// usually os.Getenv.
func Host(getenv func(string) string) FS {
	return FS{Proc: getenv("HOST_PROC"), Sys: getenv("HOST_SYS"), Run: getenv("HOST_RUN")}
}

// ProcPath returns the path of a file under procfs: ProcPath("net",
// "tcp") is /proc/net/tcp.
func (fs FS) ProcPath(elem ...string) string {
	return join(fs.Proc, "/proc", elem)
}

// SysPath returns the path of a file under sysfs.
func (fs FS) SysPath(elem ...string) string {
	return join(fs.Sys, "/sys", elem)
}

// RunPath returns the path of a file under the runtime directory.
func (fs FS) RunPath(elem ...string) string {
	return join(fs.Run, "/run", elem)
}

func join(root, def string, elem []string) string {
	if root == "" {
		root = def
	}
	return filepath.Join(append([]string{root}, elem...)...)
}

// readFile reads a whole file. The kernel's files are small; the error
// names the path (and wraps fs.ErrNotExist when it is missing).
func readFile(path string) ([]byte, error) {
	var r FileReader
	b, err := r.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(b), nil
}

// eachLine calls f with each line of the file at path (without its
// newline) and the line's number, counting from 1, until f returns an
// error.
func eachLine(path string, f func(line []byte, n int) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		if err := f(sc.Bytes(), n); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}

// parseError is a line that does not read as the kernel writes it.
func parseError(path string, line int, format string, args ...any) error {
	return fmt.Errorf("%s line %d: %s", path, line, fmt.Sprintf(format, args...))
}

// parseUint reads a decimal number.
func parseUint(b []byte) (uint64, bool) {
	v, err := strconv.ParseUint(string(b), 10, 64)
	return v, err == nil
}

// readUint reads a file holding one decimal number.
func readUint(path string) (uint64, error) {
	b, err := readFile(path)
	if err != nil {
		return 0, err
	}
	v, ok := parseUint(bytes.TrimSpace(b))
	if !ok {
		return 0, fmt.Errorf("%s: %q is not a number", path, bytes.TrimSpace(b))
	}
	return v, nil
}

// keyValues reads a file of "key value [unit]" lines (/proc/vmstat,
// /proc/meminfo, /proc/self/status), calling f for each.
func keyValues(path string, f func(key string, value []byte, unit []byte, n int) error) error {
	return eachLine(path, func(line []byte, n int) error {
		fields := bytes.Fields(line)
		if len(fields) == 0 {
			return nil
		}
		key := bytes.TrimSuffix(fields[0], []byte(":"))
		var value, unit []byte
		if len(fields) > 1 {
			value = fields[1]
		}
		if len(fields) > 2 {
			unit = fields[2]
		}
		return f(string(key), value, unit, n)
	})
}
