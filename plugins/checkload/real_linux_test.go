//go:build linux

package checkload_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
	"github.com/teko-dev/teko/plugins/checkload"
)

// The printed averages are the kernel's, as sysinfo(2) gives them in the
// same moment (the kernel recomputes them every 5 s: held between a read
// before and one after), and -r divides by the CPUs sched_getaffinity
// gives (this machine has no CPU quota, or the test says so). /proc/loadavg
// has two decimals: a hundredth of slack.
func TestRealLoadMatchesSysinfo(t *testing.T) {
	h := plugintest.New(t, checkload.Plugin)
	loads := func() [3]float64 {
		var si unix.Sysinfo_t
		require.NoError(t, unix.Sysinfo(&si))
		return [3]float64{float64(si.Loads[0]) / 65536, float64(si.Loads[1]) / 65536, float64(si.Loads[2]) / 65536}
	}
	re := regexp.MustCompile(`load average: ([0-9.]+), ([0-9.]+), ([0-9.]+)`)
	for _, perCPU := range []bool{false, true} {
		args := []string{"-w", "1000", "-c", "1000"}
		if perCPU {
			args = append(args, "-r")
		}
		before := loads()
		r := h.Run(args...)
		after := loads()
		require.Equal(t, 0, r.Code, r.Stdout)
		m := re.FindStringSubmatch(r.Stdout)
		require.NotNil(t, m, r.Stdout)
		div := 1.0
		if perCPU {
			var set unix.CPUSet
			require.NoError(t, unix.SchedGetaffinity(0, &set))
			div = float64(set.Count())
			want := fmt.Sprintf("divided by %d CPUs", set.Count())
			if set.Count() == 1 {
				want = "divided by 1 CPU"
			}
			if !assert.Contains(t, r.Stdout, want) {
				continue
			}
		}
		for i := range 3 {
			got, _ := strconv.ParseFloat(m[i+1], 64)
			lo, hi := min(before[i], after[i])/div, max(before[i], after[i])/div
			assert.True(t, got >= lo-0.011 && got <= hi+0.011, "load %d: %v not within [%v, %v]", i, got, lo, hi)
		}
	}
}

// loadBinary builds check-load for the tests that run it as a process
// with its own affinity or cgroup.
func loadBinary(t *testing.T) string {
	return plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-load")
}

// Under taskset the check may run on one CPU only: -r divides by 1.
func TestRealPerCPUUnderTaskset(t *testing.T) {
	taskset := servertest.Binary(t, "util-linux", "taskset")
	out, err := exec.Command(taskset, "-c", "0", loadBinary(t), "-w", "100000", "-c", "100000", "-r").CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "divided by 1 CPU\n")
}

// In a cgroup of its own with a CPU quota of half a CPU (cgroup v1
// cpu.cfs_quota_us, or v2 cpu.max, whichever this machine has for the
// cpu controller), -r divides by 0.5.
func TestRealPerCPUInACgroupWithAQuota(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a cgroup needs root")
	}
	b, err := os.ReadFile("/proc/self/cgroup")
	require.NoError(t, err)
	var dir string
	var files map[string]string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && slices.Contains(strings.Split(parts[1], ","), "cpu") {
			dir = filepath.Join("/sys/fs/cgroup", parts[1], parts[2])
			files = map[string]string{"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "50000"}
		}
	}
	if dir == "" {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if p, ok := strings.CutPrefix(line, "0::"); ok {
				dir = filepath.Join("/sys/fs/cgroup", p)
				files = map[string]string{"cpu.max": "50000 100000"}
			}
		}
	}
	if dir == "" {
		t.Skip("no cpu cgroup controller here")
	}
	cg := filepath.Join(dir, fmt.Sprintf("teko-checkload-%d", os.Getpid()))
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Skipf("cannot make a cgroup under %s: %v", dir, err)
	}
	defer os.Remove(cg) // empty again once the check has exited
	for name, v := range files {
		if err := os.WriteFile(filepath.Join(cg, name), []byte(v), 0o644); err != nil {
			t.Skipf("cannot set %s in %s (the cpu controller may not be enabled there): %v", name, cg, err)
		}
	}
	script := `echo $$ >"$1/cgroup.procs" && shift && exec "$@"`
	out, err := exec.Command("sh", "-c", script, "sh", cg, loadBinary(t), "-w", "100000", "-c", "100000", "-r").CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "divided by 0.5 CPUs (the cgroup's CPU quota, "+cg+"/")
}
