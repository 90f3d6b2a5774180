package procfs

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
)

// UserHZ is the unit of the times in /proc/PID/stat and /proc/stat:
// USER_HZ ticks per second, 100 on every Linux architecture Go supports.
const UserHZ = 100

// Ticks converts USER_HZ ticks to a duration; a count too large for a
// Duration (no real process) gives the largest one, never a negative.
func Ticks(n uint64) time.Duration {
	const tick = time.Second / UserHZ
	if n > math.MaxInt64/uint64(tick) {
		return math.MaxInt64
	}
	return time.Duration(n) * tick
}

// ParsePID reads a procfs directory entry name that is a process ID:
// digits without a leading zero ("self", "0042" and "net" are not).
func ParsePID(name string) (int, bool) {
	if name == "" || name[0] < '1' || name[0] > '9' || len(name) > 10 {
		return 0, false
	}
	pid := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		pid = pid*10 + int(c-'0')
	}
	if pid > 1<<30 {
		return 0, false
	}
	return pid, true
}

// ProcessStat is what /proc/PID/stat says of a process (proc(5)).
type ProcessStat struct {
	PID   int
	Comm  string // the command name, at most 15 bytes; it may hold spaces and parentheses
	State byte   // R, S, D, Z, T, t, X, I, …
	PPID  int
	// UTime and STime are the user and system CPU time in ticks
	// (Ticks converts them); StartTime is when the process started, in
	// ticks after boot.
	UTime, STime, StartTime uint64
	Threads                 int
	VSize                   uint64 // virtual size in bytes
	RSSPages                uint64 // resident size in pages
}

// ParseProcessStat reads the content of /proc/PID/stat:
//
//	pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt
//	majflt cmajflt utime stime cutime cstime priority nice num_threads
//	itrealvalue starttime vsize rss …
//
// comm may hold spaces and parentheses, so it ends at the last ')'.
func ParseProcessStat(b []byte) (ProcessStat, error) {
	var s ProcessStat
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open || end+2 > len(b) {
		return s, fmt.Errorf("unexpected format")
	}
	s.PID, _ = strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	s.Comm = string(b[open+1 : end])
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
				s.State = word[0]
			}
		case 4:
			s.PPID = int(atou(word))
		case 14:
			s.UTime = atou(word)
		case 15:
			s.STime = atou(word)
		case 20:
			s.Threads = int(atou(word))
		case 22:
			s.StartTime = atou(word)
		case 23:
			s.VSize = atou(word)
		case 24:
			s.RSSPages = atou(word)
		}
	}
	if field <= 24 {
		return s, fmt.Errorf("only %d fields", field-1)
	}
	return s, nil
}

// atou reads a decimal number, 0 if it is none (the kernel writes -1 for
// some unset fields, which no caller here reads).
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

// StatusUID returns the effective uid from the content of
// /proc/PID/status: the second number of its "Uid:" line (real,
// effective, saved, file system).
func StatusUID(b []byte) (string, error) {
	_, line, found := bytes.Cut(b, []byte("\nUid:"))
	if !found {
		return "", fmt.Errorf("no Uid line")
	}
	line, _, _ = bytes.Cut(line, []byte("\n"))
	ids := bytes.Fields(line)
	if len(ids) < 2 {
		return "", fmt.Errorf("short Uid line")
	}
	return string(ids[1]), nil
}

// JoinCmdline turns the content of /proc/PID/cmdline (each argument ended
// by a NUL) into the command line as ps shows it, the arguments joined
// by single spaces, and returns it with the length of its first
// argument. It rewrites b. An empty command line (a kernel thread, a
// zombie) gives "".
func JoinCmdline(b []byte) (args string, argv0Len int) {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	argv0Len = len(b)
	for i, c := range b {
		if c == 0 {
			if argv0Len == len(b) {
				argv0Len = i
			}
			b[i] = ' '
		}
	}
	return string(b), argv0Len
}
