package metricsinode

import (
	"fmt"
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

	"github.com/teko-dev/teko/plugin/mounts"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// dfInodes returns df -iP's Inodes, IUsed and IFree of dir.
func dfInodes(t *testing.T, dir string) (total, used, free float64) {
	t.Helper()
	out, err := exec.Command("df", "-iP", dir).Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	f := strings.Fields(lines[len(lines)-1])
	n := make([]float64, 3)
	for i := range n {
		n[i], err = strconv.ParseFloat(f[i+1], 64)
		require.NoError(t, err, "df: %s", out)
	}
	return n[0], n[1], n[2]
}

func mountOf(t *testing.T, dir string) mounts.Mount {
	ms, err := mounts.Read("")
	require.NoError(t, err)
	for _, m := range ms {
		if m.Point == dir {
			return m
		}
	}
	t.Fatalf("%s is not in the mount table", dir)
	return mounts.Mount{}
}

// A loop-mounted ext4 image (a /dev/loopN source, as a disk's) filled with
// a known number of files, and a tmpfs with --all-mounts: every value is
// df -i's.
func TestRealFileSystems(t *testing.T) {
	ext := servertest.MountExt4(t, 16<<20, 2048)
	tmp := servertest.MountTmpfs(t, 1<<20, 300)
	for i := range 100 {
		require.NoError(t, os.WriteFile(filepath.Join(ext, fmt.Sprint("f", i)), nil, 0o644))
	}
	for i := range 30 {
		require.NoError(t, os.WriteFile(filepath.Join(tmp, fmt.Sprint("f", i)), nil, 0o644))
	}
	dev, ok := Name(mountOf(t, ext), false)
	require.True(t, ok)
	require.True(t, strings.HasPrefix(dev, "loop"), dev)
	tmpName, _ := Name(mountOf(t, tmp), true)

	h := plugintest.New(t, Plugin)
	v := h.Values(h.Run("--all-mounts", "--mount-timeout", "500ms"), "--all-mounts") // short: another test's hung mount may be there
	for _, c := range []struct{ name, dir string }{{dev, ext}, {tmpName, tmp}} {
		total, used, free := dfInodes(t, c.dir)
		assert.Equal(t, total, v["inode.count."+c.name+".total"], c.dir)
		assert.Equal(t, used, v["inode.count."+c.name+".used"], c.dir)
		assert.Equal(t, free, v["inode.count."+c.name+".free"], c.dir)
		assert.InDelta(t, used*100/total, v["inode.percentage."+c.name+".used"], 1e-9, c.dir)
	}
	assert.EqualValues(t, 31, v["inode.count."+tmpName+".used"], "the root directory and 30 files")

	v = h.Values(h.Run())
	assert.Contains(t, v, "inode.count."+dev+".used", "a device source is reported by default")
	assert.NotContains(t, v, "inode.count."+tmpName+".used", "tmpfs only with --all-mounts, as the original")
}

// A squashfs image (snaps) is never reported: its inodes are all "used".
func TestRealSquashfsLeftOut(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(src, "a"), []byte("x"), 0o644))
	img := servertest.MountSquashfs(t, src)
	dev, ok := Name(mountOf(t, img), false)
	require.True(t, ok)
	h := plugintest.New(t, Plugin)
	v := h.Values(h.Run())
	assert.NotContains(t, v, "inode.count."+dev+".used")
}

// A real hung mount is left out, named on stderr, after --mount-timeout;
// the other file systems are printed.
func TestRealHungMount(t *testing.T) {
	hung := servertest.MountHung(t)
	tmp := servertest.MountTmpfs(t, 1<<20, 100)
	name, _ := Name(mountOf(t, tmp), true)
	h := plugintest.New(t, Plugin)
	start := time.Now()
	r := h.Run("--all-mounts", "--mount-timeout", "300ms")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, 0, r.Code, r.Stderr)
	assert.Contains(t, r.Stdout, "inode.count."+name+".total\t100\t")
	assert.Contains(t, r.Stderr, "metrics-inode: left out: ")
	assert.Contains(t, r.Stderr, hung+" (fuse.teko-hung): statfs did not answer within 300ms (a hung mount?)")
}

// With --all-mounts two mount points whose names differ only in
// characters the metric name cannot hold ("/x/a b" and "/x/a_b") get one
// name: the second is left out (its figures would overwrite the first's),
// and stderr says which and why instead of dropping it without a word.
func TestRealNameClash(t *testing.T) {
	parent := servertest.MountTmpfs(t, 1<<20, 0)
	var dirs []string
	for i, name := range []string{"a b", "a_b"} {
		dir := filepath.Join(parent, name)
		require.NoError(t, os.Mkdir(dir, 0o755))
		require.NoError(t, unix.Mount("teko-test", dir, "tmpfs", 0, fmt.Sprintf("size=1m,nr_inodes=%d", 100*(i+1))))
		t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
		dirs = append(dirs, dir)
	}
	h := plugintest.New(t, Plugin)
	r := h.Run("--all-mounts", "--mount-timeout", "500ms")
	seg := clean(strings.Trim(dirs[0], "/"))
	v := h.Values(r, "--all-mounts", "--mount-timeout", "500ms")
	assert.Equal(t, 100.0, v["inode.count."+seg+".total"], "the first of the two in the mount table")
	assert.Contains(t, r.Stderr, dirs[1]+" is left out: its metric name "+seg+" is that of "+dirs[0])
}
