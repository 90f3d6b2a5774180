package checkprocs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkprocs/proctable"
)

// Plugin is check-procs.
var Plugin = &plugin.Plugin{
	Name:        "check-procs",
	Title:       "PROCS",
	Description: "counts the running processes that match a pattern or a name",
	New:         func() any { return &options{} },
}

// defaultUnder is the default of -W and -C: nothing running is CRITICAL.
const defaultUnder = 1

// options are check-procs's flags: the old check-procs's names and
// meanings, plus exact names, pid files, Nagios ranges and resource
// filters whose names say their direction.
type options struct {
	Patterns []string `short:"p" long:"pattern" value-name:"RE" description:"count the processes whose command line (argv joined by spaces) matches RE; repeat to count several, each judged on its own (the worst status wins)"`
	Names    []string `short:"n" long:"name" value-name:"NAME" description:"count the processes whose name (the executable's base name, not its arguments) is exactly NAME; repeatable, each judged on its own like -p"`
	Exclude  []string `short:"x" long:"exclude-pattern" value-name:"RE" description:"leave out the processes whose command line matches RE; repeatable; an empty RE is ignored, as in the old check-procs"`

	WarningOver   countLimit `short:"w" long:"warning-over" value-name:"N|RANGE" description:"WARNING when more than N processes are counted; a Nagios range (4:8, ~:2, @0:3) sets the whole warning range instead"`
	CriticalOver  countLimit `short:"c" long:"critical-over" value-name:"N|RANGE" description:"CRITICAL when more than N processes are counted; a Nagios range sets the whole critical range instead"`
	WarningUnder  count      `short:"W" long:"warning-under" value-name:"N" description:"WARNING when fewer than N processes are counted; 0 turns it off (default 1)"`
	CriticalUnder count      `short:"C" long:"critical-under" value-name:"N" description:"CRITICAL when fewer than N processes are counted; 0 turns it off (default 1: nothing running is CRITICAL)"`

	Users    []string `short:"u" long:"user" value-name:"USER" description:"count only processes whose effective user is USER, a name of any length or a numeric uid; repeat to allow several"`
	UsersNot []string `short:"U" long:"user-not" value-name:"USER" description:"leave out processes whose effective user is USER (name or uid); repeatable"`
	States   nonEmpty `short:"s" long:"state" value-name:"LETTERS" description:"count only processes in one of these states, e.g. Z or DZ (the first letter of ps's STAT; case matters)"`
	PPID     count    `long:"ppid" value-name:"PID" description:"count only children of process PID"`
	PIDFile  nonEmpty `long:"pid-file" value-name:"FILE" description:"count only the process whose PID the file holds; a missing pid file, or one naming a process that is not running (or a zombie), is CRITICAL"`
	FilePID  nonEmpty `short:"f" long:"file-pid" value-name:"PID|FILE" description:"count only the process with this PID (as the old check-procs; a zombie is CRITICAL); a value that is not a number is read as --pid-file"`

	EsecOver     seconds `short:"e" long:"esec-over" value-name:"SECONDS" description:"count only processes running for longer than SECONDS (or a duration: 5m, 2h); 0 means no limit, as in the old check-procs"`
	EsecUnder    seconds `short:"E" long:"esec-under" value-name:"SECONDS" description:"count only processes running for less than SECONDS (or a duration); 0 means no limit"`
	CPUOver      seconds `short:"i" long:"cpu-over" value-name:"SECONDS" description:"count only processes that have used more than SECONDS of CPU time (as the old check-procs); 0 means no limit"`
	CPUUnder     seconds `short:"I" long:"cpu-under" value-name:"SECONDS" description:"count only processes that have used less than SECONDS of CPU time; 0 means no limit"`
	PCPUOver     percent `long:"pcpu-over" value-name:"PERCENT" description:"count only processes whose %CPU, CPU time over elapsed time as ps computes it, is above PERCENT"`
	PCPUUnder    percent `long:"pcpu-under" value-name:"PERCENT" description:"count only processes whose %CPU is below PERCENT"`
	RSSOver      size    `long:"rss-over" value-name:"SIZE" description:"count only processes whose resident size is above SIZE: KiB as ps shows RSS, or with a unit (512MiB, 2G)"`
	RSSUnder     size    `long:"rss-under" value-name:"SIZE" description:"count only processes whose resident size is below SIZE"`
	VSZOver      size    `long:"vsz-over" value-name:"SIZE" description:"count only processes whose virtual size is above SIZE: KiB as ps shows VSZ, or with a unit"`
	VSZUnder     size    `long:"vsz-under" value-name:"SIZE" description:"count only processes whose virtual size is below SIZE"`
	ThreadsOver  count   `long:"threads-over" value-name:"N" description:"count only processes with more than N threads"`
	ThreadsUnder count   `long:"threads-under" value-name:"N" description:"count only processes with fewer than N threads"`

	MatchSelf   bool `short:"m" long:"match-self" description:"count this check's own process too"`
	MatchParent bool `short:"M" long:"match-parent" description:"count the processes that run this check (its parent, a wrapping sh -c, sudo or timeout) too"`

	// The old check-procs's deprecated spellings, and its size filters,
	// which did the opposite of their help text: refused with a pointer
	// to the flags that say their direction.
	WarnOver   countLimit `long:"warn-over" hidden:"true" description:"old spelling of --warning-over"`
	WarnUnder  count      `long:"warn-under" hidden:"true" description:"old spelling of --warning-under"`
	OldVSZ     string     `short:"z" long:"virtual-memory-size" hidden:"true" description:"refused: use --vsz-over or --vsz-under"`
	OldRSS     string     `short:"r" long:"resident-set-size" hidden:"true" description:"refused: use --rss-over or --rss-under"`
	OldPCPU    string     `short:"P" long:"proportional-set-size" hidden:"true" description:"refused: use --pcpu-over or --pcpu-under"`
	OldThreads string     `short:"T" long:"thread-count" hidden:"true" description:"refused: use --threads-over or --threads-under"`

	m *matcher // built by Validate
}

