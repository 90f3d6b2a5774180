package checkers

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Range is a Nagios threshold range. A value alerts when it lies outside
// [Start, End], or inside it when Inside is set (the "@" prefix). Start
// may be -Inf ("~") and End +Inf (an empty end, as in "10:").
type Range struct {
	Start, End float64
	Inside     bool
}

// ParseRange reads the Nagios range syntax [@]start:end:
//
//	10      alert if the value is < 0 or > 10
//	10:     alert if the value is < 10
//	~:10    alert if the value is > 10
//	10:20   alert if the value is < 10 or > 20
//	@10:20  alert if 10 <= value <= 20
//
// Decimals and negative numbers are accepted; anything else is an error
// that says what was wrong.
func ParseRange(text string) (Range, error) {
	s := strings.TrimSpace(text)
	r := Range{Start: 0, End: math.Inf(1)}
	if strings.HasPrefix(s, "@") {
		r.Inside = true
		s = s[1:]
	}
	if s == "" {
		return Range{}, fmt.Errorf("invalid range %q: empty", text)
	}
	start, end, hasColon := strings.Cut(s, ":")
	if !hasColon {
		start, end = "", s
	}
	if hasColon {
		switch start {
		case "~":
			r.Start = math.Inf(-1)
		case "":
			return Range{}, fmt.Errorf("invalid range %q: the start before ':' is empty (use ~ for minus infinity)", text)
		default:
			v, err := parseEndpoint(start)
			if err != nil {
				return Range{}, fmt.Errorf("invalid range %q: start: %v", text, err)
			}
			r.Start = v
		}
	}
	if end != "" {
		v, err := parseEndpoint(end)
		if err != nil {
			return Range{}, fmt.Errorf("invalid range %q: end: %v", text, err)
		}
		r.End = v
	} else if !hasColon {
		return Range{}, fmt.Errorf("invalid range %q: empty", text)
	}
	if r.Start > r.End {
		return Range{}, fmt.Errorf("invalid range %q: start %s is greater than end %s", text, FormatNumber(r.Start), FormatNumber(r.End))
	}
	return r, nil
}

func parseEndpoint(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}

// MustParseRange is ParseRange for constants in code; it panics on error.
func MustParseRange(text string) Range {
	r, err := ParseRange(text)
	if err != nil {
		panic(err)
	}
	return r
}

// Alert reports whether v falls in the alerting part of the range.
func (r Range) Alert(v float64) bool {
	in := v >= r.Start && v <= r.End
	return in == r.Inside
}

// String writes the range back in its shortest Nagios form, so
// MustParseRange(r.String()) == r.
func (r Range) String() string {
	var b strings.Builder
	if r.Inside {
		b.WriteByte('@')
	}
	switch {
	case math.IsInf(r.Start, -1):
		b.WriteString("~:")
	case r.Start != 0 || math.IsInf(r.End, 1):
		b.WriteString(FormatNumber(r.Start))
		b.WriteByte(':')
	}
	if !math.IsInf(r.End, 1) {
		b.WriteString(FormatNumber(r.End))
	}
	return b.String()
}

// UnmarshalFlag lets a Range be a go-flags option value.
func (r *Range) UnmarshalFlag(text string) error {
	v, err := ParseRange(text)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Thresholds pairs an optional warning and critical range.
type Thresholds struct {
	Warning, Critical *Range
}

// Status judges v: CRITICAL if it alerts the critical range, else WARNING
// if it alerts the warning range, else OK.
func (t Thresholds) Status(v float64) Status {
	switch {
	case t.Critical != nil && t.Critical.Alert(v):
		return Critical
	case t.Warning != nil && t.Warning.Alert(v):
		return Warning
	}
	return OK
}

// FormatNumber writes v in plain decimal notation, never with an
// exponent, using the fewest digits that read back as the same float64
// (1e-07 is written 0.0000001, 42.0 as 42). Negative zero, which a
// computation such as -1*0 gives, is written 0, as metrics.FormatValue
// writes it.
func FormatNumber(v float64) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
