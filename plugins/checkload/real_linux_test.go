//go:build linux

package checkload_test

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin/plugintest"
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
			if !assert.Contains(t, r.Stdout, fmt.Sprintf("divided by %d CPUs", set.Count())) {
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