// Validate checks the options as a whole and builds the matcher.
func (o *options) Validate() error {
	for _, old := range []struct{ value, flag, over, under string }{
		{o.OldVSZ, "-z/--virtual-memory-size", "--vsz-over", "--vsz-under"},
		{o.OldRSS, "-r/--resident-set-size", "--rss-over", "--rss-under"},
		{o.OldPCPU, "-P/--proportional-set-size", "--pcpu-over", "--pcpu-under"},
		{o.OldThreads, "-T/--thread-count", "--threads-over", "--threads-under"},
	} {
		if old.value != "" && !isZero(old.value) {
			return fmt.Errorf("%s is not supported: the old check-procs counted the processes at or below the value although its help said above; say which you mean with %s or %s", old.flag, old.over, old.under)
		}
	}
	if !o.WarningOver.set {
		o.WarningOver = o.WarnOver
	}
	if !o.WarningUnder.set {
		o.WarningUnder = o.WarnUnder
	}
	warning, err := thresholds("warning", "-w/--warning-over", "-W/--warning-under", o.WarningOver, o.WarningUnder)
	if err != nil {
		return err
	}
	critical, err := thresholds("critical", "-c/--critical-over", "-C/--critical-under", o.CriticalOver, o.CriticalUnder)
	if err != nil {
		return err
	}
	m := &matcher{}
	for _, p := range o.Patterns {
		s, err := patternSelector(p)
		if err != nil {
			return fmt.Errorf("--pattern %q: %v", p, err)
		}
		m.selectors = append(m.selectors, s)
	}
	for _, n := range o.Names {
		if n == "" {
			return errors.New("--name: empty name")
		}
		m.selectors = append(m.selectors, nameSelector(n))
	}
	if len(m.selectors) == 0 {
		m.selectors = []selector{{}}
	}
	for i := range m.selectors {
		m.selectors[i].thresholds = checkers.Thresholds{Warning: warning, Critical: critical}
	}
	if err := o.addFilters(m); err != nil {
		return err
	}
	if o.PIDFile != "" && o.FilePID != "" {
		return errors.New("give --pid-file or -f/--file-pid, not both")
	}
	// A number is a PID, however wrong; only what is no number is a file.
	if pid, err := strconv.Atoi(string(o.FilePID)); err == nil && pid <= 0 || errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("-f/--file-pid %s is not a process ID", o.FilePID)
	}
	o.m = m
	return nil
}

