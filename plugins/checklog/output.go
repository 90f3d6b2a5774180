package checklog

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"unicode"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin/logtail"
)

// shownLines keeps, for -r, the first matched lines: only as many as can
// fit in a message, however many lines match.
type shownLines struct {
	lines []shownLine
	bytes int
	total int64 // every line that counted
}

type shownLine struct{ path, text string }

func (s *shownLines) add(path string, line []byte) {
	if s == nil {
		return
	}
	s.total++
	if s.bytes >= checkers.MessageLimit {
		return
	}
	line = line[:min(len(line), checkers.MessageLimit)]
	text := strings.ToValidUTF8(string(line), "\uFFFD")
	s.lines = append(s.lines, shownLine{path, text})
	s.bytes += len(text) + 1
}

// result turns a run's counts and the tailer's report into the check
// result.
func (o *options) result(c counts, files *fileSet, rep *logtail.Report) *checkers.Result {
	status := checkers.OK
	switch {
	case c.criticals > o.CriticalOver:
		status = checkers.Critical
	case c.warnings > o.WarningOver:
		status = checkers.Warning
	}
	summary := fmt.Sprintf("%d warnings, %d criticals", c.warnings, c.criticals)
	if !o.SuppressPattern {
		var ps []string
		for _, p := range o.Patterns {
			ps = append(ps, "/"+p+"/")
		}
		summary += " for pattern " + strings.Join(ps, " and ")
	}
	summary += "."

	missing := files.missing
	unreadable := files.broken
	for _, f := range rep.Failed() {
		if errors.Is(f.Err, fs.ErrNotExist) {
			missing = append(missing, f.Path)
		} else {
			unreadable = append(unreadable, fmt.Sprintf("%s (%v)", f.Path, f.Err))
		}
	}
	if len(unreadable) > 0 {
		// Never OK while a file could not be read, and never better than
		// what the readable files gave.
		status = checkers.Worst(status, checkers.Unknown)
		summary += fmt.Sprintf(" Cannot read %s: %s.", plural(len(unreadable), "file"), strings.Join(unreadable, ", "))
	}
	if left, n := rep.Backlog(); n > 0 && o.NoState {
		// Without positions every run starts at the top: what the budget
		// left would never be read, and the newest lines are the ones
		// left.
		status = checkers.Worst(status, checkers.Unknown)
		summary += fmt.Sprintf(" %s in %s not read: the read budget (--max-read-bytes, --max-read-time, -t) ran out, and with --no-state every run starts again at the top, so they never will be; raise the budget or keep state.", humanBytes(left), plural(n, "file"))
	} else if n > 0 {
		summary += fmt.Sprintf(" %s left to read in %s; the next runs read on.", humanBytes(left), plural(n, "file"))
	}
	res := checkers.NewResult(status, "%s", summary)
	if len(missing) > 0 {
		res.Status = checkers.Worst(res.Status, o.Missing)
		res.AddDetail("The following %d files are missing.", len(missing))
		for _, m := range missing {
			res.AddDetail("%s", m)
		}
	}
	o.addShown(res, c.shown)
	res.AddPerfdata(
		checkers.Perfdata{Label: "warnings", Value: float64(c.warnings), Warn: overRange(o.WarningOver), Min: ptr(0)},
		checkers.Perfdata{Label: "criticals", Value: float64(c.criticals), Crit: overRange(o.CriticalOver), Min: ptr(0)},
	)
	return res
}

// addShown adds the -r lines that fit in the message after everything
// else, each file's lines under "[path]", and says how many were left out.
func (o *options) addShown(res *checkers.Result, s *shownLines) {
	if s == nil || s.total == 0 {
		return
	}
	room := checkers.MessageLimit - shownLen(Plugin.Title+" CRITICAL: "+res.Summary)
	for _, d := range res.Details {
		room -= shownLen(d)
	}
	marker := func(n int64) string { return fmt.Sprintf("… (%d more matched lines)", n) }
	room -= shownLen(marker(s.total)) + 8 // slack for the renderer
	var shown int64
	last := ""
	for _, l := range s.lines {
		var add []string
		if l.path != last {
			add = append(add, "["+l.path+"]")
		}
		add = append(add, l.text)
		need := 0
		for _, a := range add {
			need += shownLen(a)
		}
		if need > room {
			if shown > 0 || room-need+len(l.text) < 40 {
				break
			}
			// The first line alone is too long: show its start.
			l.text = cut(l.text, len(l.text)-(need-room))
			add[len(add)-1] = l.text
			need = room
		}
		for _, a := range add {
			res.AddDetail("%s", a)
		}
		room -= need
		last = l.path
		shown++
	}
	if shown < s.total {
		res.AddDetail("%s", marker(s.total-shown))
	}
}

// shownLen is the bytes a detail line takes in the rendered message: the
// renderer shows "|" as the two-byte "¦", and ends the line with '\n'.
func shownLen(s string) int { return len(s) + strings.Count(s, "|") + 1 }

// cut shortens s to at most n bytes, ending in "…", never inside a
// UTF-8 sequence.
func cut(s string, n int) string {
	n -= len("…")
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return strings.TrimRightFunc(s[:max(n, 0)], unicode.IsSpace) + "…"
}

func overRange(n int64) *checkers.Range {
	r, err := checkers.ParseRange(strconv.FormatInt(n, 10))
	if err != nil {
		return nil // a negative N: no Nagios range says "more than -1"
	}
	return &r
}

func ptr(f float64) *float64 { return &f }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// humanBytes writes a size the way people read it: "512 B", "3.2 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// byteSize is a --max-read-bytes value: a number of bytes with an
// optional binary unit (K, M, G, T; "KiB", "KB" and "k" all mean 1024).
type byteSize int64

// UnmarshalFlag parses "512MiB", "1G", "65536".
func (b *byteSize) UnmarshalFlag(text string) error {
	s := strings.TrimSpace(text)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := s, ""
	if i >= 0 {
		num, unit = s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return fmt.Errorf("invalid size %q (want bytes, or a number with K, M, G or T)", text)
	}
	mult := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
	m, ok := mult[strings.TrimSuffix(strings.TrimSuffix(unit, "b"), "i")]
	if unit == "b" {
		m, ok = 1, true
	}
	if !ok {
		return fmt.Errorf("invalid size %q (want bytes, or a number with K, M, G or T)", text)
	}
	*b = byteSize(v * m)
	return nil
}

// MarshalFlag shows the size in --help.
func (b byteSize) MarshalFlag() (string, error) { return strconv.FormatInt(int64(b), 10), nil }
