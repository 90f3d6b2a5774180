package proctable_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugins/checkprocs/proctable"
)

// The ps table of darwin and FreeBSD never runs on Linux in production,
// but procps' ps takes the same arguments: run it here and hold it to
// what /proc says, so that its parsing and loading are tested for real.
func TestPSTableAgreesWithProc(t *testing.T) {
	if _, err := exec.LookPath("/bin/ps"); err != nil {
		t.Skip("no /bin/ps (Debian package procps)")
	}
	sleeper := startSleeper(t, "ps  check", "", "end")
	ps, err := proctable.ReadPS(context.Background(), proctable.All)
	require.NoError(t, err)
	proc, err := proctable.Read(context.Background(), proctable.All)
	require.NoError(t, err)

	for _, pid := range []int{sleeper.Process.Pid, os.Getpid()} {
		viaPS, viaProc := ps.Find(pid), proc.Find(pid)
		require.NotNil(t, viaPS, "ps does not list %d", pid)
		require.NotNil(t, viaProc)
		require.NoError(t, viaPS.Load(proctable.All))
		require.NoError(t, viaProc.Load(proctable.All))
		assert.Equal(t, proctable.All, viaPS.Loaded())
		assert.Equal(t, viaProc.PPID, viaPS.PPID)
		assert.Equal(t, viaProc.Name, viaPS.Name)
		assert.Equal(t, viaProc.UID, viaPS.UID)
		// Threads and memory move between the two reads (this test
		// process starts threads to run ps): compared loosely, and for
		// the sleeper only.
		assert.InDelta(t, viaProc.Elapsed.Seconds(), viaPS.Elapsed.Seconds(), 2)
		assert.InDelta(t, viaProc.CPUTime.Seconds(), viaPS.CPUTime.Seconds(), 2)
		assert.NotZero(t, viaPS.RSS)
		assert.NotZero(t, viaPS.VSZ)
		assert.Positive(t, viaPS.Threads)
	}
	// ps joins argv with single spaces, as /proc is read: an empty
	// argument shows as a double space.
	viaPS, viaProc := ps.Find(sleeper.Process.Pid), proc.Find(sleeper.Process.Pid)
	assert.InDelta(t, viaProc.Threads, viaPS.Threads, 2)
	assert.InDelta(t, float64(viaProc.VSZ), float64(viaPS.VSZ), 64<<20)
	assert.InDelta(t, float64(viaProc.RSS), float64(viaPS.RSS), 16<<20)
	assert.Equal(t, sleeper.Path+" ps  check  end", viaPS.Args)
	assert.Equal(t, byte('S'), viaPS.State)
	for _, p := range ps.Processes {
		assert.NotContains(t, p.Args, "/bin/ps -axww", "ps does not list itself")
	}
}

// A name loaded later, by its own ps run, for a process that has exited
// by then: ErrGone, as from /proc.
func TestPSTableLoadsNamesLaterAndKnowsTheGone(t *testing.T) {
	if _, err := exec.LookPath("/bin/ps"); err != nil {
		t.Skip("no /bin/ps (Debian package procps)")
	}
	sleeper := startSleeper(t, "late", "name")
	tab, err := proctable.ReadPS(context.Background(), proctable.Args)
	require.NoError(t, err)
	p := tab.Find(sleeper.Process.Pid)
	require.NotNil(t, p)
	assert.Equal(t, proctable.Args|proctable.PPID|proctable.State|proctable.Times|proctable.Memory|proctable.UID|proctable.Threads, p.Loaded())
	require.NoError(t, p.Load(proctable.Name))
	assert.Equal(t, "proctable.test", p.Name)
	assert.Equal(t, strconv.Itoa(os.Getuid()), p.UID)

	gone := startSleeper(t, "gone")
	tab, err = proctable.ReadPS(context.Background(), proctable.Args)
	require.NoError(t, err)
	require.NoError(t, gone.Process.Kill())
	_ = gone.Wait() // reaped: the PID is free
	p = tab.Find(gone.Process.Pid)
	require.NotNil(t, p)
	assert.ErrorIs(t, p.Load(proctable.Name), proctable.ErrGone)
}
