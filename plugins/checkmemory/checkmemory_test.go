package checkmemory_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugins/checkmemory"
	"github.com/teko-dev/teko/plugins/conformance"
)

func harness(t *testing.T, meminfo string) *plugintest.Harness {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("reads a Linux procfs tree")
	}
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "meminfo"), []byte(meminfo), 0o644))
	h := plugintest.New(t, checkmemory.Plugin)
	h.Env["HOST_PROC"] = root
	return h
}

// 8 GiB, 2 GiB of it available (25%); 1 GiB of swap, 256 MiB free (25%).
const meminfo = `MemTotal:        8388608 kB
MemFree:          100000 kB
MemAvailable:    2097152 kB
Buffers:           10000 kB
Cached:          3000000 kB
SwapTotal:       1048576 kB
SwapFree:         262144 kB
HugePages_Total:       0
`

func TestThresholds(t *testing.T) {
	h := harness(t, meminfo)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, 0}, // 10% and 5% by default
		{[]string{"-w", "30%"}, 1},
		{[]string{"-w", "30%", "-c", "25.1%"}, 2},
		{[]string{"-w", "25%"}, 0}, // at the threshold is not below it
		{[]string{"-w", "3GiB", "-c", "1G"}, 1},
		{[]string{"-w", "3GiB", "-c", "2049M"}, 2},
		{[]string{"-w", "2048MiB"}, 0},
		{[]string{"--swap-warning", "30%"}, 1},
		{[]string{"--swap-critical", "300MiB"}, 2},
		{[]string{"--swap-warning", "20%", "--swap-critical", "256M"}, 0},
		{[]string{"-w", "30%", "--swap-critical", "50%"}, 2}, // the worst of memory and swap
	} {
		r := h.Run(tc.args...)
		assert.Equal(t, tc.code, r.Code, "%v: %s", tc.args, r.Stdout)
		assert.Contains(t, r.Stdout, ": 2.0GiB of 8.0GiB memory available (25.0%)", "%v", tc.args)
	}
	r := h.Run("-w", "30%", "-c", "1GiB", "--swap-warning", "10%", "--format", "nagios")
	assert.Equal(t, "MEMORY WARNING: 2.0GiB of 8.0GiB memory available (25.0%); 256.0MiB of 1.0GiB swap free (25.0%)"+
		" | available=2147483648B;;1073741824:;0;8589934592 available_pct=25%;30:;;0;100 swap_free=268435456B;;;0;1073741824 swap_free_pct=25%;10:;;0;100\n", r.Stdout)
}

func TestOlderKernelAndNoSwap(t *testing.T) {
	h := harness(t, "MemTotal: 4000000 kB\nMemFree: 500000 kB\nBuffers: 100000 kB\nCached: 1400000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n")
	r := h.Run("-w", "60%", "--swap-critical", "50%")
	assert.Equal(t, 1, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "1.9GiB of 3.8GiB memory available (50.0%); no swap")
	assert.Contains(t, r.Stdout, "estimated as MemFree + Buffers + Cached + SReclaimable")
	assert.Contains(t, r.Stdout, "swap is not checked: the system has none")
}

func TestBadInput(t *testing.T) {
	h := harness(t, meminfo)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-w", "10"}, `"10": say what it is: a percentage (10%) or a size with its unit`},
		{[]string{"-w", "120%"}, `"120%" is not a percentage from 0% to 100%`},
		{[]string{"-c", "lots"}, `"lots": say what it is`},
		{[]string{"-c", "xMiB"}, `"xMiB" is not a size`},
	} {
		r := h.Run(tc.args...)
		assert.Equal(t, 3, r.Code, "%v", tc.args)
		assert.Contains(t, r.Stdout, tc.want, "%v", tc.args)
	}
	h = harness(t, "Hello: world\n")
	r := h.Run()
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, "MEMORY UNKNOWN: ")
}

func TestConformance(t *testing.T) {
	conformance.Test(t, checkmemory.Plugin)
}

// A meminfo without the lines a figure needs (a truncated file, a
// container's stand-in) is UNKNOWN naming the line, not a CRITICAL
// "0B available" nor a CRITICAL "0B of swap free".
func TestMissingLines(t *testing.T) {
	r := harness(t, "MemTotal: 4000000 kB\n").Run()
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "MEMORY UNKNOWN: ")
	assert.Contains(t, r.Stdout, "neither MemAvailable nor MemFree")

	r = harness(t, "MemTotal: 4000000 kB\nMemAvailable: 2000000 kB\nSwapTotal: 1000000 kB\n").Run("--swap-critical", "10%")
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "no SwapFree")
}
