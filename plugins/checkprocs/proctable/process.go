package proctable

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Fields is a set of the facts a Process can hold beyond its PID.
type Fields uint16

// The facts, each loaded on demand by Process.Load.
const (
	Args    Fields = 1 << iota // Args and Argv0
	Name                       // Name
	PPID                       // PPID
	State                      // State
	Times                      // Elapsed and CPUTime
	Memory                     // RSS and VSZ
	Threads                    // Threads
	UID                        // UID

	All = Args | Name | PPID | State | Times | Memory | Threads | UID
)

var fieldNames = []struct {
	f    Fields
	name string
}{
	{Args, "command line"}, {Name, "name"}, {PPID, "parent"}, {State, "state"},
	{Times, "times"}, {Memory, "memory"}, {Threads, "thread count"}, {UID, "owner"},
}

// String names the facts in f, e.g. "command line, owner".
func (f Fields) String() string {
	var names []string
	for _, n := range fieldNames {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ", ")
}

// ErrGone is returned by Process.Load for a process that exited after
// the table was read.
var ErrGone = errors.New("the process has exited")

// Process is one process of a Table. Only PID is set at first; the other
// fields are valid once Load has loaded them.
type Process struct {
	PID  int
	PPID int
	// Name is the command name the system keeps: on Linux the kernel's
	// comm (the executable's base name, at most 15 bytes), on darwin and
	// FreeBSD ps's ucomm, on Windows the image file name.
	Name string
	// Args is the command line: on Unix the argv the process has, joined
	// by single spaces; on Windows the command line it was given. A
	// process without one has "[Name]".
	Args string
	// Argv0 is the command line's first word (on Windows, its first
	// argument, without quotes).
	Argv0 string
	// State is the state letter, as the first letter of ps's STAT: R, S,
	// D, Z, T, I, …; 0 where the system has none (Windows).
	State byte
	// Elapsed is how long the process has been running; CPUTime the user
	// and system CPU time it has used.
	Elapsed, CPUTime time.Duration
	// RSS is the resident set size and VSZ the virtual size, in bytes.
	RSS, VSZ uint64
	// Threads is the number of threads.
	Threads int
	// UID is the effective owner: a decimal uid on Unix, a SID such as
	// S-1-5-18 on Windows.
	UID string

	loaded Fields
	src    source // nil: made by hand, every field set
}

// source loads facts of processes of one table.
type source interface {
	load(p *Process, f Fields) error
}

// Load fetches the facts in f that p does not hold yet. It returns
// ErrGone (possibly wrapped) when the process has exited, and another
// error when a fact cannot be read (for instance for lack of permission).
// A Process built by hand, outside a Table, holds all its facts: Load
// does nothing.
func (p *Process) Load(f Fields) error {
	missing := f &^ p.loaded
	if missing == 0 || p.src == nil {
		return nil
	}
	if err := p.src.load(p, missing); err != nil {
		return err
	}
	p.loaded |= missing
	return nil
}

// Loaded reports the facts p holds.
func (p *Process) Loaded() Fields {
	if p.src == nil {
		return All
	}
	return p.loaded
}

// CPUPercent is the share of one CPU the process has used over its life,
// as ps shows it in %CPU on Linux: CPU time divided by elapsed time,
// times 100. It needs Times.
func (p *Process) CPUPercent() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return 100 * p.CPUTime.Seconds() / p.Elapsed.Seconds()
}

// Table is a snapshot of the processes running when it was read.
type Table struct {
	// Processes lists every process, in the order the system gave them.
	Processes []Process
}

// Read lists the running processes. need names the facts the caller will
// load: systems that read everything at once (darwin, FreeBSD) read these,
// and Read fails at once if the system cannot give one of them.
func Read(ctx context.Context, need Fields) (*Table, error) {
	return read(ctx, need)
}

// Find returns the listed process with the given PID, or nil.
func (t *Table) Find(pid int) *Process {
	for i := range t.Processes {
		if t.Processes[i].PID == pid {
			return &t.Processes[i]
		}
	}
	return nil
}
