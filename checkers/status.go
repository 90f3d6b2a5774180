package checkers

import (
	"fmt"
	"strings"
)

// Status is the outcome of a check. Its value is the process exit code
// that Nagios-style agents expect.
type Status int

// The four check statuses, numbered as the exit codes agents read.
const (
	OK       Status = 0
	Warning  Status = 1
	Critical Status = 2
	Unknown  Status = 3
)

var statusNames = [...]string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}

// String returns the upper-case name agents and operators know:
// OK, WARNING, CRITICAL or UNKNOWN. Any other value reads as UNKNOWN,
// which is also how agents treat an unexpected exit code.
func (s Status) String() string {
	if s < OK || s > Unknown {
		return "UNKNOWN"
	}
	return statusNames[s]
}

// ParseStatus reads a status name in any case ("ok", "Warning",
// "CRITICAL", "unknown"); the short forms "warn" and "crit" are accepted
// too.
func ParseStatus(text string) (Status, error) {
	switch strings.ToUpper(strings.TrimSpace(text)) {
	case "OK":
		return OK, nil
	case "WARNING", "WARN":
		return Warning, nil
	case "CRITICAL", "CRIT":
		return Critical, nil
	case "UNKNOWN":
		return Unknown, nil
	}
	return Unknown, fmt.Errorf("unknown status %q (want OK, WARNING, CRITICAL or UNKNOWN)", text)
}

// UnmarshalFlag lets a Status be a go-flags option value.
func (s *Status) UnmarshalFlag(text string) error {
	v, err := ParseStatus(text)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalFlag shows the status name as the option's default in --help.
func (s Status) MarshalFlag() (string, error) { return s.String(), nil }

// MarshalText writes the status name, so JSON output reads "CRITICAL"
// rather than 2.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// severity ranks statuses for Worst: OK < WARNING < UNKNOWN < CRITICAL.
func (s Status) severity() int {
	switch s {
	case OK:
		return 0
	case Warning:
		return 1
	case Critical:
		return 3
	}
	return 2
}

// Worst returns the more severe of the statuses, in the order
// OK < WARNING < UNKNOWN < CRITICAL (see the package documentation for
// why). With no argument it returns OK.
func Worst(statuses ...Status) Status {
	worst := OK
	for _, s := range statuses {
		if s.severity() > worst.severity() {
			worst = s
		}
	}
	return worst
}

// normal returns s, or Unknown for a value outside 0-3 (as String reads it).
func (s Status) normal() Status {
	if s < OK || s > Unknown {
		return Unknown
	}
	return s
}
