package checkprocs

import (
	"context"
	"errors"
	"path"
	"regexp"
	"runtime"
	"strings"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugins/checkprocs/proctable"
)

// selector is one thing the check counts and judges on its own: the
// processes matching a pattern (-p), those with a name (-n), or, with
// neither flag, every process.
type selector struct {
	desc       string // "matching /nginx/", "named sshd" or ""
	re         *regexp.Regexp
	literal    string // the pattern, when it is plain text: matched without the regexp engine
	isLiteral  bool
	name       string
	thresholds checkers.Thresholds
}

func patternSelector(pattern string) (selector, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return selector{}, err
	}
	s := selector{desc: "matching /" + pattern + "/", re: re}
	s.literal, s.isLiteral = re.LiteralPrefix()
	return s, nil
}

func nameSelector(name string) selector {
	return selector{desc: "named " + name, name: name}
}

// match tells whether p is one of the processes s counts, loading only
// what it needs.
func (s *selector) match(p *proctable.Process) (bool, error) {
	switch {
	case s.re != nil:
		if err := p.Load(proctable.Args); err != nil {
			return false, err
		}
		if s.isLiteral {
			return strings.Contains(p.Args, s.literal), nil
		}
		return s.re.MatchString(p.Args), nil
	case s.name != "":
		return nameMatches(p, s.name)
	}
	return true, nil
}

// nameLimit is how many bytes of a command name the system keeps (the
// kernel's comm on Linux, MAXCOMLEN on the BSDs); 0 where names are kept
// whole.
var nameLimit = map[string]int{"linux": 15, "darwin": 16, "freebsd": 19}[runtime.GOOS]

// nameMatches tells whether p's name is name. A name longer than the
// system keeps matches a process whose kept name is its beginning and
// one of whose first two command-line words (the program, or the script
// an interpreter runs) has name as its base name.
func nameMatches(p *proctable.Process, name string) (bool, error) {
	if err := p.Load(proctable.Name); err != nil {
		return false, err
	}
	if p.Name == name {
		return true, nil
	}
	if nameLimit == 0 || len(p.Name) != nameLimit || len(name) <= nameLimit || !strings.HasPrefix(name, p.Name) {
		return false, nil
	}
	if err := p.Load(proctable.Args); err != nil {
		return false, err
	}
	words := strings.SplitN(p.Args, " ", 3)
	for _, w := range words[:min(2, len(words))] {
		if path.Base(w) == name {
			return true, nil
		}
	}
	return false, nil
}

// filter is a condition every counted process meets (--user, --state,
// --rss-over, …), whatever selector counts it.
type filter struct {
	need   proctable.Fields
	phrase string // "owned by www-data", for the output
	keep   func(p *proctable.Process) bool
}

// matcher counts the processes of a table for each selector.
type matcher struct {
	selectors []selector
	filters   []filter
	pid       int          // with --pid-file or -f: the one process that may count; 0 for any
	skip      map[int]bool // this check and the processes that run it
}

// restrictTo makes pid the only process that may count.
func (m *matcher) restrictTo(pid int, phrase string) {
	m.pid = pid
	only := filter{phrase: phrase, keep: func(p *proctable.Process) bool { return p.PID == pid }}
	m.filters = append([]filter{only}, m.filters...)
}

// need is every fact the matcher may load.
func (m *matcher) need() proctable.Fields {
	var f proctable.Fields
	for _, s := range m.selectors {
		switch {
		case s.re != nil:
			f |= proctable.Args
		case s.name != "":
			f |= proctable.Name | proctable.Args
		}
	}
	for _, flt := range m.filters {
		f |= flt.need
	}
	return f
}

// tally is what a count found.
type tally struct {
	counts     []int
	unreadable int   // processes whose facts could not be read
	firstErr   error // the first such error
}

// count counts the processes of t for each selector. A process that
// exits while it is read is skipped; one that cannot be read is
// recorded in the tally and not counted.
func (m *matcher) count(ctx context.Context, t *proctable.Table) (tally, error) {
	res := tally{counts: make([]int, len(m.selectors))}
	matched := make([]int, 0, len(m.selectors))
	for i := range t.Processes {
		if i%256 == 0 && ctx.Err() != nil {
			return res, context.Cause(ctx)
		}
		p := &t.Processes[i]
		if m.skip[p.PID] || m.pid != 0 && p.PID != m.pid {
			continue
		}
		var err error
		matched, err = m.matchProcess(p, matched[:0])
		switch {
		case errors.Is(err, proctable.ErrGone):
			continue
		case err != nil:
			res.unreadable++
			if res.firstErr == nil {
				res.firstErr = err
			}
			continue
		}
		for _, j := range matched {
			res.counts[j]++
		}
	}
	return res, nil
}

// matchProcess appends to matched the selectors that count p: the
// selectors first, as they usually rule out most processes, then the
// filters, only for a process some selector wants.
func (m *matcher) matchProcess(p *proctable.Process, matched []int) ([]int, error) {
	for j := range m.selectors {
		ok, err := m.selectors[j].match(p)
		if err != nil {
			return matched[:0], err
		}
		if ok {
			matched = append(matched, j)
		}
	}
	if len(matched) == 0 {
		return matched, nil
	}
	for _, f := range m.filters {
		if err := p.Load(f.need); err != nil {
			return matched[:0], err
		}
		if !f.keep(p) {
			return matched[:0], nil
		}
	}
	return matched, nil
}
