package checklog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/logtail"
	"github.com/teko-dev/teko/plugin/logtail/match"
)

// Plugin is check-log.
var Plugin = &plugin.Plugin{
	Name:        "check-log",
	Title:       "LOG",
	Description: "counts new lines of log files that match a pattern",
	New:         func() any { return &options{Missing: checkers.Unknown} },
}

// MaxLineLen is the longest line matched whole: of a longer line only
// its first MaxLineLen bytes are matched (and shown with -r).
const MaxLineLen = logtail.DefaultMaxLineLen

// options are check-log's flags: the old check-log's names and meanings,
// plus --exclude-any and the read budget. Options tagged statekey:"-"
// can change without resetting the positions.
type options struct {
	File            string          `short:"f" long:"file" value-name:"GLOB" description:"log files to read: a path or a zsh-style glob (** for any depth)"`
	Patterns        []string        `short:"p" long:"pattern" value-name:"RE" description:"regular expression a line must match (required); repeat for more, all must match"`
	Exclude         []string        `short:"E" long:"exclude" value-name:"RE" description:"drop a matching line when it matches this too; repeated, a line is dropped when it matches all of them"`
	ExcludeAny      []string        `long:"exclude-any" value-name:"RE" description:"drop a matching line when it matches this; repeated, when it matches any of them"`
	SuppressPattern bool            `long:"suppress-pattern" statekey:"-" description:"leave the patterns out of the message"`
	WarningOver     int64           `short:"w" long:"warning-over" value-name:"N" default:"0" statekey:"-" description:"WARNING when more than N lines count as warnings"`
	CriticalOver    int64           `short:"c" long:"critical-over" value-name:"N" default:"0" statekey:"-" description:"CRITICAL when more than N lines count as criticals"`
	WarningLevel    float64         `long:"warning-level" value-name:"N" statekey:"-" description:"count a line as a warning only when the pattern's first capture group, as a number, is above N (with either level given, the other one defaults to 0)"`
	CriticalLevel   float64         `long:"critical-level" value-name:"N" statekey:"-" description:"count a line as a critical only when the pattern's first capture group, as a number, is above N (with either level given, the other one defaults to 0)"`
	Return          bool            `short:"r" long:"return" statekey:"-" description:"show the matched lines (oldest first, as many as fit the message)"`
	FilePattern     string          `short:"F" long:"file-pattern" value-name:"RE" description:"read the files whose name matches this regular expression (in --search-in-directory, else in the directory part of RE)"`
	Directory       string          `long:"search-in-directory" value-name:"DIR" description:"the directory --file-pattern looks in"`
	IgnoreCase      bool            `short:"i" long:"icase" description:"match patterns (and --file-pattern) in any case"`
	StateDir        string          `short:"s" long:"state-dir" value-name:"DIR" statekey:"-" description:"directory for the read positions (default: $MACKEREL_PLUGIN_WORKDIR, else teko-<uid> in the temp directory)"`
	NoState         bool            `long:"no-state" statekey:"-" description:"keep no positions: read the whole files on every run"`
	Encoding        string          `long:"encoding" value-name:"NAME" description:"encoding of the files, e.g. UTF-16LE, EUC-JP, Shift_JIS (default UTF-8)"`
	Missing         checkers.Status `long:"missing" value-name:"STATUS" default:"UNKNOWN" statekey:"-" description:"status when no file matches, or a file is gone: OK, WARNING, CRITICAL or UNKNOWN"`
	CheckFirst      bool            `long:"check-first" statekey:"-" description:"on the first run, read the files from their start instead of their end"`
	MaxReadBytes    byteSize        `long:"max-read-bytes" value-name:"SIZE" statekey:"-" description:"read at most about this much per run (e.g. 512MiB; 0: no limit); the rest is read by the next runs"`
	MaxReadTime     readTime        `long:"max-read-time" value-name:"DURATION" statekey:"-" description:"read for at most this long per run, in seconds or a duration such as 5s (0: 60% of --timeout, and never more than 80% of it); the rest is read by the next runs"`

	// Stray holds arguments that are no flag's value: the old check-log
	// ignored them (a configuration written "--pattern ERROR FATAL"
	// searched for ERROR), and so does this one, with a warning.
	Stray struct {
		Args []string `positional-arg-name:"IGNORED" description:"arguments that are no flag's value are ignored, as by the old check-log, with a warning"`
	} `positional-args:"yes"`
}

// counts is what a run found.
type counts struct {
	warnings, criticals int64
	shown               *shownLines // nil without -r
}

