package mounts

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin/servertest"
)

// df returns df's 1K-blocks, Used, Available and IUsed, IFree for dir.
func df(t *testing.T, dir string) (blocks, used, avail, iused, ifree uint64) {
	t.Helper()
	parse := func(args ...string) []uint64 {
		out, err := exec.Command("df", append(args, dir)...).Output()
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		f := strings.Fields(lines[len(lines)-1])
		var n []uint64
		for _, s := range f[1:4] {
			v, err := strconv.ParseUint(s, 10, 64)
			require.NoError(t, err, "df: %s", out)
			n = append(n, v)
		}
		return n
	}
	b := parse("-P", "-k")
	i := parse("-P", "-i")
	return b[0], b[1], b[2], i[1], i[2]
}

// A tmpfs mounted by the test and filled to a known level is found in the
// mount table and measured as statfs(2) and df measure it.
func TestRealTmpfs(t *testing.T) {
	dir := servertest.MountTmpfs(t, 8<<20, 1000)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fill"), make([]byte, 3<<20), 0o644))
	for i := range 10 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(i)), nil, 0o644))
	}
	ms, err := Read("")
	require.NoError(t, err)
	var m *Mount
	for i := range ms {
		if ms[i].Point == dir {
			m = &ms[i]
		}
	}
	require.NotNil(t, m, "%s not in /proc/self/mountinfo", dir)
	assert.Equal(t, "tmpfs", m.Type)
	assert.True(t, Filter{}.Keep(*m), "tmpfs is kept by default")

	u := Stat(context.Background(), []Mount{*m}, Options{})[0]
	require.NoError(t, u.Err)
	var st unix.Statfs_t
	require.NoError(t, unix.Statfs(dir, &st))
	assert.EqualValues(t, 8<<20, u.Total())
	assert.EqualValues(t, st.Blocks*uint64(st.Frsize), u.Total())
	assert.EqualValues(t, (st.Blocks-st.Bfree)*uint64(st.Frsize), u.Used())
	assert.EqualValues(t, 3<<20, u.Used(), "the 3 MiB written")
	assert.EqualValues(t, 1000, u.Files)
	assert.EqualValues(t, 12, u.InodesUsed(), "root directory, 11 files")

	blocks, used, avail, iused, ifree := df(t, dir)
	assert.Equal(t, blocks*1024, u.Total())
	assert.Equal(t, used*1024, u.Used())
	assert.Equal(t, avail*1024, u.Available())
	assert.Equal(t, iused, u.InodesUsed())
	assert.Equal(t, ifree, u.FilesFree)
	assert.InDelta(t, 37.5, u.UsedPercent(), 1e-9)
}

// A snap-like squashfs image is always 100% used; it is left out by
// default, and measured as df does when asked for.
func TestRealSquashfs(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(src, "a"), []byte(strings.Repeat("squash ", 20000)), 0o644))
	dir := servertest.MountSquashfs(t, src)
	ms, err := Read("")
	require.NoError(t, err)
	var m *Mount
	for i := range ms {
		if ms[i].Point == dir {
			m = &ms[i]
		}
	}
	require.NotNil(t, m, "%s not in /proc/self/mountinfo", dir)
	assert.Equal(t, "squashfs", m.Type)
	assert.True(t, m.ReadOnly())
	assert.False(t, Filter{}.Keep(*m), "squashfs is excluded by default")
	assert.True(t, Filter{IncludeTypes: []string{"squashfs"}}.Keep(*m))
	u := Stat(context.Background(), []Mount{*m}, Options{})[0]
	require.NoError(t, u.Err)
	blocks, used, avail, _, _ := df(t, dir)
	assert.Equal(t, blocks*1024, u.Total())
	assert.Equal(t, used*1024, u.Used())
	assert.Equal(t, avail*1024, u.Available())
	assert.InDelta(t, 100, u.UsedPercent(), 1e-9, "an image is full")
}

// The mount table of the running system parses, and its root is there.
func TestReadSelf(t *testing.T) {
	ms, err := Read("")
	require.NoError(t, err)
	assert.Contains(t, points(ms), "/")
}

// A real hung mount (a FUSE file system whose daemon never answers):
// statfs blocks in the kernel, and Stat reports it, named, after the
// timeout, with the other mounts read as usual.
func TestRealHungMount(t *testing.T) {
	hung := servertest.MountHung(t)
	tmp := servertest.MountTmpfs(t, 1<<20, 0)
	ms, err := Read("")
	require.NoError(t, err)
	var sel []Mount
	for _, m := range ms {
		if m.Point == hung || m.Point == tmp {
			sel = append(sel, m)
		}
	}
	require.Len(t, sel, 2)
	start := time.Now()
	us := Stat(context.Background(), sel, Options{Timeout: 300 * time.Millisecond})
	assert.Less(t, time.Since(start), 2*time.Second)
	for _, u := range us {
		if u.Mount.Point == hung {
			assert.EqualError(t, u.Err, hung+" (fuse.teko-hung): statfs did not answer within 300ms (a hung mount?)")
		} else {
			assert.NoError(t, u.Err)
			assert.EqualValues(t, 1<<20, u.Total())
		}
	}
}
