package plugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	flags "github.com/jessevdk/go-flags"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin/state"
)

// DefaultTimeout is the default of -t/--timeout: a third of
// mackerel-agent's 30 second limit, leaving room for slow starts.
const DefaultTimeout = 10 * time.Second

// Timeout is the value of -t/--timeout: Go durations ("1m30s") or plain
// seconds ("10"), as Nagios plugins take them.
type Timeout time.Duration

// UnmarshalFlag parses a duration or a number of seconds as ParseSeconds
// does, except that zero and negative values, which ParseSeconds takes,
// are refused: a run needs some time.
func (t *Timeout) UnmarshalFlag(text string) error {
	d, err := ParseSeconds(text)
	switch {
	case errors.Is(err, ErrTooLong):
		return fmt.Errorf("invalid timeout %q: too long", text)
	case err != nil:
		return fmt.Errorf("invalid timeout %q (want seconds, or a duration such as 30s)", text)
	case d <= 0:
		return fmt.Errorf("invalid timeout %q: must be positive", text)
	}
	*t = Timeout(d)
	return nil
}

// MarshalFlag shows the timeout in --help.
func (t Timeout) MarshalFlag() (string, error) { return time.Duration(t).String(), nil }

type commonOptions struct {
	Timeout Timeout `short:"t" long:"timeout" value-name:"DURATION" statekey:"-" description:"give up and report UNKNOWN after this long (seconds, or a duration such as 30s)"`
	Version bool    `short:"V" long:"version" statekey:"-" description:"print the version and exit"`
}

// longTimeoutOptions are commonOptions for a plugin whose own options
// take -t for something else (mackerel-plugin-linux's -t is its tempfile,
// check-ntpoffset's its NTP timeout): the plugin keeps -t, the runtime
// keeps --timeout. The fields match commonOptions, so one converts to the
// other.
type longTimeoutOptions struct {
	Timeout Timeout `long:"timeout" value-name:"DURATION" statekey:"-" description:"give up and report UNKNOWN after this long (seconds, or a duration such as 30s)"`
	Version bool    `short:"V" long:"version" statekey:"-" description:"print the version and exit"`
}

type checkOptions struct {
	Format     checkers.Format `long:"format" value-name:"FORMAT" statekey:"-" description:"output format: mackerel, nagios (adds perfdata), json, prometheus or metrics (perfdata as metric lines)"`
	Instance   string          `long:"instance" value-name:"NAME" statekey:"-" description:"with --format prometheus, the instance label that tells two runs of this check apart"`
	OutputFile string          `long:"output-file" value-name:"PATH" statekey:"-" description:"write the output to PATH atomically instead of stdout (e.g. for node_exporter's textfile collector)"`
}

type metricOptions struct {
	Prefix     string         `long:"metric-key-prefix" value-name:"PREFIX" description:"first part of every metric name; lets two instances run side by side"`
	Format     metrics.Format `long:"format" value-name:"FORMAT" statekey:"-" description:"output format: mackerel, graphite, influx, prometheus or json"`
	OutputFile string         `long:"output-file" value-name:"PATH" statekey:"-" description:"write the values to PATH atomically instead of stdout (e.g. for node_exporter's textfile collector)"`
}

// RateSetter may be implemented by a Collector to change how its counters
// become rates (per second instead of per minute, a longer staleness
// limit).
type RateSetter interface {
	Rates() metrics.Rates
}

// Validator may be implemented by a plugin's options to check them as a
// whole once they are parsed (a port out of range, two flags that exclude
// each other). An error is reported like a bad flag: "TITLE UNKNOWN:
// reason" on stdout, exit code 3, before the plugin runs.
type Validator interface {
	Validate() error
}

// usageError is a problem with the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// parsed is a parsed command line.
type parsed struct {
	opts      any
	common    commonOptions
	check     checkOptions
	metric    metricOptions
	stateDir  string
	key       []string // canonical "name=value" pairs for the state key: options off their defaults
	atDefault []string // the other options that could take part, at their defaults
}

