package checkdisk

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// fill writes n bytes into a new file in dir.
func fill(t *testing.T, dir, name string, n int) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), make([]byte, n), 0o644))
}

// dfBytes returns df's size, used and available bytes of dir.
func dfBytes(t *testing.T, dir string) (size, used, avail uint64) {
	t.Helper()
	out, err := exec.Command("df", "-P", "-B1", dir).Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	f := strings.Fields(lines[len(lines)-1])
	n := make([]uint64, 3)
	for i := range n {
		n[i], err = strconv.ParseUint(f[i+1], 10, 64)
		require.NoError(t, err, "df: %s", out)
	}
	return n[0], n[1], n[2]
}

var lineRE = regexp.MustCompile(`Path: (.+), All: ([0-9.]+) (\S+), Used: ([0-9.]+) (\S+), Free: ([0-9.]+) (\S+), Free percentage: ([0-9.]+)(?: \(inodes ([0-9.]+)\))?`)

// Every unit the original documents works, -u MB (the default, which
// the original refuses when given) included, and the numbers are
// statfs's and df's.
func TestRealTmpfsUnits(t *testing.T) {
	dir := servertest.MountTmpfs(t, 16<<20, 0)
	fill(t, dir, "data", 12<<20)
	var st unix.Statfs_t
	require.NoError(t, unix.Statfs(dir, &st))
	size, used, avail := dfBytes(t, dir)
	require.Equal(t, st.Blocks*uint64(st.Frsize), size)
	require.Equal(t, st.Bavail*uint64(st.Frsize), avail)
	require.EqualValues(t, 12<<20, used)

	h := plugintest.New(t, Plugin)
	for _, c := range []struct {
		flag, name string
		size       float64
	}{{"bytes", "bytes", 1}, {"kB", "kB", 1 << 10}, {"kb", "kB", 1 << 10}, {"MB", "MB", 1 << 20}, {"mb", "MB", 1 << 20}, {"GB", "GB", 1 << 30}, {"TB", "TB", 1 << 40}, {"", "MB", 1 << 20}} {
		args := []string{"-p", dir}
		if c.flag != "" {
			args = append(args, "-u", c.flag)
		}
		r := h.Run(args...)
		require.Equal(t, 0, r.Code, "%v: %s", args, r.Stdout)
		m := lineRE.FindStringSubmatch(r.Stdout)
		require.NotNil(t, m, r.Stdout)
		assert.Equal(t, dir, m[1])
		assert.Equal(t, fmt.Sprintf("%.2f", float64(size)/c.size), m[2], "All, -u %s", c.flag)
		assert.Equal(t, fmt.Sprintf("%.2f", float64(used)/c.size), m[4], "Used, -u %s", c.flag)
		assert.Equal(t, fmt.Sprintf("%.2f", float64(avail)/c.size), m[6], "Free is df's Available, -u %s", c.flag)
		assert.Equal(t, []string{c.name, c.name, c.name}, []string{m[3], m[5], m[7]})
		assert.Equal(t, fmt.Sprintf("%.2f", float64(avail)*100/float64(used+avail)), m[8])
	}
}

