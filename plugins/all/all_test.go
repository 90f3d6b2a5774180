package all

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/conformance"
)

// root is the repository's root directory, seen from this package.
const root = "../.."

type marker struct{}

// modulePath is the module's import path, e.g. github.com/teko-dev/teko.
var modulePath = strings.TrimSuffix(reflect.TypeOf(marker{}).PkgPath(), "/plugins/all")

// packageDir is the directory of the package that declares p's options.
func packageDir(t *testing.T, p *plugin.Plugin) string {
	t.Helper()
	typ := reflect.TypeOf(p.New())
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	rel, ok := strings.CutPrefix(typ.PkgPath(), modulePath+"/")
	require.True(t, ok, "%s: options type %s is declared outside the module", p.Name, typ)
	return filepath.Join(root, filepath.FromSlash(rel))
}

var binaryName = regexp.MustCompile(`^(check|metrics)-[a-z0-9]+(-[a-z0-9]+)*$`)

func TestRegistry(t *testing.T) {
	names := make([]string, 0, len(Plugins))
	for _, p := range Plugins {
		names = append(names, p.Name)
		assert.Regexp(t, binaryName, p.Name, "binary names are check-<thing> or metrics-<thing>")
		assert.NotEmpty(t, p.Description, p.Name)
		assert.NotContains(t, p.Description, "\n", p.Name)
		switch p.New().(type) {
		case plugin.Collector:
			assert.True(t, strings.HasPrefix(p.Name, "metrics-"), "%s is a metric plugin: its name must start with metrics-", p.Name)
		case plugin.Checker:
			assert.True(t, strings.HasPrefix(p.Name, "check-"), "%s is a check plugin: its name must start with check-", p.Name)
		}
		main, err := os.ReadFile(filepath.Join(root, "plugins", "cmd", p.Name, "main.go"))
		if assert.NoError(t, err, "%s needs plugins/cmd/%s/main.go so that go install names its binary %s", p.Name, p.Name, p.Name) {
			assert.Contains(t, string(main), "plugin.Main(", "plugins/cmd/%s/main.go", p.Name)
		}
	}
	assert.True(t, sort.StringsAreSorted(names), "keep Plugins sorted by name: %v", names)

	dirs, err := os.ReadDir(filepath.Join(root, "plugins", "cmd"))
	require.NoError(t, err)
	registered := map[string]bool{"teko": true}
	for _, n := range names {
		assert.False(t, registered[n], "%s is registered twice", n)
		registered[n] = true
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(root, "plugins", "cmd", d.Name(), "main.go")); err == nil {
			assert.True(t, registered[d.Name()], "plugins/cmd/%s is a plugin binary missing from all.Plugins", d.Name())
		}
	}
}

// TestConformance runs the conformance suite on every registered plugin:
// a plugin is covered by being registered.
func TestConformance(t *testing.T) {
	for _, p := range Plugins {
		t.Run(p.Name, func(t *testing.T) {
			conformance.Test(t, p)
			t.Run("README", func(t *testing.T) {
				path := filepath.Join(packageDir(t, p), "README.md")
				text, err := os.ReadFile(path)
				require.NoError(t, err, "every plugin has a README.md beside its code")
				if err := conformance.CheckREADME(p, string(text)); err != nil {
					t.Errorf("%s: %v", path, err)
				}
			})
		})
	}
}

// TestBinaries builds every binary the way "go install" names them and
// runs them as processes: each single binary, teko, and a symlink named
// after each plugin pointing at teko.
func TestBinaries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every binary")
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+string(os.PathSeparator), "./plugins/cmd/...")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	exe := func(name string) string {
		if runtime.GOOS == "windows" {
			name += ".exe"
		}
		return filepath.Join(bin, name)
	}

	code, list, _ := run(t, exe("teko"), "--help")
	assert.Equal(t, 0, code)
	for _, p := range Plugins {
		desc := p.Description
		if len(p.Aliases) > 0 {
			desc += " (also: " + strings.Join(p.Aliases, ", ") + ")"
		}
		assert.Regexp(t, `(?m)^  `+regexp.QuoteMeta(p.Name)+` +`+regexp.QuoteMeta(desc)+`$`, list)
		for _, alias := range p.Aliases {
			code, stdout, _ := run(t, exe("teko"), alias, "--version")
			assert.Equal(t, 0, code, alias)
			assert.Regexp(t, `^`+regexp.QuoteMeta(p.Name)+` \S+\n$`, stdout, "the alias %s runs %s", alias, p.Name)
		}

		code, stdout, stderr := run(t, exe(p.Name), "--version")
		assert.Equal(t, 0, code, p.Name)
		assert.Regexp(t, `^`+regexp.QuoteMeta(p.Name)+` \S+\n$`, stdout)
		assert.Empty(t, stderr)

		code, stdout, _ = run(t, exe("teko"), p.Name, "--no-such-flag")
		assert.Equal(t, 3, code, p.Name)
		assert.Contains(t, stdout, " UNKNOWN: unknown flag `no-such-flag'", p.Name)

		if runtime.GOOS != "windows" {
			link := filepath.Join(t.TempDir(), p.Name)
			require.NoError(t, os.Symlink(exe("teko"), link))
			code, stdout, _ = run(t, link, "--version")
			assert.Equal(t, 0, code, p.Name)
			assert.Regexp(t, `^`+regexp.QuoteMeta(p.Name)+` \S+\n$`, stdout)
		}
	}

	code, stdout, _ := run(t, exe("teko"), "check-nothing")
	assert.Equal(t, 3, code)
	assert.Equal(t, "teko UNKNOWN: unknown plugin \"check-nothing\" (teko --help lists them)\n", stdout)
}

func run(t *testing.T, name string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

// TestTopLevelREADMEListsEveryPlugin keeps the README's plugin table, where
// operators look first, in step with the registry.
func TestTopLevelREADMEListsEveryPlugin(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	for _, p := range Plugins {
		dir := filepath.Base(packageDir(t, p))
		row := "| [`" + p.Name + "`](plugins/" + dir + "/README.md) |"
		assert.Contains(t, string(readme), row, "README.md's plugin table has no row for %s", p.Name)
	}
}

// An alias (a Mackerel original's name) must not shadow a plugin's own
// name nor be claimed by two plugins: the multi-call binary would run
// the wrong one.
func TestAliasesAreUnique(t *testing.T) {
	owner := map[string]string{}
	for _, p := range Plugins {
		owner[p.Name] = p.Name
	}
	for _, p := range Plugins {
		for _, a := range p.Aliases {
			if o, taken := owner[a]; taken {
				t.Errorf("%s: alias %q is already %s's", p.Name, a, o)
			}
			owner[a] = p.Name
		}
	}
}
