package match

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lit is a byte string to search for; fold means ASCII letters in it are
// lower case and are to be found in any case.
type lit struct {
	text string
	fold bool
}

// maxExpansion bounds the number of strings a finite pattern is expanded
// to.
const maxExpansion = 64

// prefilter returns literals such that every match of re contains at
// least one of them, and whether a string contains one of them exactly
// when re matches it (so that re need not run). ok is false when no such
// literals were found (e.g. `^\d+ `).
func prefilter(re *syntax.Regexp) (lits []lit, exact, ok bool) {
	if strs, fin := expand(re); fin {
		lits, exact = searchable(strs)
		if len(lits) > 0 {
			return lits, exact, true
		}
	}
	lits = required(re)
	return lits, false, len(lits) > 0
}

// required returns literals one of which every match of re contains, or
// nil.
func required(re *syntax.Regexp) []lit {
	if strs, fin := expand(re); fin {
		if lits, _ := searchable(strs); len(lits) > 0 {
			return lits
		}
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []lit
		for _, sub := range re.Sub {
			if l := required(sub); l != nil && (best == nil || better(l, best)) {
				best = l
			}
		}
		return best
	case syntax.OpAlternate:
		var all []lit
		for _, sub := range re.Sub {
			l := required(sub)
			if l == nil {
				return nil
			}
			all = append(all, l...)
		}
		return dedupe(all)
	}
	return nil
}

// better reports whether searching for a finds fewer false candidates
// than searching for b: a longer shortest literal, then fewer literals.
func better(a, b []lit) bool {
	ma, mb := min(shortest(a), 8), min(shortest(b), 8)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func shortest(ls []lit) int {
	n := -1
	for _, l := range ls {
		if n < 0 || len(l.text) < n {
			n = len(l.text)
		}
	}
	return n
}

// expand returns every string re can match, when that is a small finite
// set of plain strings with one case rule. The strings are in rune form
// (not yet made searchable).
func expand(re *syntax.Regexp) ([]lit, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []lit{{string(re.Rune), re.Flags&syntax.FoldCase != 0}}, true
	case syntax.OpEmptyMatch:
		return []lit{{}}, true
	case syntax.OpCharClass:
		var out []lit
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) == 8 {
					return nil, false
				}
				out = append(out, lit{text: string(r)})
			}
		}
		return out, len(out) > 0
	case syntax.OpCapture:
		return expand(re.Sub[0])
	case syntax.OpQuest:
		sub, ok := expand(re.Sub[0])
		return append(sub, lit{}), ok && len(sub) < maxExpansion
	case syntax.OpAlternate:
		var out []lit
		for _, sub := range re.Sub {
			s, ok := expand(sub)
			if !ok || len(out)+len(s) > maxExpansion {
				return nil, false
			}
			out = append(out, s...)
		}
		return out, true
	case syntax.OpConcat:
		out := []lit{{}}
		for _, sub := range re.Sub {
			s, ok := expand(sub)
			if !ok || len(out)*len(s) > maxExpansion {
				return nil, false
			}
			var next []lit
			for _, a := range out {
				for _, b := range s {
					c, ok := join(a, b)
					if !ok {
						return nil, false
					}
					next = append(next, c)
				}
			}
			out = next
		}
		return out, true
	}
	return nil, false
}

// join concatenates two expanded strings when they share a case rule (a
// string without cased letters fits either).
func join(a, b lit) (lit, bool) {
	switch {
	case a.fold == b.fold:
		return lit{a.text + b.text, a.fold}, true
	case a.fold && !hasCase(b.text), b.fold && !hasCase(a.text):
		return lit{a.text + b.text, true}, true
	}
	return lit{}, false
}

func hasCase(s string) bool {
	for _, r := range s {
		if unicode.SimpleFold(r) != r {
			return true
		}
	}
	return false
}

// searchable turns expanded strings into byte strings the scanner can
// look for. Characters it cannot search for — a newline or carriage
// return (never inside a line), U+FFFD (which an invalid byte also
// matches), and under case folding any letter whose case variants are
// not all ASCII ("k" also matches the Kelvin sign) — split a string, and
// its longest searchable piece is used. exact reports that no string had
// to be split. It returns nil if some string has no searchable piece.
func searchable(strs []lit) (lits []lit, exact bool) {
	exact = true
	for _, s := range strs {
		var pieces []string
		var cur strings.Builder
		for _, r := range s.text {
			c, ok := searchRune(r, s.fold)
			if !ok {
				exact = false
				pieces = append(pieces, cur.String())
				cur.Reset()
				continue
			}
			cur.WriteString(c)
		}
		pieces = append(pieces, cur.String())
		longest := ""
		for _, p := range pieces {
			if len(p) > len(longest) {
				longest = p
			}
		}
		if longest == "" {
			return nil, false
		}
		lits = append(lits, lit{longest, s.fold})
	}
	return dedupe(lits), exact
}

// searchRune returns the bytes to look for in place of r.
func searchRune(r rune, fold bool) (string, bool) {
	switch {
	case r == '\n' || r == '\r' || r == utf8.RuneError:
		return "", false
	case !fold || unicode.SimpleFold(r) == r:
		return string(r), true
	}
	// Every case variant of r must be an ASCII letter.
	if r >= utf8.RuneSelf {
		return "", false
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= utf8.RuneSelf {
			return "", false
		}
	}
	return string(unicode.ToLower(r)), true
}

func dedupe(ls []lit) []lit {
	seen := map[lit]bool{}
	out := ls[:0:0]
	for _, l := range ls {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	// A literal that contains another of the set adds nothing: any line
	// with it has the shorter one too.
	var kept []lit
	for i, l := range out {
		redundant := false
		for j, o := range out {
			if i != j && o.fold == l.fold && len(o.text) < len(l.text) && strings.Contains(l.text, o.text) {
				redundant = true
				break
			}
		}
		if !redundant {
			kept = append(kept, l)
		}
	}
	return kept
}