func (p *Plugin) title() string {
	if p.Title != "" {
		return p.Title
	}
	return p.Name
}

// parse reads args into fresh options. It returns help text when help was
// asked for.
func (p *Plugin) parse(args []string) (*parsed, string, error) {
	pr, parser, err := p.newParser()
	if err != nil {
		return nil, "", err
	}
	if p.SingleDashLong {
		args = singleDashLong(parser, args)
	}
	rest, err := parser.ParseArgs(args)
	var ferr *flags.Error
	if errors.As(err, &ferr) && ferr.Type == flags.ErrHelp && p.SingleDashLong {
		if word := helpByAccident(args); word != "" { // "-hots=x": a typo, not -h
			return nil, "", usageError{"unknown flag `" + word + "'"}
		}
	}
	if errors.As(err, &ferr) && ferr.Type == flags.ErrHelp {
		var help bytes.Buffer
		parser.WriteHelp(&help)
		return nil, help.String(), nil
	}
	if err == nil && pr.common.Version {
		return pr, "", nil // -V in a bundle ("-rV"), or -version: answered by Run
	}
	if err != nil {
		if p.SingleDashLong {
			err = unknownSingleDash(args, err)
		}
		err = hideSecretValue(parser, err)
		return nil, "", usageError{tidyFlagError(err.Error())}
	}
	if len(rest) > 0 {
		return nil, "", usageError{fmt.Sprintf("unexpected argument %q", rest[0])}
	}
	_, isMetric := pr.opts.(Collector)
	if isMetric && pr.metric.Prefix != "" {
		if err := metrics.ValidateName(pr.metric.Prefix); err != nil {
			return nil, "", usageError{"--metric-key-prefix: " + err.Error()}
		}
	}
	if v, ok := pr.opts.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, "", usageError{err.Error()}
		}
	}
	if o := parser.FindOptionByLongName("state-dir"); o != nil {
		pr.stateDir, _ = o.Value().(string)
	}
	// The Mackerel plugins' -tempfile named their state file; teko keeps
	// its state in that file's directory unless --state-dir says where.
	if o := parser.FindOptionByLongName("tempfile"); o != nil && pr.stateDir == "" {
		if file, _ := o.Value().(string); file != "" {
			pr.stateDir = filepath.Dir(file)
		}
	}
	pr.key, pr.atDefault = p.stateKeyOptions(parser)
	return pr, "", nil
}

// newParser returns fresh options with their parser: the plugin's
// options and the runtime's groups.
func (p *Plugin) newParser() (*parsed, *flags.Parser, error) {
	pr := &parsed{opts: p.New()}
	pr.common.Timeout = Timeout(DefaultTimeout)
	pr.check.Format = checkers.FormatMackerel
	pr.metric.Format = metrics.FormatMackerel
	_, isCheck := pr.opts.(Checker)
	collector, isMetric := pr.opts.(Collector)
	if !isCheck && !isMetric {
		return nil, nil, fmt.Errorf("plugin %s: its options implement neither plugin.Checker nor plugin.Collector", p.Name)
	}
	parser := flags.NewNamedParser(p.Name, flags.HelpFlag|flags.PassDoubleDash)
	parser.ShortDescription = p.Description
	parser.LongDescription = p.Description
	if _, err := parser.AddGroup("Options", "", pr.opts); err != nil {
		return nil, nil, fmt.Errorf("plugin %s: %v", p.Name, err)
	}
	type group struct {
		title string
		data  any
	}
	var groups []group
	if isMetric {
		pr.metric.Prefix = collector.Prefix()
		groups = append(groups, group{"Metric Options", &pr.metric})
		if parser.FindOptionByLongName("state-dir") == nil {
			groups = append(groups, group{"State Options", &StateOptions{}})
		}
	} else {
		groups = append(groups, group{"Output Options", &pr.check})
	}
	own := parser.Groups()[0]
	if parser.FindOptionByShortName('t') != nil {
		groups = append(groups, group{"Runtime Options", (*longTimeoutOptions)(&pr.common)})
	} else {
		groups = append(groups, group{"Runtime Options", &pr.common})
	}
	var added []*flags.Group
	for _, g := range groups {
		fg, err := parser.AddGroup(g.title, "", g.data)
		if err != nil {
			return nil, nil, fmt.Errorf("plugin %s: %v", p.Name, err)
		}
		added = append(added, fg)
	}
	renameCollisions(own, added)
	return pr, parser, nil
}

