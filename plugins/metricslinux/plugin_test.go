package metricslinux_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/procfs"
	"github.com/teko-dev/teko/plugins/conformance"
	"github.com/teko-dev/teko/plugins/metricslinux"
)

func TestMain(m *testing.M) { os.Exit(plugintest.RunTests(m)) }

// copyTree copies a procfs fixture tree (symlinks kept) into a temp dir
// that the test may change.
func copyTree(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("..", "..", "plugin", "procfs", "testdata", name)
	out, err := exec.Command("cp", "-a", src+"/.", dst).CombinedOutput()
	require.NoError(t, err, string(out))
	return dst
}

// fixture points the plugin at a tree: HOST_PROC, HOST_SYS and HOST_RUN
// in the harness's environment and, for the graph definitions, the
// process's.
func fixture(t *testing.T, h *plugintest.Harness, root string) {
	for k, sub := range map[string]string{"HOST_PROC": "proc", "HOST_SYS": "sys", "HOST_RUN": "run"} {
		h.Env[k] = filepath.Join(root, sub)
		t.Setenv(k, filepath.Join(root, sub))
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

// Every value the old plugin printed, from a fixture tree whose counters
// the test advances between two runs a minute apart: counters come out
// as the increase per minute, gauges as read.
func TestAllTypesFromAFixtureTree(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("fixture trees hold symlinks")
	}
	root := copyTree(t, "linux-3.10-cgroup1")
	var utmp []byte
	utmp = procfs.AppendUtmp(utmp, procfs.UtmpEntry{Type: procfs.UtmpUserProcess, PID: 1, Line: "pts/0", User: "alice"})
	utmp = procfs.AppendUtmp(utmp, procfs.UtmpEntry{Type: procfs.UtmpUserProcess, PID: 2, Line: "pts/1", User: "bob"})
	utmp = procfs.AppendUtmp(utmp, procfs.UtmpEntry{Type: procfs.UtmpUserProcess, PID: 3, Line: "pts/2", User: "carol"}) // exited: no /proc/3
	utmp = procfs.AppendUtmp(utmp, procfs.UtmpEntry{Type: procfs.UtmpLoginProcess, PID: 4, Line: "tty1", User: "LOGIN"})
	write(t, filepath.Join(root, "run", "utmp"), string(utmp))
	write(t, filepath.Join(root, "proc", "1", "stat"), "")
	write(t, filepath.Join(root, "proc", "2", "stat"), "")

	h := plugintest.New(t, metricslinux.Plugin)
	fixture(t, h, root)
	first := h.Values(h.Run())
	assert.Equal(t, map[string]float64{
		"linux.ss.ESTAB": 2, "linux.ss.LISTEN": 2, "linux.ss.TIME-WAIT": 1, "linux.ss.CLOSE-WAIT": 1,
		"linux.ss.SYN-SENT": 0, "linux.ss.SYN-RECV": 0, "linux.ss.FIN-WAIT-1": 0, "linux.ss.FIN-WAIT-2": 0,
		"linux.ss.UNCONN": 0, "linux.ss.LAST-ACK": 0, "linux.ss.CLOSING": 0, "linux.ss.UNKNOWN": 0,
		"linux.users.users": 2,
	}, first, "the first run has no previous counters: gauges only")

	// a minute later: 120 more interrupts, 60 more context switches, 30
	// forks, 6 pages swapped in, 600 ms more I/O time on sda and fioa
	write(t, filepath.Join(root, "proc", "stat"), "cpu  1 2 3 4 5 6 7 8 9 10\nintr 123576 1\nctxt 987714\nbtime 1700000000\nprocesses 4351\n")
	write(t, filepath.Join(root, "proc", "vmstat"), "pswpin 83\npswpout 88\n")
	sda := filepath.Join(root, "sys", "devices", "pci0000_00", "0000_00_1f.2", "ata1", "host0", "target0_0_0", "0_0_0_0", "block", "sda", "stat")
	write(t, sda, "5100 100 80000 3300 6000 200 96000 4120 0 5600 7900\n")
	h.Advance(time.Minute)
	second := h.Values(h.Run())
	for name, want := range map[string]float64{
		"linux.interrupts.interrupts":             120,
		"linux.context_switches.context_switches": 60,
		"linux.forks.forks":                       30,
		"linux.swap.pswpin":                       6,
		"linux.swap.pswpout":                      0,
		"linux.disk.elapsed.iotime_sda":           600,
		"linux.disk.elapsed.iotime_weighted_sda":  900,
		"linux.disk.rwtime.tsreading_sda":         300,
		"linux.disk.rwtime.tswriting_sda":         120,
		"linux.disk.elapsed.iotime_fioa":          0,
	} {
		assert.Equal(t, want, second[name], name)
	}
	for name := range second {
		for _, skipped := range []string{"sr0", "loop0", "dm-0"} {
			assert.NotContains(t, name, skipped, "removable and virtual devices are not graphed")
		}
	}
}

func TestTypesAndTheirEnvironmentVariable(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("fixture trees hold symlinks")
	}
	root := copyTree(t, "linux-5.4-cgroup2")
	h := plugintest.New(t, metricslinux.Plugin)
	fixture(t, h, root)
	v := h.Values(h.Run("-type", "netstat"), "-type", "netstat")
	assert.Len(t, v, 12)
	assert.Equal(t, 1.0, v["linux.ss.SYN-RECV"], "a pending connection request (NEW_SYN_RECV) is SYN-RECV, as ss shows it")
	h.Env["ENVVAR_TYPE"] = "netstat"
	t.Setenv("ENVVAR_TYPE", "netstat")
	assert.Equal(t, v, h.Values(h.Run()))
	meta := h.Meta("-p", "swap")
	assert.Contains(t, meta.Stdout, `"linux.swap"`)
	assert.NotContains(t, meta.Stdout, `"linux.ss"`, "-p chooses the type, over $ENVVAR_TYPE")

	r := h.Run("-type", "disk")
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, `--type "disk": want all, swap, netstat, diskstats, proc_stat, users`)

	// An unknown type in $ENVVAR_TYPE is refused too (the old plugin
	// collected nothing for it; collecting everything instead would be a
	// silent change of what is posted).
	h.Env["ENVVAR_TYPE"] = "netstat,disk"
	r = h.Run()
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stderr, `$ENVVAR_TYPE "disk": want all, swap, netstat, diskstats, proc_stat, users`)
}

