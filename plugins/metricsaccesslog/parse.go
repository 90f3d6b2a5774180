package metricsaccesslog

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Record is what the plugin needs of one access log line.
type Record struct {
	Status int
	// Seconds is the request's time, when the line has one (LTSV's
	// reqtime_microsec, reqtime or taken_sec); HasTime says so.
	Seconds float64
	HasTime bool
}

// Format is a log format: "ltsv", "apache" (common or combined, and
// variants that put fields before or after them), or "" to tell each line
// by its look.
type Format string

// UnmarshalFlag reads -format.
func (f *Format) UnmarshalFlag(text string) error {
	switch text {
	case "", "ltsv", "apache":
		*f = Format(text)
	case "combined", "common":
		*f = "apache"
	default:
		return fmt.Errorf("%q: want ltsv or apache (combined or common)", text)
	}
	return nil
}

// Parse reads one line (without its line break) in format f.
func (f Format) Parse(line []byte) (Record, error) {
	switch f {
	case "ltsv":
		return ParseLTSV(line)
	case "apache":
		return ParseApache(line)
	}
	if looksLTSV(line) {
		return ParseLTSV(line)
	}
	return ParseApache(line)
}

// looksLTSV tells an LTSV line by a "status:" label at its start or
// after a tab; an Apache line has neither.
func looksLTSV(line []byte) bool {
	return bytes.HasPrefix(line, []byte("status:")) || bytes.Contains(line, []byte("\tstatus:"))
}

// ParseLTSV reads a Labeled Tab-separated Values line: "status" is
// required; the request time is "reqtime_microsec" (microseconds), else
// "reqtime" or "taken_sec" (seconds), as the original reads them. A value
// "-" is no value.
func ParseLTSV(line []byte) (Record, error) {
	var r Record
	var status, micro, reqtime, taken []byte
	for len(line) > 0 {
		var field []byte
		if i := bytes.IndexByte(line, '\t'); i >= 0 {
			field, line = line[:i], line[i+1:]
		} else {
			field, line = line, nil
		}
		label, value, ok := bytes.Cut(field, []byte(":"))
		if !ok {
			continue
		}
		switch string(label) {
		case "status":
			status = value
		case "reqtime_microsec":
			micro = value
		case "reqtime":
			reqtime = value
		case "taken_sec":
			taken = value
		}
	}
	if status == nil {
		return r, errors.New("LTSV line without a status label")
	}
	var err error
	if r.Status, err = parseStatus(status); err != nil {
		return r, err
	}
	switch {
	case isValue(micro):
		v, err := parseTime(micro)
		if err != nil {
			return r, fmt.Errorf("reqtime_microsec %q is not a number of microseconds", micro)
		}
		r.Seconds, r.HasTime = v/1e6, true
	case isValue(reqtime):
		v, err := parseTime(reqtime)
		if err != nil {
			return r, fmt.Errorf("reqtime %q is not a number of seconds", reqtime)
		}
		r.Seconds, r.HasTime = v, true
	case isValue(taken):
		v, err := parseTime(taken)
		if err != nil {
			return r, fmt.Errorf("taken_sec %q is not a number of seconds", taken)
		}
		r.Seconds, r.HasTime = v, true
	}
	return r, nil
}

// parseTime reads a request time: a finite number, 0 or more. (strconv
// also reads "NaN" and "Inf", and one such value would spoil the run's
// average and percentiles.)
func parseTime(v []byte) (float64, error) {
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || !(f >= 0) || math.IsInf(f, 1) {
		return 0, errors.New("not a finite number, 0 or more")
	}
	return f, nil
}

func isValue(v []byte) bool { return len(v) > 0 && !bytes.Equal(v, []byte("-")) }

// ParseApache reads the status of a line in Apache's common or combined
// format, `host ident user [time] "request" status bytes …`: the status is
// the field after the quoted request that follows the bracketed time.
// Fields before the host (a virtual host, as in vhost_combined) and after
// the status are ignored.
func ParseApache(line []byte) (Record, error) {
	i := bytes.Index(line, []byte(" ["))
	if i < 0 {
		return Record{}, errors.New("not an Apache log line: no [time]")
	}
	j := bytes.Index(line[i:], []byte("] \""))
	if j < 0 {
		return Record{}, errors.New("not an Apache log line: no \"request\" after [time]")
	}
	rest := line[i+j+3:]
	// The request ends at the first quote not escaped by a backslash
	// (Apache writes \" for a quote in the request; nginx writes \x22).
	end := -1
	for k := 0; k < len(rest); k++ {
		if rest[k] == '\\' {
			k++
			continue
		}
		if rest[k] == '"' {
			end = k
			break
		}
	}
	if end < 0 || end+1 >= len(rest) || rest[end+1] != ' ' {
		return Record{}, errors.New("not an Apache log line: the \"request\" is not closed")
	}
	rest = rest[end+2:]
	if k := bytes.IndexByte(rest, ' '); k >= 0 {
		rest = rest[:k]
	}
	st, err := parseStatus(rest)
	return Record{Status: st}, err
}

// parseStatus reads an HTTP status, 100 to 599.
func parseStatus(b []byte) (int, error) {
	n, err := strconv.Atoi(string(b))
	if err != nil || len(b) != 3 || n < 100 || n > 599 {
		return 0, fmt.Errorf("status %q is not an HTTP status", b)
	}
	return n, nil
}