// parseGuarded is parse with a panic in the plugin's code that parsing
// calls (New, a flag type's UnmarshalFlag, Validate, Prefix) turned into
// an error, as guard does for Check and Collect: a Go panic would exit 2
// with nothing on stdout.
func (p *Plugin) parseGuarded(env Env) (pr *parsed, help string, err error) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(env.Stderr, "%s\n%s", fitLine(oneLine(fmt.Sprintf("%s: panic: %v", p.Name, r))), debug.Stack())
			pr, help, err = nil, "", fmt.Errorf("panic: %v", r)
		}
	}()
	return p.parse(env.Args)
}

// Run runs the plugin once with env and returns the exit code: the check
// status for a check plugin; 0 or 3 (UNKNOWN) for a metric plugin; 0 for
// --help and --version; 3 for a bad command line.
func (p *Plugin) Run(ctx context.Context, env Env) int {
	env = env.withDefaults()
	if p.wantsVersion(env.Args) { // before parsing, so that required flags do not get in the way
		fmt.Fprintf(env.Stdout, "%s %s\n", p.Name, version())
		return 0
	}
	pr, help, err := p.parseGuarded(env)
	switch {
	case err == nil && help == "" && pr.common.Version:
		fmt.Fprintf(env.Stdout, "%s %s\n", p.Name, version())
		return 0
	case help != "":
		fmt.Fprint(env.Stdout, help)
		return 0
	case err != nil:
		fmt.Fprintln(env.Stdout, fitLine(fmt.Sprintf("%s %s: %s", p.title(), checkers.Unknown, oneLine(err.Error()))))
		return int(checkers.Unknown)
	}
	timeout := time.Duration(pr.common.Timeout)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("timed out after %s", timeout))
	defer cancel()
	inv := &Invocation{
		Name:      p.Name,
		Stderr:    env.Stderr,
		env:       env,
		stateDir:  state.Dir(pr.stateDir, env.Getenv),
		stateFlag: pr.stateDir,
		stateKey:  state.Key(p.Name, pr.key),
		formerKey: func() []string { return formerKeys(p.Name, pr.key, pr.atDefault) },
		describe:  strings.Join(pr.key, " "),
		ctx:       ctx,
	}
	defer inv.closeState()
	if c, ok := pr.opts.(Collector); ok {
		inv.metric = true
		return p.runCollector(ctx, inv, c, pr)
	}
	return p.runChecker(ctx, inv, pr.opts.(Checker), pr)
}

var (
	expectedType = regexp.MustCompile(` \(expected [^)]*\)`)
	// go-flags formats one message with no arguments (a value such as
	// "-5%" refused as an option comes back as "-5%!'(MISSING)").
	missingArg  = regexp.MustCompile(`%!(.)\(MISSING\)`)
	numberError = regexp.MustCompile(`strconv\.Parse(?:Int|Uint|Float): parsing ("(?:[^"\\]|\\.)*"): (invalid syntax|value out of range)`)
)

