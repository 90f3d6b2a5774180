package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin/state"
)

// Version is the version --version prints. Release builds set it with
// -ldflags "-X github.com/teko-dev/teko/plugin.Version=v1.2.3"; otherwise
// the module version recorded by "go install …@version" is used.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// Plugin describes one plugin. It is a plain value: the same Plugin runs
// as a single binary, inside the multi-call binary and in tests.
type Plugin struct {
	// Name is the binary name, e.g. "check-log".
	Name string
	// Title starts a check's status line, e.g. "LOG" in
	// "LOG CRITICAL: …". Empty means Name.
	Title string
	// Description is one line saying what the plugin does.
	Description string
	// New returns fresh options: a pointer to a struct with go-flags tags
	// that implements Checker or Collector. It is called at least once per
	// run (the runtime also parses an empty command line into a second
	// value to learn the defaults), so it must have no side effects.
	New func() any
	// SingleDashLong also accepts long options written with one dash, as
	// Go's flag package spells them ("-host=x", "-port 8080"), for
	// drop-in compatibility with plugins built on it. Only a token that
	// is exactly a long option's name is read that way; short options
	// ("-t5", "-hV") are unaffected. As in Go's flag package, an option
	// that takes a value takes the next word even when it starts with "-"
	// ("-password -x1y"). A one-dash word that names no
	// option ("-metric-key-prefx", "-hots") is refused naming the whole
	// word, as Go's flag package does: not as the unknown letter "m", nor
	// as -h (help, exit 0, which would make a mistyped check OK).
	SingleDashLong bool
	// Aliases are other names the plugin answers to in the multi-call
	// binary, typically the Mackerel original's binary name
	// ("mackerel-plugin-nginx"), so that an agent configuration written
	// for it keeps working through a symlink of that name. Packaging
	// installs those symlinks apart from the teko names (see
	// packaging/), since the original's package may own the name.
	Aliases []string
}

// Checker is implemented by the options of a check plugin. An error
// means the check could not decide: it is reported as UNKNOWN with the
// error's text.
type Checker interface {
	Check(ctx context.Context, inv *Invocation) (*checkers.Result, error)
}

// Collector is implemented by the options of a metric plugin.
type Collector interface {
	// Prefix is the default metric key prefix, e.g. "nginx";
	// --metric-key-prefix replaces it.
	Prefix() string
	// Graphs describes the graphs, keys relative to the prefix.
	Graphs() metrics.Graphs
	// Collect records this run's values. An error discards the whole run:
	// no value is printed on stdout, the error goes to stderr and the exit
	// code is 3 (see the package doc, "When a metric plugin fails").
	Collect(ctx context.Context, inv *Invocation, b *metrics.Batch) error
}

// PrefixGrapher may be implemented by a metric plugin's options whose
// graph labels are made from the metric key prefix, as many Mackerel
// plugins' are: mackerel-plugin-postgres labels its graphs "Postgres
// Connections", and with -metric-key-prefix pgmain "Pgmain Connections",
// so that two instances side by side have graphs told apart. The
// runtime then calls GraphsFor with the prefix in force (the default or
// --metric-key-prefix's) instead of Graphs.
type PrefixGrapher interface {
	GraphsFor(prefix string) metrics.Graphs
}

// graphsOf returns c's graphs for the metric key prefix in force.
func graphsOf(c Collector, prefix string) metrics.Graphs {
	if pg, ok := c.(PrefixGrapher); ok {
		return pg.GraphsFor(prefix)
	}
	return c.Graphs()
}

// Titler may be implemented by a check's options whose title depends on
// them, as check-tcp's is the --service name ("SMTP CRITICAL: …"). A
// non-empty Title replaces Plugin.Title in the rendered result; a flag
// error, which comes before the options are known, keeps Plugin.Title.
type Titler interface {
	Title() string
}

// titleFor returns the title a check's result is rendered with.
func (p *Plugin) titleFor(opts any) string {
	if t, ok := opts.(Titler); ok {
		if title := t.Title(); title != "" {
			return title
		}
	}
	return p.title()
}

// StateOptions adds --state-dir to a check plugin that keeps state, so
// that operators can choose the directory. Embed it in the options
// struct. It is optional: without it, State uses
// $MACKEREL_PLUGIN_WORKDIR, else teko-<uid> in the temporary directory.
type StateOptions struct {
	StateDir string `long:"state-dir" value-name:"DIR" statekey:"-" description:"directory for state between runs (default: $MACKEREL_PLUGIN_WORKDIR, else teko-<uid> in the temp directory)"`
}

// Env is everything a run takes from its surroundings. Main fills it from
// the process; tests fill it themselves.
type Env struct {
	Args   []string            // the arguments, without the program name
	Stdout io.Writer           // the result
	Stderr io.Writer           // warnings, diagnostics, panic stacks
	Getenv func(string) string // the environment; nil means empty
	Now    func() time.Time    // the clock; nil means time.Now
}