// Thresholds just around the measured values: N units and N% compare
// with what users can write (df's Available), and the message names the
// file system that tripped, not the healthy one beside it.
func TestRealThresholds(t *testing.T) {
	full := servertest.MountTmpfs(t, 16<<20, 100)
	roomy := servertest.MountTmpfs(t, 8<<20, 100)
	fill(t, full, "data", 12<<20) // 4 MiB = 25% available
	fill(t, roomy, "data", 1<<20)
	for i := range 78 { // with the root directory and "data": 80 of 100 inodes, 20% free
		fill(t, full, fmt.Sprint("f", i), 0)
	}
	_, _, avail := dfBytes(t, full)
	require.EqualValues(t, 4<<20, avail)
	var st unix.Statfs_t
	require.NoError(t, unix.Statfs(full, &st))
	require.EqualValues(t, 100, st.Files)
	require.EqualValues(t, 20, st.Ffree)

	h := plugintest.New(t, Plugin)
	both := []string{"-p", full, "-p", roomy}
	run := func(args ...string) plugintest.Result { return h.Run(append(both, args...)...) }

	r := run("-w", "25%", "-c", "4")
	assert.Equal(t, 0, r.Code, "exactly at the thresholds is not below them: %s", r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk OK: 2 file systems; the fullest is "+full+" at 25.00% free\n"), r.Stdout)

	r = run("-w", "25.5%")
	assert.Equal(t, 1, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk WARNING: "+full+": 25.00% available, below the warning 25.5%\n"), r.Stdout)
	assert.NotContains(t, strings.SplitN(r.Stdout, "\n", 2)[0], roomy)

	r = run("-w", "50%", "-c", "4.5")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk CRITICAL: "+full+": 4.00 MB available, below the critical 4.5 MB\n"), r.Stdout)

	r = run("-c", "4097", "-u", "kB")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, full+": 4096.00 kB available, below the critical 4097 kB")
	r = run("-c", "4096", "-u", "kB")
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = run("-c", "4194305", "-u", "bytes")
	assert.Equal(t, 2, r.Code, r.Stdout)

	r = run("-K", "20%")
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = run("-W", "20.5%", "-K", "10%")
	assert.Equal(t, 1, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk WARNING: "+full+": 20.00% of inodes free, below the warning 20.5%\n"), r.Stdout)

	// Nagios perfdata: available bytes, the thresholds as "alert below".
	r = run("-w", "50%", "--format", "nagios")
	assert.Contains(t, r.Stdout, fmt.Sprintf(" %s=4194304B;8388608:;;0;16777216 %s=7340032B;4194304:;;0;8388608\n", full, roomy))
}

// A snap-like squashfs image is always 100% used: by default it is not
// checked at all, a tmpfs beside it is; asked for by type, it is.
func TestRealSquashfs(t *testing.T) {
	src := t.TempDir()
	fill(t, src, "blob", 200000)
	img := servertest.MountSquashfs(t, src)
	tmp := servertest.MountTmpfs(t, 1<<20, 0)
	h := plugintest.New(t, Plugin)

	// Another test's hung mount may be there: a short --mount-timeout.
	r := h.Run("-c", "1%", "-X", "nfs", "-X", "nfs4", "-X", "cifs", "-X", "fuse.sshfs", "--mount-timeout", "500ms")
	assert.NotContains(t, r.Stdout, img, "squashfs is left out by default")
	assert.Contains(t, r.Stdout, "Path: "+tmp+",", "tmpfs is checked by default")

	r = h.Run("-N", "squashfs", "-p", img, "-c", "1%")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk CRITICAL: "+img+": 0.00% available, below the critical 1%\n"), r.Stdout)
	size, used, _ := dfBytes(t, img)
	m := lineRE.FindStringSubmatch(r.Stdout)
	require.NotNil(t, m)
	assert.Equal(t, fmt.Sprintf("%.2f", float64(size)/(1<<20)), m[2])
	assert.Equal(t, fmt.Sprintf("%.2f", float64(used)/(1<<20)), m[4])
}

// A directory that is not a mount point means the file system that
// holds it.
func TestRealPathInsideMount(t *testing.T) {
	dir := servertest.MountTmpfs(t, 2<<20, 0)
	sub := filepath.Join(dir, "var", "lib")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	r := plugintest.New(t, Plugin).Run("-p", sub)
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk OK: Path: "+dir+", All: 2.00 MB"), r.Stdout)
}

// A real hung mount (a FUSE file system whose daemon never answers, as a
// dead NFS server's): the check ends after --mount-timeout, names it, and
// still judges the others — a full tmpfs beside it is CRITICAL.
func TestRealHungMount(t *testing.T) {
	hung := servertest.MountHung(t)
	full := servertest.MountTmpfs(t, 1<<20, 0)
	fill(t, full, "data", 1<<20)
	h := plugintest.New(t, Plugin)
	start := time.Now()
	// -p keeps out the mounts of tests running beside this one.
	r := h.Run("-p", hung, "-p", full, "--mount-timeout", "300ms")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, 3, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk UNKNOWN: "+hung+" (fuse.teko-hung): statfs did not answer within 300ms (a hung mount?)\n"), r.Stdout)
	assert.Contains(t, r.Stdout, "Path: "+full+",")

	r = h.Run("-p", hung, "-p", full, "--mount-timeout", "0.3", "-c", "10%")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk CRITICAL: "+full+": 0.00% available, below the critical 10%; "+hung+" (fuse.teko-hung): statfs did not answer"), r.Stdout)
}

// A read-only mount cannot fill up and nothing can be freed on it through
// that mount: like a squashfs image it is not checked by default (this
// machine's own example: a 4 KiB read-only tmpfs made "-u MB -w 100 -c 50"
// CRITICAL for ever). Named with -p, or its type with -N, it is checked.
func TestRealReadOnlyMount(t *testing.T) {
	ro := servertest.MountTmpfs(t, 64<<10, 0)
	fill(t, ro, "data", 64<<10) // full
	require.NoError(t, unix.Mount("", ro, "", unix.MS_REMOUNT|unix.MS_RDONLY, ""))
	rw := servertest.MountTmpfs(t, 1<<20, 0)
	h := plugintest.New(t, Plugin)

	r := h.Run("-c", "1%", "-X", "nfs", "-X", "nfs4", "-X", "cifs", "-X", "fuse.sshfs", "-X", "fuse.teko-hung", "--mount-timeout", "500ms")
	assert.NotContains(t, r.Stdout, ro, "a read-only mount is left out by default")
	assert.Contains(t, r.Stdout, "Path: "+rw+",", "the writable tmpfs beside it is checked")
	r = h.Run("-A", "-c", "1%", "--mount-timeout", "500ms")
	assert.NotContains(t, r.Stdout, ro, "-A is every file system not excluded by default")

	r = h.Run("-p", ro, "-c", "1%")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk CRITICAL: "+ro+": 0.00% available, below the critical 1%\n"), r.Stdout)
	r = h.Run("-N", "tmpfs", "-c", "1%")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "Disk CRITICAL: "+ro+": 0.00% available")
}

// A file system mounted later over a directory above another mount
// point hides that mount: it is not checked (statfs of its point would
// fail, an UNKNOWN for ever, or — where the new file system has a
// directory of that name — report the new file system's numbers under the
// hidden one's name).
func TestRealOverMountedParent(t *testing.T) {
	dir := servertest.MountTmpfs(t, 1<<20, 0)
	sub := filepath.Join(dir, "www")
	require.NoError(t, os.Mkdir(sub, 0o755))
	require.NoError(t, unix.Mount("teko-test", sub, "tmpfs", 0, "size=2m"))
	t.Cleanup(func() { _ = unix.Unmount(sub, unix.MNT_DETACH) })
	require.NoError(t, unix.Mount("teko-test", dir, "tmpfs", 0, "size=3m"))
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
	h := plugintest.New(t, Plugin)
	r := h.Run("-N", "tmpfs", "--mount-timeout", "500ms")
	assert.NotContains(t, r.Stdout, sub, "the hidden mount is not checked")
	assert.Contains(t, r.Stdout, "Path: "+dir+", All: 3.00 MB", "the mount on top is")

	require.NoError(t, os.Mkdir(sub, 0o755)) // the new file system has a www too
	r = h.Run("-N", "tmpfs", "--mount-timeout", "500ms")
	assert.NotContains(t, r.Stdout, sub, "not the top file system's numbers under the hidden one's name")
}
