package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	flags "github.com/jessevdk/go-flags"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

// Sampler is implemented by the options of a plugin that cannot succeed
// without inputs. ConformanceArgs prepares what one quick, successful run
// needs — files under dir (an empty scratch directory), a server
// listening on 127.0.0.1 — and returns that run's arguments, and a
// function that stops what it started (nil when there is nothing to
// stop). A check must report OK with these arguments.
type Sampler interface {
	ConformanceArgs(dir string) (args []string, stop func(), err error)
}

// A Rule is one promise every plugin keeps.
type Rule struct {
	// Name says what the rule checks, e.g. "help documents every flag".
	Name string
	// Check runs the plugin as the rule needs, using dir (an empty
	// directory) for state and sample inputs, and returns every way the
	// plugin breaks the rule, joined; nil means the plugin keeps it.
	Check func(p *plugin.Plugin, dir string) error
}

// Rules are the run rules, in the order Test runs them.
var Rules = []Rule{
	{"help documents every flag", checkHelp},
	{"unknown flag is UNKNOWN", checkUnknownFlag},
	{"version", checkVersion},
	{"run output", checkRun},
	{"every output format", checkFormats},
	{"output file", checkOutputFile},
	{"meta run keeps check state", checkMetaKeepsState},
}

// Test runs every rule on p, each as a subtest of t.
func Test(t *testing.T, p *plugin.Plugin) {
	t.Helper()
	for _, r := range Rules {
		t.Run(r.Name, func(t *testing.T) {
			if err := r.Check(p, t.TempDir()); err != nil {
				t.Errorf("%s: %v", p.Name, err)
			}
		})
	}
}

// start is the clock of every run: a fixed time, so that outputs can be
// compared.
var start = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// outcome is what one in-process run produced.
type outcome struct {
	args   []string
	code   int
	stdout string
	stderr string
}

func (o outcome) String() string {
	return fmt.Sprintf("%q exited %d\nstdout:\n%s\nstderr:\n%s", o.args, o.code, o.stdout, o.stderr)
}

// runner runs a plugin in-process, as an agent would, with a private
// state directory and a fixed clock.
type runner struct {
	p   *plugin.Plugin
	env map[string]string
	now time.Time
}

func newRunner(p *plugin.Plugin, stateDir string) *runner {
	return &runner{p: p, now: start, env: map[string]string{
		"MACKEREL_PLUGIN_WORKDIR": stateDir, "LANG": "C", "LC_ALL": "C",
	}}
}

func (r *runner) run(args ...string) outcome {
	var out, errOut bytes.Buffer
	code := r.p.Run(context.Background(), plugin.Env{
		Args:   args,
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(k string) string { return r.env[k] },
		Now:    func() time.Time { return r.now },
	})
	return outcome{args: args, code: code, stdout: out.String(), stderr: errOut.String()}
}

// sample returns the arguments of a successful run of p and a function
// to call when done with them.
func sample(p *plugin.Plugin, dir string) ([]string, func(), error) {
	s, ok := p.New().(Sampler)
	if !ok {
		return nil, func() {}, nil
	}
	sampleDir := filepath.Join(dir, "sample")
	if err := os.Mkdir(sampleDir, 0o755); err != nil {
		return nil, nil, err
	}
	args, stop, err := s.ConformanceArgs(sampleDir)
	if err != nil {
		return nil, nil, fmt.Errorf("ConformanceArgs: %w", err)
	}
	if stop == nil {
		stop = func() {}
	}
	return args, stop, nil
}

// problems collects the ways a plugin breaks a rule.
type problems []error

func (ps *problems) addf(format string, args ...any) {
	*ps = append(*ps, fmt.Errorf(format, args...))
}

func (ps problems) err() error { return errors.Join(ps...) }

// reserved are the flags the runtime gives every plugin, and
// runtimeOnly those a plugin must not declare: --metric-key-prefix. (A
// plugin may declare its own --format, --instance or --output-file, as
// metrics-accesslog's original has -format: the runtime's are then
// spelled --teko-format, --teko-instance, --teko-output-file.) -t is not
// reserved: a plugin whose Mackerel original used it for something else
// keeps it, and the runtime's limit is then --timeout only.
var (
	reserved    = map[string]bool{"h": true, "help": true, "V": true, "version": true, "timeout": true}
	runtimeOnly = map[string]bool{"metric-key-prefix": true}
)

// Flag is one option of a plugin's own options struct.
type Flag struct {
	Long, Short string // "word" and "w"; either may be empty
	Default     string // the default, as --help shows it; empty when none
	Description string
}

// Spelling is how the flag is written on a command line: "--word", or
// "-w" for a flag with only a short name.
func (f Flag) Spelling() string {
	if f.Long != "" {
		return "--" + f.Long
	}
	return "-" + f.Short
}

// Flags returns the options p declares itself (not the runtime's),
// hidden ones left out, in declaration order.
func Flags(p *plugin.Plugin) ([]Flag, error) {
	parser := flags.NewNamedParser(p.Name, flags.None)
	if _, err := parser.AddGroup("Options", "", p.New()); err != nil {
		return nil, err
	}
	var out []Flag
	var walk func(gs []*flags.Group)
	walk = func(gs []*flags.Group) {
		for _, g := range gs {
			for _, o := range g.Options() {
				if o.Hidden {
					continue
				}
				f := Flag{Long: o.LongName, Description: o.Description, Default: strings.Join(o.Default, ",")}
				if o.ShortName != 0 {
					f.Short = string(o.ShortName)
				}
				out = append(out, f)
			}
			walk(g.Groups())
		}
	}
	walk(parser.Groups())
	return out, nil
}

