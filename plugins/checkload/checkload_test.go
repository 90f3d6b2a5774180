package checkload_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugins/checkload"
	"github.com/teko-dev/teko/plugins/conformance"
)

func TestMain(m *testing.M) { os.Exit(plugintest.RunTests(m)) }

// tree writes a procfs and sysfs fixture and points the harness at it.
func tree(t *testing.T, files map[string]string) *plugintest.Harness {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	h := plugintest.New(t, checkload.Plugin)
	h.Env["HOST_PROC"] = filepath.Join(root, "proc")
	h.Env["HOST_SYS"] = filepath.Join(root, "sys")
	return h
}

func linuxOnly(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads a Linux procfs tree")
	}
}

func TestThresholds(t *testing.T) {
	linuxOnly(t)
	h := tree(t, map[string]string{"proc/loadavg": "2.50 1.20 0.70 3/400 999\n"})
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"-w", "4,3,2", "-c", "8,6,4"}, 0},
		{[]string{"-w", "2.5,3,2", "-c", "8,6,4"}, 0}, // at the threshold is not above it
		{[]string{"-w", "2,3,2", "-c", "8,6,4"}, 1},
		{[]string{"-w", "4,3,0.5", "-c", "8,6,4"}, 1}, // the 15 minute average alone
		{[]string{"-w", "0,0,0", "-c", "8,1,4"}, 2},   // critical wins over warning
		{[]string{"-w", "0", "-c", "0"}, 2},           // one number for all three
	} {
		r := h.Run(append(tc.args, "--format", "nagios")...)
		assert.Equal(t, tc.code, r.Code, "%v: %s", tc.args, r.Stdout)
		assert.Contains(t, r.Stdout, "load average: 2.50, 1.20, 0.70 | load1=2.5;")
	}
	r := h.Run("-w", "4,3,2", "-c", "8,6,4", "--format", "nagios")
	assert.Equal(t, "LOAD OK: load average: 2.50, 1.20, 0.70 | load1=2.5;4;8;0 load5=1.2;3;6;0 load15=0.7;2;4;0\n", r.Stdout)
	r = h.Run("-w", "4,3,2", "-c", "8,6,4")
	assert.Equal(t, "LOAD OK: load average: 2.50, 1.20, 0.70\n", r.Stdout, "the old plugin's message, unchanged")
}

// -r divides by the CPUs the check may use: the affinity mask, or the
// cgroup's CPU quota where it is lower. The old plugin divided by the
// affinity count alone, so a container limited to half a CPU on a
// 16-CPU host saw a 32th of its real load.
func TestPerCPUHonoursTheCgroupQuota(t *testing.T) {
	linuxOnly(t)
	h := tree(t, map[string]string{
		"proc/loadavg":          "1.00 0.50 0.25 1/100 5\n",
		"proc/self/status":      "Name:\tx\nCpus_allowed_list:\t0-15\n",
		"proc/self/cgroup":      "0::/\n",
		"sys/fs/cgroup/cpu.max": "50000 100000\n",
	})
	r := h.Run("-w", "1.5,1.5,1.5", "-c", "3,3,3", "-r", "--format", "nagios")
	assert.Equal(t, 1, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "LOAD WARNING: load average: 2.00, 1.00, 0.50 | load1=2;1.5;3;0")
	assert.Contains(t, r.Stdout, "divided by 0.5 CPUs (the cgroup's CPU quota")

	h = tree(t, map[string]string{
		"proc/loadavg":     "1.00 0.50 0.25 1/100 5\n",
		"proc/self/status": "Name:\tx\nCpus_allowed_list:\t0-3\n",
		"proc/self/cgroup": "0::/\n",
	})
	r = h.Run("-w", "1,1,1", "-c", "2,2,2", "--percpu")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "LOAD OK: load average: 0.25, 0.12, 0.06") // %.2f of 0.125 and 0.0625
}

func TestBadInput(t *testing.T) {
	linuxOnly(t)
	h := tree(t, map[string]string{"proc/loadavg": "garbage\n"})
	for args, want := range map[[4]string]string{
		{"-w", "1,2", "-c", "3"}:        `"1,2": want three numbers`,
		{"-w", "1,x,2", "-c", "3"}:      `"x" is not a load average`,
		{"--warning=-1", "-c", "3", ""}: `"-1" is not a load average`,
		{"-w", "1", "-c", "NaN"}:        `"NaN" is not a load average`,
		{"-w", "1", "-c", "3"}:          `want three load averages`,
		{"-w", "1", "--percpu", ""}:     `the required flag`,
	} {
		var a []string
		for _, s := range args {
			if s != "" {
				a = append(a, s)
			}
		}
		r := h.Run(a...)
		assert.Equal(t, 3, r.Code, "%v", a)
		assert.Contains(t, r.Stdout, "LOAD UNKNOWN: ")
		assert.Contains(t, r.Stdout, want, "%v", a)
	}
	h.Env["HOST_PROC"] = filepath.Join(t.TempDir(), "none")
	r := h.Run("-w", "1", "-c", "2")
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, "loadavg: no such file or directory")
}

func TestConformance(t *testing.T) {
	conformance.Test(t, checkload.Plugin)
}