// Invocation is what a running plugin may use of its surroundings.
type Invocation struct {
	// Name is the plugin's name.
	Name string
	// Stderr receives diagnostics; mackerel-agent logs it.
	Stderr io.Writer

	env       Env
	stateDir  string
	stateFlag string          // the --state-dir given, if any (for state.FormerDirs)
	stateKey  string          // state.Key of the options off their defaults
	formerKey func() []string // the keys earlier releases used (formerKeys), computed when needed
	describe  string
	lockWait  time.Duration
	ctx       context.Context
	metric    bool // a metric plugin's run: State is the plugin's part, the runtime keeps the counters
	degraded  bool // a metric run printed what it could without its state

	mu     sync.Mutex // guards store and closed: the runtime may give up on a plugin goroutine that still runs
	store  *state.Store
	closed bool
}

// Now returns the current time from the run's clock.
func (inv *Invocation) Now() time.Time { return inv.env.Now() }

// Args returns the run's command-line arguments as given, before
// parsing (without the program name). Most plugins need only their
// options; a plugin taking over another tool's files may need the exact
// command line that tool was keyed by.
func (inv *Invocation) Args() []string { return slices.Clone(inv.env.Args) }

// Getenv returns an environment variable of the run.
func (inv *Invocation) Getenv(key string) string { return inv.env.Getenv(key) }

// Warnf writes a warning, prefixed with the plugin name, to Stderr;
// each of its lines is cut to fit the agent's 1024 bytes, with a visible
// marker ("… (cut)").
func (inv *Invocation) Warnf(format string, args ...any) {
	msg := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	var b strings.Builder
	for i, line := range strings.Split(msg, "\n") {
		if i == 0 {
			line = inv.Name + ": " + line
		}
		b.WriteString(fitLine(line))
		b.WriteByte('\n')
	}
	io.WriteString(inv.Stderr, b.String())
}

// StateDir returns the directory the state store uses.
func (inv *Invocation) StateDir() string { return inv.stateDir }

// State opens this plugin instance's state store, locked until the run
// ends; further calls return the same store. What is saved with
// Store.Save is written only after the run's output. An error (an
// unwritable directory, a lock held too long, a state file written by a
// newer release) should be returned from Check or Collect, which makes
// the run UNKNOWN with that reason.
//
// In a metric plugin, State is the plugin's own part of the state file
// (state.Store.Part "plugin"): the runtime keeps the counters' previous
// values in the same file, and both are written together, atomically,
// after the values are printed. A metric plugin needs State only for
// what it remembers itself (counters need nothing: see metrics.Batch).
func (inv *Invocation) State() (*state.Store, error) {
	st, err := inv.openState()
	if err != nil || !inv.metric {
		return st, err
	}
	return st.Part(pluginStatePart), nil
}

// pluginStatePart names a metric plugin's own part of its state file.
const pluginStatePart = "plugin"

// openState opens the whole store.
func (inv *Invocation) openState() (*state.Store, error) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.closed {
		return nil, errors.New("state: the run is over")
	}
	if inv.store != nil {
		return inv.store, nil
	}
	var former []state.Location
	if _, err := os.Lstat(filepath.Join(inv.stateDir, inv.stateKey+".json")); err != nil && inv.formerKey != nil {
		// No state under today's key (Open checks again under the lock):
		// where would earlier releases have kept it?
		keys := inv.formerKey()
		dirs := append([]string{inv.stateDir}, state.FormerDirs(inv.stateFlag, inv.env.Getenv)...)
		for i, dir := range dirs {
			if i > 0 {
				former = append(former, state.Location{Dir: dir, Key: inv.stateKey})
			}
			for _, k := range keys {
				former = append(former, state.Location{Dir: dir, Key: k})
			}
		}
	}
	st, err := state.Open(inv.ctx, state.Options{
		Dir:      inv.stateDir,
		Key:      inv.stateKey,
		Describe: inv.describe,
		LockWait: inv.lockWait,
		Warn:     func(msg string) { inv.Warnf("%s", msg) },
		Former:   former,
	})
	if err != nil {
		return nil, err
	}
	inv.store = st
	return st, nil
}

// Main runs p as the process: arguments from os.Args, the real
// environment and clock, and every catchable terminating signal
// (SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGABRT) cancelling the run. It is the
// only function in teko that calls os.Exit.
func Main(p *Plugin) {
	os.Exit(RunMain(p, os.Args[1:]))
}

// RunMain is Main without the exit: it runs p with the process's
// arguments args, streams, environment, clock and signals, and returns
// the exit code. The multi-call binary uses it.
func RunMain(p *Plugin, args []string) int {
	ctx, stop := signalContext()
	defer stop()
	return p.Run(ctx, Env{Args: args, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now})
}
