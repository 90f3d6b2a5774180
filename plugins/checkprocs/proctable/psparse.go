package proctable

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The parsers of ps's output live here, outside the darwin/FreeBSD
// build, so that their tests run everywhere.

// parsePSLine reads "pid ppid uid state etime time rss vsz [nlwp] command".
func parsePSLine(line string, threads bool) (Process, error) {
	var p Process
	n := 8
	if threads {
		n++
	}
	words := make([]string, 0, n)
	rest := line
	for len(words) < n {
		rest = strings.TrimLeft(rest, " \t")
		i := strings.IndexAny(rest, " \t")
		if i < 0 && len(words) == n-1 && rest != "" {
			i = len(rest) // the last column, and no command (ps may print none)
		}
		if i < 0 {
			return p, fmt.Errorf("unexpected line from ps: %q", line)
		}
		words, rest = append(words, rest[:i]), rest[i:]
	}
	bad := func(what string) (Process, error) {
		return p, fmt.Errorf("unexpected %s in a line from ps: %q", what, line)
	}
	var err error
	if p.PID, err = strconv.Atoi(words[0]); err != nil {
		return bad("pid")
	}
	if p.PPID, err = strconv.Atoi(words[1]); err != nil {
		return bad("ppid")
	}
	p.UID = words[2]
	p.State = words[3][0]
	if p.Elapsed, err = parseClock(words[4]); err != nil {
		if !startedAfterPS(words[4]) {
			return bad("elapsed time")
		}
		p.Elapsed = 0
	}
	if p.CPUTime, err = parseClock(words[5]); err != nil {
		return bad("cpu time")
	}
	rss, err1 := strconv.ParseUint(words[6], 10, 64)
	vsz, err2 := strconv.ParseUint(words[7], 10, 64)
	if err1 != nil || err2 != nil {
		return bad("memory size")
	}
	p.RSS, p.VSZ = rss*1024, vsz*1024
	if threads {
		if p.Threads, err = strconv.Atoi(words[8]); err != nil {
			return bad("thread count")
		}
	}
	p.Args = strings.TrimLeft(rest, " \t")
	p.Argv0, _, _ = strings.Cut(p.Args, " ")
	return p, nil
}

// startedAfterPS reports whether etime is a well-formed elapsed time
// whose day count no process can have run for (more than a Duration
// holds, about 292 years). procps' ps prints one for a process that
// started after ps read the clock: the negative difference, wrapped.
// Such a process has just started.
func startedAfterPS(etime string) bool {
	d, rest, ok := strings.Cut(etime, "-")
	if !ok || d == "" || strings.Trim(d, "0123456789") != "" {
		return false
	}
	if _, err := parseClock(rest); err != nil {
		return false
	}
	days, err := strconv.ParseUint(d, 10, 64)
	return err != nil || days > uint64(math.MaxInt64/int64(24*time.Hour))
}

// parseClock reads ps's times: [[dd-]hh:]mm:ss[.cc], where the minutes
// may exceed 59 when there is no hour field. Every part is plain digits.
func parseClock(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a time", s)
	var days int64
	if d, rest, ok := strings.Cut(s, "-"); ok {
		v, ok := digits(d)
		if !ok {
			return 0, bad
		}
		if v > maxClockField/int64(24*time.Hour) {
			return 0, bad
		}
		days, s = v, rest
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, bad
	}
	whole, frac, _ := strings.Cut(parts[len(parts)-1], ".")
	secs, ok := digits(whole)
	if !ok {
		return 0, bad
	}
	total := time.Duration(secs) * time.Second
	if frac != "" {
		f, ok := digits(frac)
		if !ok || len(frac) > 9 {
			return 0, bad
		}
		for range 9 - len(frac) {
			f *= 10
		}
		total += time.Duration(f)
	}
	unit := time.Minute
	for i := len(parts) - 2; i >= 0; i-- {
		v, ok := digits(parts[i])
		if !ok || v > maxClockField/int64(unit) {
			return 0, bad
		}
		total += time.Duration(v) * unit
		unit *= 60
	}
	return total + time.Duration(days)*24*time.Hour, nil
}

// maxClockField bounds each of a time's day, hour and minute terms, so
// that their sum with the seconds (at most 9 digits) cannot overflow.
const maxClockField = math.MaxInt64 / 4

// digits reads a number of at most 9 decimal digits: ps's fields are
// small, and the limit keeps every sum far from overflowing.
func digits(s string) (int64, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int64(s[i]-'0')
	}
	return v, true
}
