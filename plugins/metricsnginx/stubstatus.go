package metricsnginx

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// StubStatus is one reading of nginx's stub_status page.
//
// Active, Reading, Writing and Waiting are gauges: the connections open at
// the moment nginx wrote the page. Accepts, Handled and Requests are
// counters that only grow while nginx runs and start again from zero when
// it restarts (a reload keeps them).
type StubStatus struct {
	Active   uint64 // "Active connections", waiting connections included
	Accepts  uint64 // client connections accepted
	Handled  uint64 // connections handled; below Accepts only when a resource limit was hit
	Requests uint64 // client requests
	Reading  uint64 // connections where nginx reads the request header
	Writing  uint64 // connections where nginx writes the response
	Waiting  uint64 // idle keep-alive connections

	// RequestTime is Tengine's fourth counter column, the total time spent
	// on requests in milliseconds. HasRequestTime reports whether the page
	// had that column; plain nginx never has it.
	RequestTime    uint64
	HasRequestTime bool
}

// ParseError says why a body is not a stub_status page: which line, what
// was expected there and what was found instead.
type ParseError struct {
	Line int    // 1-based line number in the body
	Want string // what the line must look like, e.g. "Active connections: N"
	Got  string // what the line held, shortened; empty when the body ended early
	EOF  bool   // true when the body ended before this line was complete
}

func (e *ParseError) Error() string {
	switch {
	case e.EOF && e.Got == "":
		return fmt.Sprintf("not stub_status output: body ends before line %d, want %q", e.Line, e.Want)
	case e.EOF:
		return fmt.Sprintf("not stub_status output: body ends inside line %d (%q has no line end), want %q", e.Line, e.Got, e.Want)
	default:
		return fmt.Sprintf("not stub_status output: line %d: want %q, got %q", e.Line, e.Want, e.Got)
	}
}

// ErrEmptyBody is returned by ParseStubStatus for a body with no bytes.
var ErrEmptyBody = errors.New("not stub_status output: empty body")

// The fixed parts of the page, as nginx and Tengine write them.
const (
	wantActive       = "Active connections: N"
	headerNginx      = "server accepts handled requests"
	headerTengine    = "server accepts handled requests request_time"
	wantCounters3    = " N N N"
	wantCounters4    = " N N N N"
	wantConnStates   = "Reading: N Writing: N Waiting: N"
	maxQuotedLineLen = 60
)

// ParseStubStatus reads the body of nginx's stub_status page:
//
//	Active connections: 291
//	server accepts handled requests
//	 16630948 16630948 31070465
//	Reading: 6 Writing: 179 Waiting: 106
//
// (nginx ends the first, third and fourth line with a space), and
// Tengine's variant, whose header ends in " request_time" and whose counter
// line has a fourth column. Trailing spaces and a "\r" before the line end
// are accepted. Every line, the last one included, must end with a newline,
// as nginx writes it, so that a body cut short inside the last number is
// caught rather than read as a smaller value. Anything else, an HTML error
// page or a body cut short, gives a *ParseError naming the line, or
// ErrEmptyBody; the StubStatus is then the zero value, never a partial one.
func ParseStubStatus(body []byte) (StubStatus, error) {
	if len(body) == 0 {
		return StubStatus{}, ErrEmptyBody
	}
	p := lineReader{rest: body}
	var st StubStatus

	line, err := p.next(wantActive)
	if err != nil {
		return StubStatus{}, err
	}
	active, ok := strings.CutPrefix(line, "Active connections: ")
	if !ok {
		return StubStatus{}, p.mismatch(wantActive, line)
	}
	if st.Active, ok = parseCount(active); !ok {
		return StubStatus{}, p.mismatch(wantActive, line)
	}

	line, err = p.next(headerNginx)
	if err != nil {
		return StubStatus{}, err
	}
	wantCounters := wantCounters3
	switch line {
	case headerNginx:
	case headerTengine:
		wantCounters = wantCounters4
		st.HasRequestTime = true
	default:
		return StubStatus{}, p.mismatch(headerNginx, line)
	}

	line, err = p.next(wantCounters)
	if err != nil {
		return StubStatus{}, err
	}
	counters := []*uint64{&st.Accepts, &st.Handled, &st.Requests}
	if st.HasRequestTime {
		counters = append(counters, &st.RequestTime)
	}
	if !parseFields(strings.TrimPrefix(line, " "), counters) {
		return StubStatus{}, p.mismatch(wantCounters, line)
	}

	line, err = p.next(wantConnStates)
	if err != nil {
		return StubStatus{}, err
	}
	fields := strings.Split(line, " ")
	if len(fields) != 6 || fields[0] != "Reading:" || fields[2] != "Writing:" || fields[4] != "Waiting:" ||
		!parseFields(fields[1]+" "+fields[3]+" "+fields[5], []*uint64{&st.Reading, &st.Writing, &st.Waiting}) {
		return StubStatus{}, p.mismatch(wantConnStates, line)
	}

	// Only blank lines may follow.
	for len(p.rest) > 0 {
		line, err := p.next("end of body")
		if err != nil { // a last line with no "\n" after it
			line, p.rest = string(p.rest), nil
		}
		if strings.TrimSpace(line) != "" {
			return StubStatus{}, p.mismatch("end of body", line)
		}
	}
	return st, nil
}

// lineReader hands out the body's lines one at a time and remembers the
// number of the last one, for error messages.
type lineReader struct {
	rest []byte
	n    int
}

// next returns the next line without its line end and trailing spaces. A
// line with no "\n" after it is an error: the body was cut short.
func (r *lineReader) next(want string) (string, error) {
	r.n++
	i := bytes.IndexByte(r.rest, '\n')
	if i < 0 {
		return "", &ParseError{Line: r.n, Want: want, Got: shorten(string(r.rest)), EOF: true}
	}
	line := r.rest[:i]
	r.rest = r.rest[i+1:]
	return strings.TrimRight(string(line), " \r"), nil
}

func (r *lineReader) mismatch(want, got string) error {
	return &ParseError{Line: r.n, Want: want, Got: shorten(got)}
}

// parseFields parses exactly len(dst) single-space-separated counts.
func parseFields(s string, dst []*uint64) bool {
	fields := strings.Split(s, " ")
	if len(fields) != len(dst) {
		return false
	}
	for i, f := range fields {
		v, ok := parseCount(f)
		if !ok {
			return false
		}
		*dst[i] = v
	}
	return true
}

// parseCount accepts only plain decimal digits, as nginx prints them:
// no sign, no spaces, no "0x".
func parseCount(s string) (uint64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil
}

// shorten keeps error messages to one readable line.
func shorten(s string) string {
	s = strings.TrimRight(s, " \r")
	if len(s) <= maxQuotedLineLen {
		return s
	}
	cut := maxQuotedLineLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
