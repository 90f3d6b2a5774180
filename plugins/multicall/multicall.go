package multicall

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

// Program is a multi-call binary: one program that runs any of Plugins.
type Program struct {
	// Name is the program's own name, e.g. "teko"; it starts usage lines.
	Name string
	// Plugins are the plugins the program runs, listed in this order.
	Plugins []*plugin.Plugin
}

// Main runs the program as the process: it picks the plugin from
// os.Args and runs it with plugin.RunMain (real streams, environment,
// clock and signals). It returns the exit code for os.Exit.
func (m *Program) Main() int {
	p, args, code := m.pick(os.Args, os.Stdout)
	if p == nil {
		return code
	}
	return plugin.RunMain(p, args)
}

// Run is Main with everything taken from env: argv is the whole command
// line, the program name first; env.Args is ignored.
func (m *Program) Run(ctx context.Context, argv []string, env plugin.Env) int {
	p, args, code := m.pick(argv, env.Stdout)
	if p == nil {
		return code
	}
	env.Args = args
	return p.Run(ctx, env)
}

// Lookup returns the plugin called name, or one of whose Aliases is
// name, or nil. A plugin's own name wins over another's alias.
func (m *Program) Lookup(name string) *plugin.Plugin {
	for _, p := range m.Plugins {
		if p.Name == name {
			return p
		}
	}
	for _, p := range m.Plugins {
		if slices.Contains(p.Aliases, name) {
			return p
		}
	}
	return nil
}

// pick chooses the plugin argv asks for and returns it with its
// arguments. When argv names no plugin it answers itself on stdout (the
// list, the version or a usage error) and returns a nil plugin and the
// exit code.
func (m *Program) pick(argv []string, stdout io.Writer) (*plugin.Plugin, []string, int) {
	calledAs := m.Name
	if len(argv) > 0 {
		calledAs = commandName(argv[0])
		if p := m.Lookup(calledAs); p != nil {
			return p, argv[1:], 0 // called through a symlink named after the plugin
		}
		argv = argv[1:]
	}
	if len(argv) == 0 {
		m.usageError(stdout, "no plugin named; the first argument must be one of the plugins below")
		m.writeList(stdout)
		return nil, nil, int(checkers.Unknown)
	}
	switch name := argv[0]; name {
	case "-h", "--help", "help":
		m.writeList(stdout)
		return nil, nil, 0
	case "-V", "--version":
		fmt.Fprintf(stdout, "%s %s\n", m.Name, plugin.BuildVersion())
		return nil, nil, 0
	default:
		if p := m.Lookup(name); p != nil {
			return p, argv[1:], 0
		}
		reason := fmt.Sprintf("unknown plugin %q", name)
		switch {
		case strings.HasPrefix(name, "-") && calledAs != m.Name:
			// most likely a symlink left behind for a plugin this build lacks
			reason = fmt.Sprintf("unknown plugin %q", calledAs)
		case strings.HasPrefix(name, "-"):
			reason = fmt.Sprintf("unknown option %q: the first argument is a plugin name", name)
		}
		m.usageError(stdout, fmt.Sprintf("%s (%s --help lists them)", reason, m.Name))
		return nil, nil, int(checkers.Unknown)
	}
}

// commandName is the name a program was called by: the base name of
// argv[0] without a Windows ".exe".
func commandName(arg0 string) string {
	name := filepath.Base(arg0)
	if ext := filepath.Ext(name); strings.EqualFold(ext, ".exe") {
		name = strings.TrimSuffix(name, ext)
	}
	return name
}

func (m *Program) usageError(w io.Writer, reason string) {
	fmt.Fprintf(w, "%s %s: %s\n", m.Name, checkers.Unknown, reason)
}

func (m *Program) writeList(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s PLUGIN [OPTIONS]   (or call a symlink named after the plugin)\n", m.Name)
	fmt.Fprintf(w, "       %s PLUGIN --help   shows the plugin's options\n\nPlugins:\n", m.Name)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, p := range m.Plugins {
		desc := p.Description
		if len(p.Aliases) > 0 {
			desc += " (also: " + strings.Join(p.Aliases, ", ") + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", p.Name, desc)
	}
	tw.Flush()
}
