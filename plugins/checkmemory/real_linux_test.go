//go:build linux

package checkmemory_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/procfs"
	"github.com/teko-dev/teko/plugins/checkmemory"
)

// The total in the perfdata is the kernel's (sysinfo(2)), and the
// available memory lies between MemAvailable read just before and just
// after the run.
func TestRealMemoryIsTheKernels(t *testing.T) {
	var fsys procfs.FS
	var si unix.Sysinfo_t
	require.NoError(t, unix.Sysinfo(&si))
	h := plugintest.New(t, checkmemory.Plugin)
	before, err := fsys.MemInfo()
	require.NoError(t, err)
	r := h.Run("-w", "0%", "-c", "0%", "--format", "nagios")
	after, err := fsys.MemInfo()
	require.NoError(t, err)
	require.Equal(t, 0, r.Code, r.Stdout)
	m := regexp.MustCompile(`available=(\d+)B;;;0;(\d+)`).FindStringSubmatch(r.Stdout)
	require.NotNil(t, m, r.Stdout)
	avail, _ := strconv.ParseUint(m[1], 10, 64)
	total, _ := strconv.ParseUint(m[2], 10, 64)
	assert.Equal(t, uint64(si.Totalram)*uint64(si.Unit), total)
	lo, hi := min(before["MemAvailable"], after["MemAvailable"]), max(before["MemAvailable"], after["MemAvailable"])
	const slack = 64 << 20 // other programs on the machine
	assert.True(t, avail+slack >= lo && avail <= hi+slack, "%d not within [%d, %d]", avail, lo, hi)
}
