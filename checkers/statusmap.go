package checkers

import (
	"fmt"
	"strconv"
	"strings"
)

// StatusMap holds rules that choose or change a check's status, as
// operators write them on the command line:
//
//	404=ok             an HTTP status code (or any number a check maps)
//	500-599=critical   an inclusive range of codes
//	warning=critical   a status turned into another one
//
// Several rules may be given in one value, separated by commas
// ("warning=critical,unknown=critical"), or in several flags: as a flag
// type, each occurrence adds its rules to those already given, so it
// serves both check-http's repeatable -s and check-tcp's comma-separated
// --status-as. Names of statuses are read by ParseStatus (any case,
// "warn" and "crit" too). Spaces around the parts are ignored.
//
// Code rules are tried in the order given and the first that covers a
// code wins (Code); status rules are applied once, not chained (Apply:
// with "warning=critical,critical=ok" a WARNING becomes CRITICAL, not OK).
// A later status rule for the same status replaces an earlier one.
//
// The zero StatusMap has no rules: Code finds nothing and Apply changes
// nothing.
type StatusMap struct {
	codes    []codeRule
	statuses map[Status]Status
	text     []string
}

type codeRule struct {
	min, max int
	status   Status
}

// ParseStatusMap reads rules in the syntax StatusMap describes. The error
// names the rule that is wrong and the syntax it wants.
func ParseStatusMap(text string) (StatusMap, error) {
	var m StatusMap
	err := m.add(text)
	return m, err
}

// UnmarshalFlag adds the rules of one flag occurrence to m, so that a
// StatusMap can be a go-flags option value, repeatable or not.
func (m *StatusMap) UnmarshalFlag(text string) error { return m.add(text) }

// MarshalFlag shows the rules as given, for --help.
func (m StatusMap) MarshalFlag() (string, error) { return m.String(), nil }

// String returns the rules as given, comma-separated.
func (m StatusMap) String() string { return strings.Join(m.text, ",") }

// IsZero reports whether m has no rules.
func (m StatusMap) IsZero() bool { return len(m.codes) == 0 && len(m.statuses) == 0 }

func (m *StatusMap) add(text string) error {
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("status mapping %q: empty; want rules such as 404=ok, 500-599=critical or warning=critical", text)
	}
	for _, rule := range strings.Split(text, ",") {
		if err := m.addRule(strings.TrimSpace(rule)); err != nil {
			return err
		}
	}
	return nil
}

func (m *StatusMap) addRule(rule string) error {
	from, to, ok := strings.Cut(rule, "=")
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	bad := func(why string) error {
		return fmt.Errorf("status mapping %q: %s; want CODE=STATUS, LOW-HIGH=STATUS or STATUS=STATUS, e.g. 404=ok, 500-599=critical, warning=critical", rule, why)
	}
	if !ok || from == "" || to == "" {
		return bad("no '='")
	}
	target, err := ParseStatus(to)
	if err != nil {
		return bad(fmt.Sprintf("%q is not a status (ok, warning, critical or unknown)", to))
	}
	if s, err := ParseStatus(from); err == nil {
		if m.statuses == nil {
			m.statuses = map[Status]Status{}
		}
		m.statuses[s] = target
		m.text = append(m.text, rule)
		return nil
	}
	lowText, highText, isRange := strings.Cut(from, "-")
	low, err := strconv.Atoi(strings.TrimSpace(lowText))
	if err != nil || low < 0 {
		return bad(fmt.Sprintf("%q is neither a status nor a code", from))
	}
	high := low
	if isRange {
		high, err = strconv.Atoi(strings.TrimSpace(highText))
		if err != nil || high < 0 {
			return bad(fmt.Sprintf("%q is not a range of codes", from))
		}
		if high < low {
			return bad(fmt.Sprintf("the range %q ends below its start", from))
		}
	}
	m.codes = append(m.codes, codeRule{low, high, target})
	m.text = append(m.text, rule)
	return nil
}

// Code returns the status the first code rule covering code gives, and
// whether one did.
func (m StatusMap) Code(code int) (Status, bool) {
	for _, r := range m.codes {
		if r.min <= code && code <= r.max {
			return r.status, true
		}
	}
	return Unknown, false
}

// Apply returns the status a status rule turns s into, or s when none
// does.
func (m StatusMap) Apply(s Status) Status {
	if to, ok := m.statuses[s]; ok {
		return to
	}
	return s
}

// ApplyResult changes r's status by the status rules, and says so in a
// detail line when it does ("status WARNING mapped to CRITICAL"), so that
// an operator reading the result sees why it differs from the summary.
// r may be nil.
func (m StatusMap) ApplyResult(r *Result) {
	if r == nil {
		return
	}
	if to := m.Apply(r.Status); to != r.Status {
		r.AddDetail("status %s mapped to %s", r.Status, to)
		r.Status = to
	}
}