// isZero reports whether a value of the old check-procs's size filters
// is 0, which it read as "not set".
func isZero(v string) bool {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return err == nil && f == 0
}

// thresholds turns the over and under flags of one level into a Nagios
// range on the count, or nil when no count can alert.
func thresholds(level, overFlag, underFlag string, over countLimit, under count) (*checkers.Range, error) {
	if over.isRng {
		if under.set {
			return nil, fmt.Errorf("%s is a range, which gives both bounds: leave out %s", overFlag, underFlag)
		}
		r := over.rng
		return &r, nil
	}
	r := checkers.Range{Start: defaultUnder, End: math.Inf(1)}
	if under.set {
		r.Start = float64(under.n)
	}
	if over.set {
		r.End = float64(over.over)
	}
	if r.Start > r.End {
		given := ""
		if !under.set {
			given = " (its default)"
		}
		return nil, fmt.Errorf("%s %s%s and %s %d leave no count that is not %s", underFlag, checkers.FormatNumber(r.Start), given, overFlag, over.over, strings.ToUpper(level))
	}
	if r.Start <= 0 && math.IsInf(r.End, 1) {
		return nil, nil
	}
	return &r, nil
}

// maxPIDFileSize is how much of a pid file is read.
const maxPIDFileSize = 4096

// readPIDFile returns the PID a pid file holds. A missing file is a
// *checkers.Result (CRITICAL: the daemon is not running); a file that
// cannot be read or holds no PID is an error (UNKNOWN).
func readPIDFile(name string) (int, *checkers.Result, error) {
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return 0, checkers.NewResult(checkers.Critical, "pid file %s does not exist", name), nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("pid file: %v", err)
	}
	defer f.Close()
	// A pid file is a line; reading a bounded head keeps a wrong name
	// (a big log, /dev/zero) from filling the memory.
	b, err := io.ReadAll(io.LimitReader(f, maxPIDFileSize))
	if err != nil {
		return 0, nil, fmt.Errorf("pid file: %v", err)
	}
	first, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return 0, nil, fmt.Errorf("pid file %s holds %q, not a process ID", name, truncate(first, 40))
	}
	return pid, nil, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Check counts the processes and judges each count.
