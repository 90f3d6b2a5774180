// Package match finds the lines of a log that match a set of regular
// expressions, fast: it searches a whole block of lines at once for a
// literal that every match must contain, and runs the regular
// expressions only on the few lines where one is found.
//
//	m, err := match.Compile(match.Spec{Patterns: []string{`ERROR|FATAL`}})
//	m.Scan(block, func(line, group []byte) { count++ })
//
// # The literal prefilter
//
// The patterns are parsed with regexp/syntax. If a pattern can only
// match a small set of plain strings (a literal, "ERROR|FATAL", "-i
// error"), the strings themselves are searched for and no regular
// expression runs at all. Otherwise the literals that every match must
// contain ("timeout" in `ERROR.*timeout`) are searched for and the full
// expressions verify the lines that hold one. Searching uses bytes.Index
// over the whole block, which is vectorised by the Go runtime; a
// case-insensitive literal is found by checking its two rarest bytes, in
// either case, at eight positions at a time, and comparing the whole
// literal only where both are present. Letters whose case variants are not all
// ASCII ("k" also matches the Kelvin sign, "s" the long s) are never
// searched for under case folding, so the prefilter cannot miss a line
// that the regular expression would match. A pattern with no usable
// literal (`^\d+ `) is run on every line.
//
// # Lines
//
// A line is the bytes before a '\n' (or the end of the block), less one
// '\r' at its end. With Spec.MaxLineLen set, only the first MaxLineLen
// bytes of a line are looked at, so that the cost and the result for a
// giant line do not depend on how it was read.
package match

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// Spec says which lines match.
type Spec struct {
	// Patterns: a line matches when every one of them matches it.
	Patterns []string
	// ExcludeAll drops a matching line when every one of these matches
	// it (check-log's -E).
	ExcludeAll []string
	// ExcludeAny drops a matching line when any one of these matches it.
	ExcludeAny []string
	// IgnoreCase makes every pattern case-insensitive, as (?i) does.
	IgnoreCase bool
	// Group asks for the first capture group of Patterns[0].
	Group bool
	// MaxLineLen, when positive, limits matching to the first MaxLineLen
	// bytes of each line.
	MaxLineLen int
}

// Matcher finds matching lines. It keeps scratch space between calls, so
// it is not safe for concurrent use: compile one per goroutine.
type Matcher struct {
	spec     Spec
	patterns []*regexp.Regexp
	exclAll  []*regexp.Regexp
	exclAny  []*regexp.Regexp

	lits    []lit         // every matching line contains one of these; nil: no prefilter
	needles [][]byte      // the literals' bytes
	folds   []*foldNeedle // for a case-folded literal, its searcher
	exact   bool          // a line matches patterns[from] exactly when it contains one of lits
	from    int           // the pattern lits come from
	next    []int         // scratch: where each literal is next found
}

// PatternError is a pattern that does not compile.
type PatternError struct {
	Kind    string // "pattern", "exclude pattern"
	Pattern string
	Err     error
}

func (e *PatternError) Error() string {
	msg := e.Err.Error()
	var se *syntax.Error
	if errors.As(e.Err, &se) {
		// The code, and the part of the pattern it is about (the
		// "(?=" of a lookahead RE2 does not have), unless that is the
		// whole pattern, already shown.
		msg = string(se.Code)
		if se.Expr != "" && se.Expr != e.Pattern && se.Expr != "(?i)"+e.Pattern {
			msg += ": `" + se.Expr + "`"
		}
	}
	return fmt.Sprintf("invalid %s %s: %s", e.Kind, strconv.Quote(e.Pattern), msg)
}

// Unwrap returns the regexp package's error.
func (e *PatternError) Unwrap() error { return e.Err }

// Compile checks and prepares a Spec.
func Compile(s Spec) (*Matcher, error) {
	if len(s.Patterns) == 0 {
		return nil, fmt.Errorf("no pattern")
	}
	m := &Matcher{spec: s}
	var err error
	if m.patterns, err = compileAll("pattern", s.Patterns, s.IgnoreCase); err != nil {
		return nil, err
	}
	if m.exclAll, err = compileAll("exclude pattern", s.ExcludeAll, s.IgnoreCase); err != nil {
		return nil, err
	}
	if m.exclAny, err = compileAll("exclude pattern", s.ExcludeAny, s.IgnoreCase); err != nil {
		return nil, err
	}
	if s.Group && m.patterns[0].NumSubexp() == 0 {
		return nil, fmt.Errorf("pattern %s has no capture group", strconv.Quote(s.Patterns[0]))
	}
	// Search for the literals of the pattern that gives the best ones.
	for i, p := range s.Patterns {
		re, err := syntax.Parse(withCase(p, s.IgnoreCase), syntax.Perl)
		if err != nil {
			continue // cannot happen: regexp.Compile accepted it
		}
		lits, exact, ok := prefilter(re.Simplify())
		if ok && (m.lits == nil || better(lits, m.lits)) {
			m.lits, m.exact, m.from = lits, exact, i
		}
	}
	if s.Group && m.from == 0 {
		m.exact = false // the group needs the regular expression
	}
	for _, l := range m.lits {
		var f *foldNeedle
		if l.fold {
			f = newFoldNeedle(l.text)
		}
		m.folds = append(m.folds, f)
		m.needles = append(m.needles, []byte(l.text))
	}
	m.next = make([]int, len(m.lits))
	return m, nil
}