// tidyFlagError rewrites go-flags' messages for operators: no Go type
// names ("(expected checkers.Range)"), and number errors in words.
func tidyFlagError(msg string) string {
	msg = expectedType.ReplaceAllString(msg, "")
	msg = missingArg.ReplaceAllString(msg, "%$1")
	return numberError.ReplaceAllStringFunc(msg, func(m string) string {
		sub := numberError.FindStringSubmatch(m)
		if sub[2] == "invalid syntax" {
			return sub[1] + " is not a number"
		}
		return sub[1] + " is out of range"
	})
}

// wantsVersion reports whether args ask for -V/--version (or -version,
// for a plugin with SingleDashLong) as an argument of its own. Bundles
// such as "-rV" are found by the parser.
func (p *Plugin) wantsVersion(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-V", "--version":
			return true
		case "-version":
			if p.SingleDashLong {
				return true
			}
		}
	}
	return false
}

func (e Env) withDefaults() Env {
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	return e
}

// guard runs work in its own goroutine, turning a panic into an error,
// and returns as soon as work finishes or ctx ends — whichever is first.
// A work that outlives ctx is abandoned; its result is never read.
func guard[T any](ctx context.Context, inv *Invocation, work func() (T, error)) (T, error) {
	type outcome struct {
		v   T
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintf(inv.Stderr, "%s\n%s", fitLine(oneLine(fmt.Sprintf("%s: panic: %v", inv.Name, r))), debug.Stack())
				done <- outcome{err: fmt.Errorf("panic: %v", r)}
			}
		}()
		v, err := work()
		done <- outcome{v, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		var zero T
		return zero, context.Cause(ctx) // the deadline or a signal wins over whatever the plugin made of it
	}
	return o.v, o.err
}

func (p *Plugin) runChecker(ctx context.Context, inv *Invocation, c Checker, pr *parsed) int {
	res, err := guard(ctx, inv, func() (*checkers.Result, error) {
		res, err := c.Check(ctx, inv)
		switch {
		case err == nil && res == nil:
			err = errors.New("the check returned no result")
		case err == nil && (res.Status < checkers.OK || res.Status > checkers.Unknown):
			err = fmt.Errorf("the check returned status %d, which is none of 0-3", int(res.Status))
		}
		return res, err
	})
	if err == nil {
		err = inv.prepareState()
	}
	if err != nil {
		res = checkers.NewResult(checkers.Unknown, "%s", err.Error())
		inv.closeState()
	}
	// A typo in a unit must not turn a CRITICAL into UNKNOWN: the item is
	// left out, the rest of the result stands.
	for _, err := range res.InvalidPerfdata() {
		inv.Warnf("bug in the plugin: %v; left out", err)
	}
	out := newOutput(inv, pr.check.OutputFile)
	if werr := p.writeCheck(out.writer(), inv, pr, res, p.titleFor(c)); werr != nil {
		inv.Warnf("writing the result: %v", werr)
		return int(checkers.Unknown)
	}
	if err := out.finish(); err != nil {
		inv.closeState()
		checkers.NewResult(checkers.Unknown, "%s", err.Error()).Render(inv.env.Stdout, p.titleFor(c), checkers.FormatMackerel)
		return int(checkers.Unknown)
	}
	if inv.isMeta() { // graph definitions only: the check's state stays where it was
		inv.closeState()
		return int(res.Status)
	}
	if err := inv.commitState(); err != nil {
		inv.Warnf("%v", err)
		return int(checkers.Unknown)
	}
	return int(res.Status)
}

