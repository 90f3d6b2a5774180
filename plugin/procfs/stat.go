package procfs

import (
	"bytes"
)

// CPUTime is one "cpu" line of /proc/stat: the time spent in each mode,
// in USER_HZ ticks (1/100 s).
type CPUTime struct {
	User, Nice, System, Idle, IOWait, IRQ, SoftIRQ, Steal, Guest, GuestNice uint64
}

// Stat is /proc/stat: counters since boot.
type Stat struct {
	// CPU is the first line, all CPUs together; CPUs has one entry per
	// online CPU, in the order of the file ("cpu0", "cpu1", …).
	CPU  CPUTime
	CPUs []CPUTime
	// Interrupts is the total of the "intr" line (every interrupt
	// serviced), ContextSwitches the "ctxt" line, Forks the "processes"
	// line (processes and threads created).
	Interrupts, ContextSwitches, Forks uint64
	// ProcsRunning and ProcsBlocked are gauges: runnable tasks, and tasks
	// blocked on I/O, now.
	ProcsRunning, ProcsBlocked uint64
	// BootTime is the boot time in seconds since the epoch ("btime").
	BootTime uint64
}

// Stat reads /proc/stat.
func (fs FS) Stat() (*Stat, error) {
	path := fs.ProcPath("stat")
	b, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return parseStat(path, b)
}

func parseStat(path string, b []byte) (*Stat, error) {
	st := &Stat{}
	seen := 0
	for n, line := range bytes.Split(b, []byte("\n")) {
		fields := bytes.Fields(line)
		if len(fields) < 2 {
			continue
		}
		key := string(fields[0])
		if key == "cpu" || (len(key) > 3 && key[:3] == "cpu") {
			var t CPUTime
			dst := []*uint64{&t.User, &t.Nice, &t.System, &t.Idle, &t.IOWait, &t.IRQ, &t.SoftIRQ, &t.Steal, &t.Guest, &t.GuestNice}
			for i, f := range fields[1:] {
				if i >= len(dst) {
					break
				}
				v, ok := parseUint(f)
				if !ok {
					return nil, parseError(path, n+1, "%q is not a number of ticks", f)
				}
				*dst[i] = v
			}
			if key == "cpu" {
				st.CPU = t
			} else {
				st.CPUs = append(st.CPUs, t)
			}
			continue
		}
		var dst *uint64
		switch key {
		case "intr":
			dst = &st.Interrupts
		case "ctxt":
			dst = &st.ContextSwitches
		case "processes":
			dst = &st.Forks
		case "procs_running":
			dst = &st.ProcsRunning
		case "procs_blocked":
			dst = &st.ProcsBlocked
		case "btime":
			dst = &st.BootTime
		default:
			continue
		}
		v, ok := parseUint(fields[1])
		if !ok {
			return nil, parseError(path, n+1, "%s %q is not a number", key, fields[1])
		}
		*dst = v
		seen++
	}
	if seen == 0 {
		return nil, parseError(path, 1, "none of intr, ctxt, processes, btime: not the kernel's /proc/stat")
	}
	return st, nil
}

// VMStat reads /proc/vmstat: the virtual memory counters, by name
// (pswpin, pswpout, pgfault, …). Which names exist depends on the kernel.
func (fs FS) VMStat() (map[string]uint64, error) {
	path := fs.ProcPath("vmstat")
	m := map[string]uint64{}
	err := keyValues(path, func(key string, value, _ []byte, n int) error {
		v, ok := parseUint(value)
		if !ok {
			return parseError(path, n, "%s %q is not a number", key, value)
		}
		m[key] = v
		return nil
	})
	return m, err
}

// MemInfo is /proc/meminfo by name: MemTotal, MemAvailable, SwapTotal, …
// Values the kernel gives in kB are converted to bytes; the few without
// a unit (HugePages_Total, …) are counts, as given.
type MemInfo map[string]uint64

// Has reports whether the kernel gave the named value (MemAvailable
// exists since Linux 3.14).
func (m MemInfo) Has(name string) bool {
	_, ok := m[name]
	return ok
}

// MemInfo reads /proc/meminfo.
func (fs FS) MemInfo() (MemInfo, error) {
	path := fs.ProcPath("meminfo")
	m := MemInfo{}
	err := keyValues(path, func(key string, value, unit []byte, n int) error {
		v, ok := parseUint(value)
		if !ok {
			return parseError(path, n, "%s %q is not a number", key, value)
		}
		switch string(unit) {
		case "":
		case "kB":
			if v > 1<<54 {
				return parseError(path, n, "%s %s kB is out of range", key, value)
			}
			v *= 1024
		default:
			return parseError(path, n, "%s: unknown unit %q", key, unit)
		}
		m[key] = v
		return nil
	})
	if err == nil && !m.Has("MemTotal") {
		err = parseError(path, 1, "no MemTotal: not the kernel's /proc/meminfo")
	}
	return m, err
}