func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	if o.m == nil { // options not validated: build them now
		if err := o.Validate(); err != nil {
			return nil, err
		}
	}
	m := *o.m
	if err := o.addUserFilters(&m); err != nil {
		return nil, err
	}
	pidFile, filePID := string(o.PIDFile), 0
	if o.FilePID != "" {
		if pid, err := strconv.Atoi(string(o.FilePID)); err == nil { // Validate refused pid <= 0
			filePID = pid
			m.restrictTo(pid, fmt.Sprintf("with PID %d", pid))
		} else {
			pidFile = string(o.FilePID)
		}
	}
	if pidFile != "" {
		pid, res, err := readPIDFile(pidFile)
		if res != nil || err != nil {
			return res, err
		}
		m.restrictTo(pid, fmt.Sprintf("with PID %d from %s", pid, pidFile))
	}

	need := m.need() | proctable.PPID | proctable.Args
	t, err := proctable.Read(ctx, need)
	if err != nil {
		return nil, err
	}
	hidden := hiddenProcs()
	if hidden != "" && o.onlyOwnProcesses() {
		hidden = "" // the check counts only its own user's processes, which it sees
	}
	if hidden != "" && m.pid != 0 && t.Find(m.pid) == nil && pidRuns(m.pid) {
		return checkers.NewResult(checkers.Unknown, "PID %d runs but is hidden from this check: other users' processes are hidden (%s); run it as root or in procfs's gid= group", m.pid, hidden), nil
	}
	if pidFile != "" {
		if res := stalePIDFile(t, m.pid, pidFile); res != nil {
			return res, nil
		}
	}
	if filePID != 0 && isZombie(t.Find(filePID)) {
		// A zombie is a daemon that has died: not one to count.
		return checkers.NewResult(checkers.Critical, "PID %d has exited (a zombie)", filePID), nil
	}
	m.skip = map[int]bool{}
	if !o.MatchSelf {
		m.skip[os.Getpid()] = true
	}
	if !o.MatchParent {
		for _, pid := range runners(t, os.Getpid(), os.Args[1:]) {
			m.skip[pid] = true
		}
	}
	tl, err := m.count(ctx, t)
	if err != nil {
		return nil, err
	}
	if tl.unreadable > 0 {
		inv.Warnf("%d processes could not be read and were not counted; the first: %v", tl.unreadable, tl.firstErr)
	}
	res := report(&m, tl, hidden)
	return res, nil
}

// onlyOwnProcesses reports whether --user restricts the count to the
// user the check runs as, whose processes a hidepid mount never hides.
func (o *options) onlyOwnProcesses() bool {
	if len(o.Users) == 0 {
		return false
	}
	self := strconv.Itoa(os.Geteuid())
	for _, u := range o.Users {
		if id, err := lookupUser(u); err != nil || id != self {
			return false
		}
	}
	return true
}

// stalePIDFile returns a CRITICAL result when the process a pid file
// names is not running, or has exited and is a zombie.
func stalePIDFile(t *proctable.Table, pid int, file string) *checkers.Result {
	p := t.Find(pid)
	if p == nil || errors.Is(p.Load(proctable.PPID), proctable.ErrGone) {
		return checkers.NewResult(checkers.Critical, "pid file %s names PID %d, which is not running (stale pid file)", file, pid)
	}
	if isZombie(p) {
		return checkers.NewResult(checkers.Critical, "pid file %s names PID %d, which has exited (a zombie)", file, pid)
	}
	return nil
}

// isZombie tells whether p, if listed, is a zombie: a process that has
// exited and waits for its parent to collect its status.
func isZombie(p *proctable.Process) bool {
	return p != nil && p.Load(proctable.State) == nil && p.State == 'Z'
}

