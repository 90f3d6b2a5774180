package multicall

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

// echoOptions is a check that reports its --word flag.
type echoOptions struct {
	Word string `short:"w" long:"word" default:"hello" description:"word to report"`
}

func (o *echoOptions) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.Warning, "said %s", o.Word), nil
}

var echo = &plugin.Plugin{Name: "check-echo", Title: "ECHO", Description: "says a word", New: func() any { return &echoOptions{} }}

var other = &plugin.Plugin{Name: "check-other", Description: "another check", New: func() any { return &echoOptions{} }}

// aliased answers to its Mackerel-style name too; its second alias is
// another plugin's own name, which wins.
var aliased = &plugin.Plugin{Name: "check-aliased", Title: "ALIASED", Description: "has old names", Aliases: []string{"mackerel-plugin-aliased", "check-other"}, New: func() any { return &echoOptions{} }}

var prog = &Program{Name: "teko", Plugins: []*plugin.Plugin{echo, other, aliased}}

// TestMain lets the test binary act as the multi-call program when the
// process tests below run it (by a symlink or with TEKO_AS_PROGRAM=1).
func TestMain(m *testing.M) {
	if os.Getenv("TEKO_AS_PROGRAM") == "1" || prog.Lookup(commandName(os.Args[0])) != nil {
		os.Exit(prog.Main())
	}
	os.Exit(m.Run())
}

func run(argv ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := prog.Run(context.Background(), argv, plugin.Env{Stdout: &out, Stderr: &errOut})
	return code, out.String(), errOut.String()
}

func TestRunByArgument(t *testing.T) {
	code, out, errOut := run("/usr/bin/teko", "check-echo", "-w", "hi")
	assert.Equal(t, 1, code)
	assert.Equal(t, "ECHO WARNING: said hi\n", out)
	assert.Empty(t, errOut)
}

func TestRunBySymlinkName(t *testing.T) {
	code, out, _ := run("/usr/local/bin/check-echo", "--word", "hey")
	assert.Equal(t, 1, code)
	assert.Equal(t, "ECHO WARNING: said hey\n", out)

	// On Windows the "symlink" is a copy called check-echo.exe.
	code, out, _ = run(filepath.Join("teko", "check-echo.EXE"))
	assert.Equal(t, 1, code)
	assert.Equal(t, "ECHO WARNING: said hello\n", out)
}

func TestPluginArgumentsAreThePlugins(t *testing.T) {
	// After the plugin name every argument is the plugin's, --help too.
	code, out, _ := run("teko", "check-echo", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "--word")

	code, out, _ = run("teko", "check-echo", "--no-such-flag")
	assert.Equal(t, 3, code)
	assert.Equal(t, "ECHO UNKNOWN: unknown flag `no-such-flag'\n", out)
}

func TestAliases(t *testing.T) {
	code, out, _ := run("/usr/local/bin/mackerel-plugin-aliased", "-w", "old")
	assert.Equal(t, 1, code)
	assert.Equal(t, "ALIASED WARNING: said old\n", out)
	code, out, _ = run("teko", "mackerel-plugin-aliased", "-w", "arg")
	assert.Equal(t, 1, code)
	assert.Equal(t, "ALIASED WARNING: said arg\n", out)
	assert.Same(t, other, prog.Lookup("check-other"), "a plugin's own name wins over another's alias")
	_, out, _ = run("teko", "--help")
	assert.Regexp(t, `(?m)^  check-aliased +has old names \(also: mackerel-plugin-aliased, check-other\)$`, out)
}

func TestList(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "help"} {
		code, out, errOut := run("teko", arg)
		assert.Equal(t, 0, code, arg)
		assert.Empty(t, errOut)
		assert.Regexp(t, `(?m)^  check-echo +says a word$`, out)
		assert.Regexp(t, `(?m)^  check-other +another check$`, out)
	}
}

func TestNoPluginIsUnknown(t *testing.T) {
	code, out, _ := run("teko")
	assert.Equal(t, 3, code)
	first, rest, _ := strings.Cut(out, "\n")
	assert.Equal(t, "teko UNKNOWN: no plugin named; the first argument must be one of the plugins below", first)
	assert.Contains(t, rest, "check-echo")

	code, out, _ = run()
	assert.Equal(t, 3, code)
	assert.True(t, strings.HasPrefix(out, "teko UNKNOWN: no plugin named"), out)
}

func TestUnknownPlugin(t *testing.T) {
	code, out, _ := run("teko", "check-nothing", "-w", "x")
	assert.Equal(t, 3, code)
	assert.Equal(t, "teko UNKNOWN: unknown plugin \"check-nothing\" (teko --help lists them)\n", out)

	code, out, _ = run("teko", "-w", "x")
	assert.Equal(t, 3, code)
	assert.Equal(t, "teko UNKNOWN: unknown option \"-w\": the first argument is a plugin name (teko --help lists them)\n", out)

	// A symlink left behind for a plugin this build does not have.
	code, out, _ = run("/usr/bin/check-gone", "-w", "x")
	assert.Equal(t, 3, code)
	assert.Equal(t, "teko UNKNOWN: unknown plugin \"check-gone\" (teko --help lists them)\n", out)

	// A symlink with an unknown name reads its first argument instead.
	code, out, _ = run("/opt/check-renamed", "check-echo")
	assert.Equal(t, 1, code)
	assert.Equal(t, "ECHO WARNING: said hello\n", out)
}

func TestVersion(t *testing.T) {
	code, out, _ := run("teko", "--version")
	assert.Equal(t, 0, code)
	assert.Equal(t, "teko "+plugin.BuildVersion()+"\n", out)
}

// TestProcess runs the program as real processes: by argument and
// through a symlink named after a plugin.
func TestProcess(t *testing.T) {
	self, err := os.Executable()
	require.NoError(t, err)

	cmd := exec.Command(self, "check-echo", "-w", "process")
	cmd.Env = append(os.Environ(), "TEKO_AS_PROGRAM=1")
	code, out, errOut := wait(t, cmd)
	assert.Equal(t, 1, code)
	assert.Equal(t, "ECHO WARNING: said process\n", out)
	assert.Empty(t, errOut)

	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	link := filepath.Join(t.TempDir(), "check-echo")
	require.NoError(t, os.Symlink(self, link))
	code, out, errOut = wait(t, exec.Command(link, "--word", "linked"))
	assert.Equal(t, 1, code)
	assert.Equal(t, "ECHO WARNING: said linked\n", out)
	assert.Empty(t, errOut)

	alias := filepath.Join(t.TempDir(), "mackerel-plugin-aliased")
	require.NoError(t, os.Symlink(self, alias))
	code, out, _ = wait(t, exec.Command(alias, "--word", "old-name"))
	assert.Equal(t, 1, code)
	assert.Equal(t, "ALIASED WARNING: said old-name\n", out)
}

func wait(t *testing.T, cmd *exec.Cmd) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}