// runtimeFlags are the flags the runtime adds to a plugin of p's kind.
func runtimeFlags(p *plugin.Plugin) []string {
	out := []string{"--help", "--version", "--timeout"}
	switch p.New().(type) {
	case plugin.Collector:
		out = append(out, "--metric-key-prefix", "--state-dir", formatFlag(p), runtimeFlag(p, "output-file"))
	case plugin.Checker:
		out = append(out, formatFlag(p), runtimeFlag(p, "instance"), runtimeFlag(p, "output-file"))
	}
	return out
}

func checkHelp(p *plugin.Plugin, dir string) error {
	var ps problems
	own, err := Flags(p)
	if err != nil {
		return fmt.Errorf("its options cannot be parsed: %w", err)
	}
	for _, f := range own {
		if reserved[f.Long] || reserved[f.Short] {
			ps.addf("%s takes a name the runtime reserves (-h/--help, -V/--version, --timeout)", f.Spelling())
		}
		if runtimeOnly[f.Long] {
			ps.addf("%s is a runtime flag; the plugin must not declare it", f.Spelling())
		}
		if strings.TrimSpace(f.Description) == "" {
			ps.addf("%s has no description", f.Spelling())
		}
	}
	r := newRunner(p, dir)
	help := r.run("--help")
	if help.code != 0 || help.stderr != "" || help.stdout == "" {
		ps.addf("--help must exit 0 with the help on stdout and nothing on stderr: %v", help)
		return ps.err()
	}
	if short := r.run("-h"); short.code != 0 || short.stdout != help.stdout {
		ps.addf("-h must print the same help as --help: %v", short)
	}
	var spellings []string
	for _, f := range own {
		spellings = append(spellings, f.Spelling())
	}
	spellings = append(spellings, runtimeFlags(p)...)
	for _, s := range spellings {
		if !mentions(help.stdout, s) {
			ps.addf("--help does not document %s", s)
		}
	}
	if p.Description == "" || !strings.Contains(strings.Join(strings.Fields(help.stdout), " "), strings.Join(strings.Fields(p.Description), " ")) {
		ps.addf("--help does not show the plugin's description %q", p.Description)
	}
	return ps.err()
}

// mentions reports whether text contains the flag spelling s as a whole
// word: "--port" does not count for "--port-range".
func mentions(text, s string) bool {
	re := regexp.MustCompile(`(^|[^\w-])` + regexp.QuoteMeta(s) + `($|[^\w-])`)
	return re.MatchString(text)
}

const unknownFlag = "--no-such-flag-conformance"

func checkUnknownFlag(p *plugin.Plugin, dir string) error {
	o := newRunner(p, dir).run(unknownFlag)
	want := titleOf(p) + " UNKNOWN: "
	if o.code != int(checkers.Unknown) || !strings.HasPrefix(o.stdout, want) ||
		!strings.Contains(o.stdout, strings.TrimLeft(unknownFlag, "-")) || strings.Count(o.stdout, "\n") != 1 {
		return fmt.Errorf("an unknown flag must exit 3 with one line %q naming the flag on stdout: %v", want+"…", o)
	}
	return nil
}

func checkVersion(p *plugin.Plugin, dir string) error {
	var ps problems
	r := newRunner(p, dir)
	for _, flag := range []string{"--version", "-V"} {
		o := r.run(flag)
		if o.code != 0 || o.stderr != "" || !regexp.MustCompile(`^`+regexp.QuoteMeta(p.Name)+` \S+\n$`).MatchString(o.stdout) {
			ps.addf("%s must exit 0 and print %q: %v", flag, p.Name+" VERSION", o)
		}
	}
	return ps.err()
}

func titleOf(p *plugin.Plugin) string {
	if p.Title != "" {
		return p.Title
	}
	return p.Name
}

// titleMatches reports whether got, the title of a status line, is p's:
// its Title (else Name), or, when p's options choose their title per run
// (plugin.Titler, as check-mysql's "MySQL Uptime"), that Title followed
// by more words.
func titleMatches(p *plugin.Plugin, got string) bool {
	want := titleOf(p)
	if got == want {
		return true
	}
	_, titler := p.New().(plugin.Titler)
	return titler && strings.HasPrefix(got, want+" ")
}

// titleIn returns the title of out's status line when it is p's (see
// titleMatches), else p's own.
func titleIn(p *plugin.Plugin, out string) string {
	first, _, _ := strings.Cut(out, "\n")
	head, _, _ := strings.Cut(first, " | ")
	if m := statusLine.FindStringSubmatch(head); m != nil && titleMatches(p, m[1]) {
		return m[1]
	}
	return titleOf(p)
}

func checkRun(p *plugin.Plugin, dir string) error {
	args, stop, err := sample(p, dir)
	if err != nil {
		return err
	}
	defer stop()
	switch c := p.New().(type) {
	case plugin.Collector:
		return checkMetricRun(p, c, dir, args)
	case plugin.Checker:
		return checkCheckRun(p, dir, args)
	default:
		return errors.New("its options implement neither plugin.Checker nor plugin.Collector")
	}
}
