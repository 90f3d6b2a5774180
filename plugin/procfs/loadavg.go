package procfs

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
)

// LoadAvg is /proc/loadavg.
type LoadAvg struct {
	// Load1, Load5 and Load15 are the load averages over 1, 5 and 15
	// minutes: the number of tasks running or waiting to run (or in
	// uninterruptible sleep), averaged.
	Load1, Load5, Load15 float64
	// Running is the number of runnable tasks now; Total the number of
	// tasks (threads) in the system.
	Running, Total uint64
}

// LoadAvg reads /proc/loadavg. The load averages are those of the whole
// machine, even inside a container.
func (fs FS) LoadAvg() (LoadAvg, error) {
	path := fs.ProcPath("loadavg")
	b, err := readFile(path)
	if err != nil {
		return LoadAvg{}, err
	}
	return parseLoadAvg(path, b)
}

func parseLoadAvg(path string, b []byte) (LoadAvg, error) {
	var l LoadAvg
	fields := bytes.Fields(b)
	if len(fields) < 3 {
		return l, fmt.Errorf("%s: %q: want three load averages", path, bytes.TrimSpace(b))
	}
	for i, dst := range []*float64{&l.Load1, &l.Load5, &l.Load15} {
		v, err := strconv.ParseFloat(string(fields[i]), 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return l, fmt.Errorf("%s: %q is not a load average", path, fields[i])
		}
		*dst = v
	}
	if len(fields) >= 4 {
		run, total, _ := bytes.Cut(fields[3], []byte("/"))
		l.Running, _ = parseUint(run)
		l.Total, _ = parseUint(total)
	}
	return l, nil
}

// Uptime is /proc/uptime.
type Uptime struct {
	// Up is the time since boot (not counting suspend); Idle the time
	// all CPUs together spent idle.
	Up, Idle time.Duration
}

// Uptime reads /proc/uptime.
func (fs FS) Uptime() (Uptime, error) {
	path := fs.ProcPath("uptime")
	b, err := readFile(path)
	if err != nil {
		return Uptime{}, err
	}
	return ParseUptime(path, b)
}

// ParseUptime reads the content of /proc/uptime; path names it in
// errors.
func ParseUptime(path string, b []byte) (Uptime, error) {
	var u Uptime
	fields := bytes.Fields(b)
	if len(fields) == 0 {
		return u, fmt.Errorf("%s is empty", path)
	}
	for i, dst := range []*time.Duration{&u.Up, &u.Idle} {
		if i >= len(fields) {
			break
		}
		secs, err := strconv.ParseFloat(string(fields[i]), 64)
		if err != nil || !(secs >= 0 && secs < math.MaxInt64/float64(time.Second)) {
			return u, fmt.Errorf("%s: %q is not a number of seconds", path, fields[i])
		}
		*dst = time.Duration(secs * float64(time.Second))
	}
	return u, nil
}