// A kernel without utmp (a container) has no user count: the old plugin
// printed who's empty output as 0 users; this one says why on stderr and
// prints the rest.
func TestNoUtmpIsNoCount(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("fixture trees hold symlinks")
	}
	root := copyTree(t, "linux-5.4-cgroup2")
	h := plugintest.New(t, metricslinux.Plugin)
	fixture(t, h, root)
	r := h.Run()
	v := h.Values(r)
	assert.NotContains(t, v, "linux.users.users")
	assert.Contains(t, r.Stderr, "utmp does not exist, so the logged-in users cannot be counted")
	assert.Contains(t, v, "linux.ss.LISTEN")

	r = h.Run("-type", "users")
	assert.Equal(t, 3, r.Code, "nothing at all could be read")
	assert.Empty(t, r.Stdout)

	// with utmp and nobody logged in, 0 is the count, and it is printed
	// (mackerel-agent-plugins#866: the users graph had gaps at 0)
	utmp := procfs.AppendUtmp(nil, procfs.UtmpEntry{Type: procfs.UtmpBootTime, Line: "~", User: "reboot"})
	utmp = procfs.AppendUtmp(utmp, procfs.UtmpEntry{Type: procfs.UtmpDeadProcess, PID: 77, Line: "pts/0"})
	write(t, filepath.Join(root, "run", "utmp"), string(utmp))
	v = h.Values(h.Run("-type", "users"), "-type", "users")
	assert.Equal(t, map[string]float64{"linux.users.users": 0}, v)
}

func TestConformance(t *testing.T) {
	conformance.Test(t, metricslinux.Plugin)
}

func TestMetaListsThePhysicalDevices(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("fixture trees hold symlinks")
	}
	root := copyTree(t, "linux-3.10-cgroup1")
	h := plugintest.New(t, metricslinux.Plugin)
	fixture(t, h, root)
	meta := h.Meta().Stdout
	for _, want := range []string{`"iotime_sda"`, `"sda IO Time"`, `"iotime_weighted_fioa"`, `"tswriting_sda"`, `"sda Write"`, `"Linux Network Connection States"`, `{"name":"UNCONN","label":"Close","stacked":true}`} {
		assert.Contains(t, meta, want)
	}
	assert.False(t, strings.Contains(meta, "sr0") || strings.Contains(meta, "loop0"))
}

// -t is the old plugin's --tempfile: its directory keeps the state.
func TestShortTIsTheTempfile(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	dir := filepath.Join(t.TempDir(), "state")
	h := plugintest.New(t, metricslinux.Plugin)
	r := h.Run("-t", filepath.Join(dir, "mackerel-plugin-linux"), "-type", "proc_stat")
	require.Equal(t, 0, r.Code, r.Stdout+r.Stderr)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.NotEmpty(t, entries, "the state is in -t's directory")
	r = h.Run("--timeout", "5s", "-type", "proc_stat")
	assert.Equal(t, 0, r.Code, r.Stdout+r.Stderr)
}
