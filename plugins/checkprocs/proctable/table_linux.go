//go:build linux

package proctable

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/teko-dev/teko/plugin/procfs"
)

// procRoot is where procfs is mounted; tests point it at a fake tree.
var procRoot = "/proc"

// statFields are the facts /proc/PID/stat gives.
const statFields = Name | PPID | State | Times | Memory | Threads

// procSource reads the facts of processes from procfs, reusing one
// buffer for every file (the parsing is package procfs's).
type procSource struct {
	root     string
	pageSize uint64
	r        procfs.FileReader
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
	src := &procSource{root: procRoot, pageSize: uint64(os.Getpagesize())}
	t := &Table{Processes: make([]Process, 0, len(names))}
	for _, n := range names {
		if pid, ok := procfs.ParsePID(n); ok {
			t.Processes = append(t.Processes, Process{PID: pid, src: src})
		}
	}
	if len(t.Processes) == 0 {
		return nil, fmt.Errorf("listing processes: %s lists none (is procfs mounted there?)", procRoot)
	}
	return t, ctx.Err()
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

// readFile reads /proc/PID/name and returns its content, valid until the
// next read.
func (s *procSource) readFile(pid int, name string) ([]byte, error) {
	s.path = append(s.path[:0], s.root...)
	s.path = append(s.path, '/')
	s.path = strconv.AppendInt(s.path, int64(pid), 10)
	s.path = append(s.path, '/')
	s.path = append(s.path, name...)
	b, err := s.r.ReadFile(string(s.path))
	if err != nil {
		return nil, procError(err)
	}
	return b, nil
}

// procError turns the error of a /proc file into ErrGone when the
// process has exited.
func procError(err error) error {
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ESRCH) {
		return ErrGone
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("reading %s: %w", pe.Path, pe.Err)
	}
	return fmt.Errorf("reading %w", err)
}

// loadStat reads /proc/PID/stat (procfs.ParseProcessStat).
func (s *procSource) loadStat(p *Process) error {
	b, err := s.readFile(p.PID, "stat")
	if err != nil {
		return err
	}
	st, err := procfs.ParseProcessStat(b)
	if err != nil {
		return fmt.Errorf("reading %s/%d/stat: %v", s.root, p.PID, err)
	}
	p.Name, p.State, p.PPID, p.Threads = st.Comm, st.State, st.PPID, st.Threads
	p.VSZ, p.RSS = st.VSize, st.RSSPages*s.pageSize
	cpu := st.UTime + st.STime
	if cpu < st.UTime {
		cpu = math.MaxUint64 // the sum overflowed
	}
	p.CPUTime = procfs.Ticks(cpu)
	if err := s.readUptime(); err != nil {
		return err
	}
	p.Elapsed = max(s.uptime-procfs.Ticks(st.StartTime), 0)
	p.loaded |= statFields
	return nil
}

// readUptime reads the time since boot from /proc/uptime, once.
func (s *procSource) readUptime() error {
	if s.upRead {
		return nil
	}
	path := s.root + "/uptime"
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the uptime: %w", err)
	}
	u, err := procfs.ParseUptime(path, b)
	if err != nil {
		return fmt.Errorf("reading %w", err)
	}
	s.uptime = u.Up
	s.upRead = true
	return nil
}

// loadUID reads the effective uid from /proc/PID/status.
func (s *procSource) loadUID(p *Process) error {
	b, err := s.readFile(p.PID, "status")
	if err != nil {
		return err
	}
	uid, err := procfs.StatusUID(b)
	if err != nil {
		return fmt.Errorf("reading %s/%d/status: %v", s.root, p.PID, err)
	}
	p.UID = uid
	return nil
}

// loadArgs reads /proc/PID/cmdline: argv, each argument ended by a NUL.
func (s *procSource) loadArgs(p *Process) error {
	b, err := s.readFile(p.PID, "cmdline")
	if err != nil {
		return err
	}
	args, argv0 := procfs.JoinCmdline(b)
	if args == "" { // a kernel thread or a zombie
		if err := p.Load(Name); err != nil {
			return err
		}
		p.Args, p.Argv0 = placeholderArgs(p.Name), ""
		return nil
	}
	p.Args, p.Argv0 = args, args[:argv0]
	return nil
}
