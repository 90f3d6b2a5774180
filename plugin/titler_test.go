package plugin_test

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

// titled is a check whose title comes from its options.
type titled struct {
	Name string `long:"name"`
}

func (o *titled) Title() string { return o.Name }

func (o *titled) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.Warning, "hello"), nil
}

func TestTitlerNamesTheResult(t *testing.T) {
	p := &plugin.Plugin{Name: "check-titled", Title: "DEFAULT", New: func() any { return &titled{} }}
	for args, want := range map[string]string{"--name=SMTP": "SMTP WARNING: hello\n", "": "DEFAULT WARNING: hello\n"} {
		var out strings.Builder
		var argv []string
		if args != "" {
			argv = []string{args}
		}
		code := p.Run(context.Background(), plugin.Env{Args: argv, Stdout: &out, Stderr: io.Discard})
		if code != 1 || out.String() != want {
			t.Errorf("%q: exit %d, %q; want 1, %q", args, code, out.String(), want)
		}
	}
}

// A result that cannot be written to --output-file is UNKNOWN under the
// same title as the result itself.
func TestTitlerNamesAnOutputFileFailure(t *testing.T) {
	p := &plugin.Plugin{Name: "check-titled", Title: "DEFAULT", New: func() any { return &titled{} }}
	var out strings.Builder
	missing := t.TempDir() + "/no-such-dir/out.prom"
	code := p.Run(context.Background(), plugin.Env{Args: []string{"--name=SMTP", "--output-file", missing}, Stdout: &out, Stderr: io.Discard})
	if code != 3 || !strings.HasPrefix(out.String(), "SMTP UNKNOWN: ") || !strings.Contains(out.String(), missing) {
		t.Errorf("exit %d, %q; want 3 and \"SMTP UNKNOWN: …\" naming %s", code, out.String(), missing)
	}
}

// serviceOptions names its result after the service it checks.
type serviceOptions struct {
	Service string `long:"service" description:"the service, e.g. SMTP"`
}

func (o *serviceOptions) Title() string { return strings.ToUpper(o.Service) }

func (o *serviceOptions) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "answered"), nil
}

// A check whose title depends on its options implements Titler; without
// the option, Plugin.Title stands.
func ExampleTitler() {
	p := &plugin.Plugin{Name: "check-port", Title: "PORT", New: func() any { return &serviceOptions{} }}
	p.Run(context.Background(), plugin.Env{Args: []string{"--service", "smtp"}, Stdout: os.Stdout, Stderr: os.Stderr})
	p.Run(context.Background(), plugin.Env{Stdout: os.Stdout, Stderr: os.Stderr})
	// Output:
	// SMTP OK: answered
	// PORT OK: answered
}
