package plugin_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/teko-dev/teko/plugin"
)

func runThing(args ...string) (int, string) {
	p := &plugin.Plugin{Name: "check-thing", Title: "THING", Description: "checks the thing",
		New: func() any { return &thingOptions{} }}
	var out bytes.Buffer
	code := p.Run(context.Background(), plugin.Env{Args: args, Stdout: &out, Stderr: &out})
	return code, out.String()
}

func TestSubcommandTakesRuntimeFlagsAfterItsName(t *testing.T) {
	code, out := runThing("count", "-w", "5", "--format", "json", "-t", "3")
	if code != 1 || !strings.HasPrefix(out, "{") {
		t.Errorf("got %d %q", code, out)
	}
}

func TestSubcommandMissingIsAFlagError(t *testing.T) {
	code, out := runThing()
	if code != 3 || !strings.HasPrefix(out, "THING UNKNOWN: ") || !strings.Contains(out, "count") || !strings.Contains(out, "ping") {
		t.Errorf("got %d %q", code, out)
	}
	code, out = runThing("ping", "extra")
	if code != 3 || !strings.Contains(out, `unexpected argument "extra"`) {
		t.Errorf("got %d %q", code, out)
	}
}

func TestSubcommandHelp(t *testing.T) {
	code, out := runThing("--help")
	if code != 0 || !strings.Contains(out, "checks that the thing answers") {
		t.Errorf("top-level help lists the subcommands: %d %q", code, out)
	}
	code, out = runThing("ping", "--help")
	if code != 0 || !strings.Contains(out, "--host") {
		t.Errorf("a subcommand's help lists its flags: %d %q", code, out)
	}
}