func (p *Plugin) runCollector(ctx context.Context, inv *Invocation, c Collector, pr *parsed) int {
	if inv.Getenv("MACKEREL_AGENT_PLUGIN_META") != "" {
		var meta bytes.Buffer
		_, err := guard(ctx, inv, func() (any, error) {
			return nil, metrics.WriteMeta(&meta, pr.metric.Prefix, graphsOf(c, pr.metric.Prefix))
		})
		if err == nil {
			_, err = inv.env.Stdout.Write(meta.Bytes())
		}
		return p.metricFailure(inv, err)
	}
	out := metrics.Output{Prefix: pr.metric.Prefix, Now: inv.Now()}
	values, err := guard(ctx, inv, func() ([]metrics.Value, error) {
		b := metrics.NewBatch()
		if err := c.Collect(ctx, inv, b); err != nil {
			return nil, err
		}
		if err := b.Err(); err != nil {
			return nil, fmt.Errorf("bug in the plugin: %w", err)
		}
		out.Batch, out.Graphs = b, graphsOf(c, pr.metric.Prefix)
		if !pr.metric.Format.NeedsRates() { // raw totals: no state
			v, _, _ := b.Resolve(metrics.Memory{}, out.Now, metrics.Rates{})
			return v, nil
		}
		return inv.resolveCounters(c, b)
	})
	if err != nil {
		inv.closeState()
		return p.metricFailure(inv, err)
	}
	if err := inv.prepareState(); err != nil {
		// The values are sound; only the next run's rates span longer.
		inv.Warnf("state not saved (the next rates span two runs): %s", oneLine(err.Error()))
		inv.closeState()
		inv.degraded = true
	}
	out.Values = values
	dest := newOutput(inv, pr.metric.OutputFile)
	unprintable, err := pr.metric.Format.Write(dest.writer(), out)
	if err == nil {
		err = dest.finish()
	}
	for _, v := range unprintable {
		name := v.Name
		if pr.metric.Prefix != "" {
			name = pr.metric.Prefix + "." + name
		}
		inv.Warnf("%s: value %v not printed (the agent takes finite numbers only)", name, v.Value)
	}
	if err != nil {
		return p.metricFailure(inv, fmt.Errorf("writing values: %w", err))
	}
	if err := inv.commitState(); err != nil {
		return p.metricFailure(inv, err)
	}
	if inv.degraded {
		return int(checkers.Unknown) // the values are printed; stderr says what is missing
	}
	return 0
}

// metricFailure reports err, if any, on stderr (stdout is for values
// only) and returns the exit code.
func (p *Plugin) metricFailure(inv *Invocation, err error) int {
	if err == nil {
		return 0
	}
	inv.Warnf("%s", oneLine(err.Error()))
	return int(checkers.Unknown)
}

// resolveCounters turns b into printable values, using and updating the
// counters kept in the state store. A batch without counters needs no
// state.
func (inv *Invocation) resolveCounters(c Collector, b *metrics.Batch) ([]metrics.Value, error) {
	var rates metrics.Rates
	if rs, ok := c.(RateSetter); ok {
		rates = rs.Rates()
	}
	if !b.HasCounters() {
		values, _, _ := b.Resolve(metrics.Memory{}, inv.Now(), rates)
		return values, nil
	}
	st, err := inv.openState()
	var prev metrics.Memory
	if err == nil {
		_, err = st.Load(&prev)
	}
	if err != nil {
		// The gauges need no state: print them, leave the rates out, and
		// say why, rather than blank every graph of the plugin.
		values, _, _ := b.Resolve(metrics.Memory{}, inv.Now(), rates)
		inv.Warnf("rates left out, as the state that turns counters into rates cannot be used: %s", oneLine(err.Error()))
		inv.degraded = true
		return values, nil
	}
	values, next, notes := b.Resolve(prev, inv.Now(), rates)
	for _, n := range notes {
		inv.Warnf("%s", n)
	}
	return values, st.Save(next)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func (inv *Invocation) prepareState() error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.store == nil {
		return nil
	}
	return inv.store.Prepare()
}

func (inv *Invocation) commitState() error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.store == nil {
		return nil
	}
	return inv.store.Commit()
}

// closeState releases the lock and forgets anything not committed: a
// failed run must not move state. Later calls to State fail.
func (inv *Invocation) closeState() {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.closed = true
	if inv.store != nil {
		inv.store.Close()
		inv.store = nil
	}
}
