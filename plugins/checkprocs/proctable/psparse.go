package proctable

import (
	"fmt"
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
		return bad("elapsed time")
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

// parseClock reads ps's times: [[dd-]hh:]mm:ss[.cc], where the minutes
// may exceed 59 when there is no hour field.
func parseClock(s string) (time.Duration, error) {
	var days int64
	if d, rest, ok := strings.Cut(s, "-"); ok {
		v, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return 0, err
		}
		days, s = v, rest
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("%q is not a time", s)
	}
	secs, err := strconv.ParseFloat(parts[len(parts)-1], 64)
	if err != nil {
		return 0, err
	}
	total := time.Duration(secs * float64(time.Second))
	unit := time.Minute
	for i := len(parts) - 2; i >= 0; i-- {
		v, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil {
			return 0, err
		}
		total += time.Duration(v) * unit
		unit *= 60
	}
	return total + time.Duration(days)*24*time.Hour, nil
}
