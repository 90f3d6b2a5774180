//go:build linux

package metricslinux_test

import (
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/procfs"
	"github.com/teko-dev/teko/plugin/servertest"
	"github.com/teko-dev/teko/plugins/metricslinux"
)

// ssCount counts the sockets ss lists in state, with the ss arguments
// given (-tanH: TCP only; -anH: every family, as the old plugin ran it).
func ssCount(t *testing.T, arg, state string) int {
	t.Helper()
	out, err := exec.Command("ss", arg).Output()
	require.NoError(t, err)
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case arg == "-tanH" && len(f) > 0 && f[0] == state:
			n++
		case arg == "-anH" && len(f) > 1 && f[1] == state:
			n++
		}
	}
	return n
}

// The socket states printed are the kernel's TCP sockets, as ss -t
// counts them at the same moment (other programs on the machine open
// and close connections, so the count is held between one taken before
// and one taken after the run), and they include the connections the
// test opens. Unix sockets, which the old plugin's "ss -na" counted as
// ESTAB, are not in them.
func TestRealSocketStates(t *testing.T) {
	if _, err := exec.LookPath("ss"); err != nil {
		t.Skip("ss (iproute2) is not installed: nothing to compare with")
	}
	addr := servertest.Hang(t, "tcp")
	for range 3 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
	}
	// unix stream connections: ESTAB for "ss -na", not TCP
	sock := servertest.Hang(t, "unix")
	for range 5 {
		c, err := net.Dial("unix", sock)
		require.NoError(t, err)
		defer c.Close()
	}
	time.Sleep(20 * time.Millisecond)

	h := plugintest.New(t, metricslinux.Plugin)
	estabBefore, listenBefore := ssCount(t, "-tanH", "ESTAB"), ssCount(t, "-tanH", "LISTEN")
	v := h.Values(h.Run("-type", "netstat"), "-type", "netstat")
	estabAfter, listenAfter := ssCount(t, "-tanH", "ESTAB"), ssCount(t, "-tanH", "LISTEN")
	assert.GreaterOrEqual(t, v["linux.ss.ESTAB"], 6.0, "the test's own three connections, both ends")
	assert.GreaterOrEqual(t, v["linux.ss.LISTEN"], 1.0)
	const slack = 4 // connections of other programs between the reads
	assert.InDelta(t, float64(estabBefore+estabAfter)/2, v["linux.ss.ESTAB"], float64(abs(estabAfter-estabBefore))/2+slack)
	assert.InDelta(t, float64(listenBefore+listenAfter)/2, v["linux.ss.LISTEN"], float64(abs(listenAfter-listenBefore))/2+slack)
	all := ssCount(t, "-anH", "ESTAB")
	assert.GreaterOrEqual(t, float64(all), v["linux.ss.ESTAB"]+10, "ss -na counts the unix connections as ESTAB too; the TCP count does not")
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// The rates are the kernel's counters' increase: each run is bracketed by
// reads of /proc/stat and /proc/diskstats, so the printed per-minute
// increase (the fake clock moves one minute) lies between what the
// kernel counted across the brackets.
func TestRealCountersAreTheKernels(t *testing.T) {
	var fsys procfs.FS
	h := plugintest.New(t, metricslinux.Plugin)
	args := []string{"-type", "proc_stat", "-type", "diskstats"}
	a, err := fsys.Stat()
	require.NoError(t, err)
	da := diskstats(t)
	h.Values(h.Run(args...), args...)
	b, err := fsys.Stat()
	require.NoError(t, err)
	db := diskstats(t)
	require.NoError(t, exec.Command("true").Run()) // at least one fork
	h.Advance(time.Minute)
	c, err := fsys.Stat()
	require.NoError(t, err)
	dc := diskstats(t)
	v := h.Values(h.Run(args...), args...)
	d, err := fsys.Stat()
	require.NoError(t, err)
	dd := diskstats(t)
	within := func(name string, got float64, lo, hi uint64) {
		t.Helper()
		assert.True(t, float64(lo) <= got && got <= float64(hi), "%s: %v not within [%d, %d]", name, got, lo, hi)
	}
	within("forks", v["linux.forks.forks"], c.Forks-b.Forks, d.Forks-a.Forks)
	assert.Positive(t, v["linux.forks.forks"])
	within("context switches", v["linux.context_switches.context_switches"], c.ContextSwitches-b.ContextSwitches, d.ContextSwitches-a.ContextSwitches)
	within("interrupts", v["linux.interrupts.interrupts"], c.Interrupts-b.Interrupts, d.Interrupts-a.Interrupts)
	devs, err := fsys.BlockDevices()
	require.NoError(t, err)
	for _, dev := range devs {
		name := "linux.disk.elapsed.iotime_" + dev.Name
		got, ok := v[name]
		if !dev.Physical() {
			assert.False(t, ok, name)
			continue
		}
		require.True(t, ok, name)
		within(name, got, dc[dev.Name].IOTicks-db[dev.Name].IOTicks, dd[dev.Name].IOTicks-da[dev.Name].IOTicks)
	}
}

func diskstats(t *testing.T) map[string]procfs.DiskStat {
	var fsys procfs.FS
	lines, err := fsys.DiskStats()
	require.NoError(t, err)
	m := map[string]procfs.DiskStat{}
	for _, l := range lines {
		m[l.Name] = l.DiskStat
	}
	return m
}
