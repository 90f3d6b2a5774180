package metrics

import (
	"fmt"
	"strings"
)

// ValidateName reports whether name is a valid metric name: segments of
// ASCII letters, digits, '-' and '_', joined by '.', none empty.
func ValidateName(name string) error { return validateName(name, false) }

func validateName(name string, wildcards bool) error {
	if name == "" {
		return fmt.Errorf("empty name")
	}
	for _, seg := range strings.Split(name, ".") {
		if seg == "" {
			return fmt.Errorf("name %q has an empty segment", name)
		}
		if wildcards && (seg == "#" || seg == "*") {
			continue
		}
		for _, c := range seg {
			if !isNameChar(c) {
				return fmt.Errorf("name %q: character %q is not allowed (letters, digits, '-', '_')", name, c)
			}
		}
	}
	return nil
}

func isNameChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// Segment turns a dynamic string (a device name, a URL, a queue name)
// into one valid name segment: every disallowed character becomes '_';
// an empty string becomes "_".
func Segment(s string) string {
	if s == "" {
		return "_"
	}
	var b strings.Builder
	for _, c := range s {
		if isNameChar(c) {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// join joins non-empty name parts with '.'.
func join(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ".")
}

// matchSegments matches name against pattern segment by segment, where
// '#' and '*' in the pattern match any one segment.
func matchSegments(pattern, name string) bool {
	ps, ns := strings.Split(pattern, "."), strings.Split(name, ".")
	if len(ps) != len(ns) {
		return false
	}
	for i := range ps {
		if ps[i] != ns[i] && ps[i] != "#" && ps[i] != "*" {
			return false
		}
	}
	return true
}