// Check runs one check.
func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	if stray := o.Stray.Args; len(stray) > 0 {
		var quoted []string
		for _, a := range stray {
			quoted = append(quoted, strconv.Quote(a))
		}
		inv.Warnf("ignoring %s, which no flag takes (as the old check-log did); give each pattern its own -p", strings.Join(quoted, " "))
	}
	m, levels, err := o.matcher(inv)
	if err != nil {
		return nil, err
	}
	enc, err := logtail.LookupEncoding(o.Encoding)
	if err != nil {
		return nil, err
	}
	files, err := o.files()
	if err != nil {
		return nil, err
	}

	var prev logtail.State
	found := false
	var store interface{ Save(any) error }
	if !o.NoState {
		st, err := inv.State()
		if err != nil {
			return nil, err
		}
		if found, err = st.Load(&prev); err != nil {
			return nil, err
		}
		// The old check-log split UTF-16 at the byte 0x0A, so its offsets
		// in such files can fall inside a character: not taken over.
		if !found && enc.UnitSize() == 1 && !st.Existed() { // no teko state at all, under any release's key
			prev.Files = importMackerel(mackerelStateDir(o.StateDir, inv.Getenv), inv.Args(), files.paths)
		}
		store = st
	}

	t := &logtail.Tailer{
		StartAtEnd: !found && !o.CheckFirst && !o.NoState,
		Encoding:   enc,
		MaxLineLen: MaxLineLen,
		MaxBytes:   int64(o.MaxReadBytes),
		Deadline:   o.readDeadline(ctx),
	}
	c := counts{}
	if o.Return {
		c.shown = &shownLines{}
	}
	count := func(path string) func(line, group []byte) {
		return func(line, group []byte) {
			if levels {
				w, crit := o.levelOver(group)
				if !w && !crit {
					return
				}
				c.warnings += b2i(w)
				c.criticals += b2i(crit)
			} else {
				c.warnings++
				c.criticals++
			}
			c.shown.add(path, line)
		}
	}
	next, rep := t.Run(ctx, files.paths, &prev, func(b logtail.Block) {
		m.Scan(b.Lines, count(b.Path))
	})
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	var notSaved error
	if store != nil {
		// A full disk must not hold back what was found: the state is
		// saved only if it can be written, else the result says that
		// these lines will be reported again.
		if notSaved = canWrite(inv.StateDir(), next); notSaved == nil {
			if err := store.Save(next); err != nil {
				return nil, err
			}
		}
	}
	res := o.result(c, files, rep)
	if notSaved != nil {
		res.Status = checkers.Worst(res.Status, checkers.Unknown)
		res.Summary += fmt.Sprintf(" The read positions could not be saved (%v): the next run reads these lines again.", notSaved)
	}
	return res, nil
}

// canWrite reports why the state next could not be written to dir, if
// it could not: a file of its size (and some more, for what the state
// store adds) is written there and removed. Without space, or with a
// file size limit, the error is the reason.
func canWrite(dir string, next *logtail.State) error {
	b, err := json.Marshal(next)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".check-log-space-*")
	if err != nil {
		return fmt.Errorf("state directory %s: cannot write: %w", dir, reasonOf(err))
	}
	defer os.Remove(f.Name())
	_, werr := f.Write(append(b, make([]byte, 4096)...))
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("state directory %s: cannot write: %w", dir, reasonOf(err))
	}
	return nil
}

// matcher compiles the patterns; levels reports whether lines are
// counted by the level in the first capture group.
func (o *options) matcher(inv *plugin.Invocation) (*match.Matcher, bool, error) {
	if len(o.Patterns) == 0 {
		return nil, false, errors.New("no pattern given: use -p/--pattern")
	}
	levels := o.WarningLevel != 0 || o.CriticalLevel != 0
	if levels && len(o.Patterns) > 1 {
		return nil, false, errors.New("--warning-level and --critical-level need a single --pattern")
	}
	if re, err := regexp.Compile(o.Patterns[0]); levels && err == nil && re.NumSubexp() == 0 {
		// The old check-log ignored the levels then, and counted every
		// matching line: so does this one, saying so.
		inv.Warnf("ignoring --warning-level and --critical-level: the pattern %q has no capture group to compare with them, so every matching line counts (as in the old check-log)", o.Patterns[0])
		levels = false
	}
	m, err := match.Compile(match.Spec{
		Patterns:   o.Patterns,
		ExcludeAll: o.Exclude,
		ExcludeAny: o.ExcludeAny,
		IgnoreCase: o.IgnoreCase,
		Group:      levels,
		MaxLineLen: MaxLineLen,
	})
	return m, levels, err
}

// levelOver compares a line's level (its first capture group) with the
// thresholds. A level that is not a number counts as both, as in the
// old check-log, so that such a line is never silently ignored; "NaN",
// which ParseFloat accepts, is no number either (it is above nothing).
func (o *options) levelOver(group []byte) (warning, critical bool) {
	level, err := strconv.ParseFloat(strings.TrimSpace(string(group)), 64)
	if err != nil || math.IsNaN(level) {
		return true, true
	}
	return level > o.WarningLevel, level > o.CriticalLevel
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// readDeadline is when reading must stop so that the result and the
// positions are written before the -t/--timeout deadline.
func (o *options) readDeadline(ctx context.Context) time.Time {
	maxTime := time.Duration(o.MaxReadTime)
	deadline, ok := ctx.Deadline()
	if !ok {
		if maxTime > 0 {
			return time.Now().Add(maxTime)
		}
		return time.Time{}
	}
	left := time.Until(deadline)
	budget := left * 6 / 10
	if maxTime > 0 {
		budget = min(maxTime, left*8/10)
	}
	return time.Now().Add(budget)
}

// readTime is a --max-read-time value: seconds ("5", "0.5"), as -t takes
// them, or a duration ("5s", "1m").
type readTime time.Duration

// UnmarshalFlag parses "5", "0.5", "5s", "1m30s".
func (t *readTime) UnmarshalFlag(text string) error {
	d, err := plugin.ParseSeconds(text)
	switch {
	case errors.Is(err, plugin.ErrTooLong):
		return fmt.Errorf("%q is too long", text)
	case err != nil || d < 0:
		return fmt.Errorf("%q is no time (want seconds, or a duration such as 5s)", text)
	}
	*t = readTime(d)
	return nil
}

// MarshalFlag shows the time in --help.
func (t readTime) MarshalFlag() (string, error) { return time.Duration(t).String(), nil }