// report builds the result: one sub-result and one perfdata value per
// selector, the worst status overall. hidden, when not "", says why
// other users' processes were not listed: a count that alerts because
// it is too low could then be wrong, and is UNKNOWN instead.
func report(m *matcher, tl tally, hidden string) *checkers.Result {
	res := checkers.NewResult(checkers.OK, "")
	if hidden != "" {
		res.AddDetail("other users' processes are hidden from this check (%s): the counts are of the processes it can see", hidden)
	}
	if len(m.filters) > 0 {
		var phrases []string
		for _, f := range m.filters {
			phrases = append(phrases, f.phrase)
		}
		res.AddDetail("counting only processes %s", strings.Join(phrases, ", "))
	}
	if tl.unreadable > 0 {
		res.AddDetail("%d processes could not be read and were not counted (%v)", tl.unreadable, tl.firstErr)
	}
	type summary struct {
		status checkers.Status
		text   string
	}
	summaries := make([]summary, len(m.selectors))
	for i, s := range m.selectors {
		n := tl.counts[i]
		st := s.thresholds.Status(float64(n))
		text := describe(n, s.desc) + expectation(s.thresholds, st, float64(n))
		if hidden != "" && couldBeHigher(s.thresholds, st, float64(n)) {
			st = checkers.Unknown
			text = describe(n, s.desc) + " visible, but other users' processes are hidden (" + hidden + "), so the real count may be higher; run the check as root or in procfs's gid= group"
		} else if tl.unreadable > 0 && couldBeHigher(s.thresholds, st, float64(n)) {
			// e.g. /proc mounted hidepid=noaccess: listed, not readable
			st = checkers.Unknown
			text = fmt.Sprintf("%s counted, but %d processes could not be read (%v), so the real count may be higher; run the check as root", describe(n, s.desc), tl.unreadable, tl.firstErr)
		}
		summaries[i] = summary{st, text}
		sub := checkers.NewResult(st, "%s", summaries[i].text)
		label := "procs"
		if len(m.selectors) > 1 {
			label = fmt.Sprintf("procs_%d", i+1)
		}
		sub.AddPerfdata(checkers.Perfdata{Label: label, Value: float64(n), Warn: s.thresholds.Warning, Crit: s.thresholds.Critical, Min: checkers.Float(0)})
		res.Add(sub)
	}
	// The worst counts lead the summary, so that the reason for an alert
	// survives when a long summary is cut at the agent's 1024 bytes;
	// counts of the same status keep the order of the flags, so an
	// unchanged result reads the same from run to run.
	slices.SortStableFunc(summaries, func(a, b summary) int { return cmp.Compare(b.status, a.status) })
	texts := make([]string, len(summaries))
	for i, s := range summaries {
		texts[i] = s.text
	}
	res.Summary = strings.Join(texts, "; ")
	return res
}

// couldBeHigher reports whether the status of a count might be another
// with processes added to it: a count that alerts because it is below
// the range it must reach, or is in an "@" range it must stay out of;
// and a count that more processes could make worse, such as an OK count
// under a maximum ("none may run": -w 0 -c 0 -W 0 -C 0). (A count above
// its critical maximum only grows with hidden processes: that alert
// stands.)
func couldBeHigher(t checkers.Thresholds, st checkers.Status, v float64) bool {
	r := t.Warning
	if st == checkers.Critical {
		r = t.Critical
	}
	if st != checkers.OK && r != nil && (r.Inside || v < r.Start) {
		return true
	}
	worse := []*checkers.Range{}
	switch st {
	case checkers.OK:
		worse = append(worse, t.Warning, t.Critical)
	case checkers.Warning:
		worse = append(worse, t.Critical)
	}
	for _, w := range worse {
		// v does not alert on w: more processes reach w's alert if it
		// has a finite maximum, or is an "@" range above v.
		if w != nil && (w.Inside && v < w.Start || !w.Inside && !math.IsInf(w.End, 1)) {
			return true
		}
	}
	return false
}

// describe says how many processes were counted: "3 processes matching
// /nginx/", "1 process named sshd", "250 processes".
func describe(n int, desc string) string {
	noun := "processes"
	if n == 1 {
		noun = "process"
	}
	if desc == "" {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %s %s", n, noun, desc)
}

// expectation says, for a count that alerts, what was expected:
// " (expected at least 1)", " (expected at most 8)".
func expectation(t checkers.Thresholds, st checkers.Status, v float64) string {
	r := t.Warning
	if st == checkers.Critical {
		r = t.Critical
	}
	if st == checkers.OK || r == nil {
		return ""
	}
	switch {
	case r.Inside:
		return fmt.Sprintf(" (expected outside %s)", rangeText(r))
	case v < r.Start:
		return fmt.Sprintf(" (expected at least %s)", checkers.FormatNumber(r.Start))
	}
	return fmt.Sprintf(" (expected at most %s)", checkers.FormatNumber(r.End))
}

// rangeText writes an "@" range's inner part for the message: "0 to 3".
func rangeText(r *checkers.Range) string {
	start := checkers.FormatNumber(r.Start)
	if math.IsInf(r.Start, -1) {
		start = "0"
	}
	if math.IsInf(r.End, 1) {
		return start + " or more"
	}
	return start + " to " + checkers.FormatNumber(r.End)
}
