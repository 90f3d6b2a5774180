package metrics

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ValidateName reports whether name is a valid metric name: segments of
// ASCII letters, digits, '-' and '_', joined by '.', none of them empty
// (so no leading, trailing or doubled dot). Wildcards are not allowed
// here: they belong in graph definitions only.
func ValidateName(name string) error { return validateName(name, false) }

// validateName is ValidateName that, with wildcards, also accepts the
// segments "#" and "*".
func validateName(name string, wildcards bool) error {
	if name == "" {
		return errors.New("empty name")
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '.' {
			continue
		}
		seg := name[start:i]
		start = i + 1
		switch {
		case seg == "":
			return fmt.Errorf("name %q has an empty segment (a leading, trailing or doubled '.')", name)
		case wildcards && (seg == "#" || seg == "*"):
			continue
		}
		for j := 0; j < len(seg); j++ {
			if !isNameByte(seg[j]) {
				c, _ := utf8.DecodeRuneInString(seg[j:])
				return fmt.Errorf("name %q: character %q is not allowed (letters, digits, '-', '_')", name, c)
			}
		}
	}
	return nil
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// Segment turns a dynamic string (a device name, a URL, a queue name)
// into one valid name segment: each character that a name does not allow
// ('.', '/', a space, any non-ASCII letter, each byte of invalid UTF-8)
// becomes '_', and the empty string becomes "_". The result always passes
// ValidateName, and a string that already is a valid segment comes back
// unchanged.
//
// Different inputs can give the same segment ("sda.1" and "sda/1" both
// give "sda_1"); a plugin whose inputs may collide that way should say
// what it does then.
func Segment(s string) string {
	if s == "" {
		return "_"
	}
	clean := true
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, c := range s {
		if c < utf8.RuneSelf && isNameByte(byte(c)) {
			b.WriteByte(byte(c))
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// join joins a prefix and a name with '.'; an empty prefix adds nothing.
func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
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
