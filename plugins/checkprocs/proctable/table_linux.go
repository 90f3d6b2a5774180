//go:build linux

package proctable

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"syscall"
	"time"
)

// procRoot is where procfs is mounted; tests point it at a fake tree.
var procRoot = "/proc"

// userHZ is the unit of the times in /proc/PID/stat: USER_HZ, 100 on
// every Linux architecture Go supports.
const userHZ = 100

// statFields are the facts /proc/PID/stat gives.
const statFields = Name | PPID | State | Times | Memory | Threads

// procSource reads the facts of processes from procfs, reusing one
// buffer for every file.
type procSource struct {
	root     string
	pageSize uint64
	buf      []byte
	path     []byte
	uptime   time.Duration // since boot; read once, when a time is first needed
	upRead   bool
}

func read(ctx context.Context, need Fields) (*Table, error) {
	dir, err := os.Open(procRoot)
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	src := &procSource{root: procRoot, pageSize: uint64(os.Getpagesize()), buf: make([]byte, 4096)}
	t := &Table{Processes: make([]Process, 0, len(names))}
	for _, n := range names {
		if pid, ok := parsePID(n); ok {
			t.Processes = append(t.Processes, Process{PID: pid, src: src})
		}
	}
	if len(t.Processes) == 0 {
		return nil, fmt.Errorf("listing processes: %s lists none (is procfs mounted there?)", procRoot)
	}
	return t, ctx.Err()
}

// parsePID reads a /proc entry name that is a process ID.
func parsePID(name string) (int, bool) {
	if name == "" || name[0] < '1' || name[0] > '9' {
		return 0, false
	}
	pid := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < '0' || c > '9' || pid > 1<<30 {
			return 0, false
		}
		pid = pid*10 + int(c-'0')
	}
	return pid, true
}

func (s *procSource) load(p *Process, f Fields) error {
	if f&statFields != 0 {
		if err := s.loadStat(p); err != nil {
			return err
		}
	}
	if f&UID != 0 {
		if err := s.loadUID(p); err != nil {
			return err
		}
	}
	if f&Args != 0 {
		return s.loadArgs(p)
	}
	return nil
}

// readFile reads /proc/PID/name into s.buf and returns its content,
// valid until the next read.
func (s *procSource) readFile(pid int, name string) ([]byte, error) {
	s.path = append(s.path[:0], s.root...)
	s.path = append(s.path, '/')
	s.path = strconv.AppendInt(s.path, int64(pid), 10)
	s.path = append(s.path, '/')
	s.path = append(s.path, name...)
	path := string(s.path)
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, procError(path, err)
	}
	defer syscall.Close(fd)
	n := 0
	for {
		if n == len(s.buf) {
			s.buf = append(s.buf, make([]byte, len(s.buf))...)
		}
		m, err := syscall.Read(fd, s.buf[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, procError(path, err)
		}
		n += m
		// procfs hands out these files whole: a read that leaves room in
		// the buffer has reached the end, which saves a read per file.
		if m == 0 || n < len(s.buf) {
			return s.buf[:n], nil
		}
	}
}

// procError turns the error of a /proc file into ErrGone when the
// process has exited.
func procError(path string, err error) error {
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ESRCH) {
		return ErrGone
	}
	return fmt.Errorf("reading %s: %w", path, err)
}

// loadStat reads /proc/PID/stat:
//
//	pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt
//	majflt cmajflt utime stime cutime cstime priority nice num_threads
//	itrealvalue starttime vsize rss …
//
// comm may hold spaces and parentheses, so it ends at the last ')'.
func (s *procSource) loadStat(p *Process) error {
	b, err := s.readFile(p.PID, "stat")
	if err != nil {
		return err
	}
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open || end+2 > len(b) {
		return fmt.Errorf("reading %s/%d/stat: unexpected format", s.root, p.PID)
	}
	p.Name = string(b[open+1 : end])
	var utime, stime, start uint64
	field := 3 // the field number after comm, as in proc(5)
	for rest := b[end+2:]; len(rest) > 0 && field <= 24; field++ {
		word := rest
		if i := bytes.IndexByte(rest, ' '); i >= 0 {
			word, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		switch field {
		case 3:
			if len(word) > 0 {
				p.State = word[0]
			}
		case 4:
			p.PPID = int(atou(word))
		case 14:
			utime = atou(word)
		case 15:
			stime = atou(word)
		case 20:
			p.Threads = int(atou(word))
		case 22:
			start = atou(word)
		case 23:
			p.VSZ = atou(word)
		case 24:
			p.RSS = atou(word) * s.pageSize
		}
	}
	if field <= 24 {
		return fmt.Errorf("reading %s/%d/stat: only %d fields", s.root, p.PID, field-1)
	}
	cpu := utime + stime
	if cpu < utime {
		cpu = math.MaxUint64 // the sum overflowed
	}
	p.CPUTime = ticks(cpu)
	if err := s.readUptime(); err != nil {
		return err
	}
	p.Elapsed = max(s.uptime-ticks(start), 0)
	p.loaded |= statFields
	return nil
}

// atou reads a decimal number, 0 if it is none.
func atou(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + uint64(c-'0')
	}
	return v
}

func ticks(n uint64) time.Duration {
	const tick = time.Second / userHZ
	if n > math.MaxInt64/uint64(tick) {
		return math.MaxInt64 // no real process; never a negative time
	}
	return time.Duration(n) * tick
}

// readUptime reads the time since boot from /proc/uptime, once.
func (s *procSource) readUptime() error {
	if s.upRead {
		return nil
	}
	b, err := os.ReadFile(s.root + "/uptime")
	if err != nil {
		return fmt.Errorf("reading the uptime: %w", err)
	}
	first, _, _ := bytes.Cut(bytes.TrimSpace(b), []byte(" "))
	secs, err := strconv.ParseFloat(string(first), 64)
	if err != nil || !(secs >= 0 && secs < math.MaxInt64/float64(time.Second)) {
		return fmt.Errorf("reading %s/uptime: %q is not a number of seconds", s.root, first)
	}
	s.uptime = time.Duration(secs * float64(time.Second))
	s.upRead = true
	return nil
}

// loadUID reads the effective uid, the second number of the Uid: line of
// /proc/PID/status.
func (s *procSource) loadUID(p *Process) error {
	b, err := s.readFile(p.PID, "status")
	if err != nil {
		return err
	}
	_, line, found := bytes.Cut(b, []byte("\nUid:"))
	if !found {
		return fmt.Errorf("reading %s/%d/status: no Uid line", s.root, p.PID)
	}
	line, _, _ = bytes.Cut(line, []byte("\n"))
	ids := bytes.Fields(line)
	if len(ids) < 2 {
		return fmt.Errorf("reading %s/%d/status: short Uid line", s.root, p.PID)
	}
	p.UID = string(ids[1])
	return nil
}

// loadArgs reads /proc/PID/cmdline: argv, each argument ended by a NUL.
func (s *procSource) loadArgs(p *Process) error {
	b, err := s.readFile(p.PID, "cmdline")
	if err != nil {
		return err
	}
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	if len(b) == 0 { // a kernel thread or a zombie
		if err := p.Load(Name); err != nil {
			return err
		}
		p.Args, p.Argv0 = placeholderArgs(p.Name), ""
		return nil
	}
	argv0 := len(b)
	for i, c := range b {
		if c == 0 {
			if argv0 == len(b) {
				argv0 = i
			}
			b[i] = ' '
		}
	}
	p.Args = string(b)
	p.Argv0 = p.Args[:argv0]
	return nil
}