func withCase(p string, ignoreCase bool) string {
	if ignoreCase {
		return "(?i)" + p
	}
	return p
}

func compileAll(kind string, patterns []string, ignoreCase bool) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range patterns {
		re, err := regexp.Compile(withCase(p, ignoreCase))
		if err != nil {
			return nil, &PatternError{Kind: kind, Pattern: p, Err: err}
		}
		out = append(out, re)
	}
	return out, nil
}

// Prefilter describes how lines are found, for tests and diagnostics:
// e.g. `exact "ERROR" | "FATAL"`, `verify fold "timeout"` or `every line`.
func (m *Matcher) Prefilter() string {
	if m.lits == nil {
		return "every line"
	}
	var parts []string
	for _, l := range m.lits {
		q := strconv.Quote(l.text)
		if l.fold {
			q = "fold " + q
		}
		parts = append(parts, q)
	}
	mode := "verify "
	if m.exact {
		mode = "exact "
	}
	return mode + strings.Join(parts, " | ")
}

// Scan calls fn, in order, for every line of block that matches. line
// is the line without its '\n' and a '\r' before it, cut to MaxLineLen;
// group is the first capture group of Patterns[0] when Spec.Group is set
// (nil if it did not take part in the match). Both are only valid during
// the call.
func (m *Matcher) Scan(block []byte, fn func(line, group []byte)) {
	if m.lits == nil {
		for pos := 0; pos < len(block); {
			end := lineEnd(block, pos)
			m.consider(block[pos:end], -1, fn)
			pos = end + 1
		}
		return
	}
	next := m.next
	for i := range next {
		next[i] = -2 // not searched yet
	}
	for pos := 0; pos < len(block); {
		hit, hitLen := -1, 0
		for i := range m.lits {
			if next[i] != -1 && next[i] < pos {
				if next[i] = m.index(i, block[pos:]); next[i] >= 0 {
					next[i] += pos
				}
			}
			if next[i] >= 0 && (hit < 0 || next[i] < hit) {
				hit, hitLen = next[i], len(m.needles[i])
			}
		}
		if hit < 0 {
			return
		}
		start := bytes.LastIndexByte(block[:hit], '\n') + 1
		end := lineEnd(block, hit)
		m.consider(block[start:end], hit+hitLen-start, fn)
		pos = end + 1
	}
}

// lineEnd returns the index of the '\n' ending the line that holds
// block[pos], or len(block).
func lineEnd(block []byte, pos int) int {
	if i := bytes.IndexByte(block[pos:], '\n'); i >= 0 {
		return pos + i
	}
	return len(block)
}

// consider decides about one line that may match. litEnd is where in
// the line the literal the scan found ends, or -1.
func (m *Matcher) consider(line []byte, litEnd int, fn func(line, group []byte)) {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if limit := m.spec.MaxLineLen; limit > 0 && len(line) > limit {
		line = line[:limit]
	}
	var group []byte
	for i, re := range m.patterns {
		switch {
		case i == 0 && m.spec.Group:
			sub := re.FindSubmatchIndex(line)
			if sub == nil {
				return
			}
			if sub[2] >= 0 {
				group = line[sub[2]:sub[3]]
			}
		case i == m.from && m.exact:
			if (litEnd < 0 || litEnd > len(line)) && !m.containsLiteral(line) {
				return // the literal found lies beyond MaxLineLen
			}
		default:
			if !re.Match(line) {
				return
			}
		}
	}
	if len(m.exclAll) > 0 && all(m.exclAll, line) {
		return
	}
	for _, re := range m.exclAny {
		if re.Match(line) {
			return
		}
	}
	fn(line, group)
}

// index returns the offset of literal i in s, or -1.
func (m *Matcher) index(i int, s []byte) int {
	if f := m.folds[i]; f != nil {
		return f.index(s)
	}
	return bytes.Index(s, m.needles[i])
}

// containsLiteral reports whether line holds one of the literals.
func (m *Matcher) containsLiteral(line []byte) bool {
	for i := range m.lits {
		if m.index(i, line) >= 0 {
			return true
		}
	}
	return false
}

func all(res []*regexp.Regexp, line []byte) bool {
	for _, re := range res {
		if !re.Match(line) {
			return false
		}
	}
	return true
}
