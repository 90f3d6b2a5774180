package checkdisk

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/mounts"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// fixture points the plugin at testdata/fixture's mount table and at
// statfs answers from the table given; a point missing from it hangs.
func fixture(t *testing.T, answers map[string]mounts.Stats) {
	release := make(chan struct{})
	mountRoot = "testdata/fixture"
	statfs = func(p string) (mounts.Stats, error) {
		if p == "/gone" {
			return mounts.Stats{}, errors.New("no such file or directory")
		}
		s, ok := answers[p]
		if !ok {
			<-release
		}
		return s, nil
	}
	t.Cleanup(func() { mountRoot, statfs = "", nil; close(release) })
}

var healthy = map[string]mounts.Stats{
	"/":                  {BlockSize: 4096, Blocks: 1 << 20, Free: 600000, Avail: 550000, Files: 1000, FilesFree: 900},
	"/data":              {BlockSize: 4096, Blocks: 1 << 20, Free: 100000, Avail: 100000}, // btrfs: no inode count
	"/snap/core22/1380":  {BlockSize: 131072, Blocks: 100, Free: 0, Avail: 0, Files: 50, FilesFree: 0},
	"/mnt/with space":    {BlockSize: 4096, Blocks: 256, Free: 250, Avail: 250, Files: 100, FilesFree: 99},
	"/mnt/nfs-is-hidden": {},
}

// A hung mount does not hang the check: it is UNKNOWN, named, after
// --mount-timeout, and the other file systems are still judged.
func TestHungMountIsNamed(t *testing.T) {
	fixture(t, healthy) // /mnt/nfs is missing from the answers: it hangs
	h := plugintest.New(t, Plugin)
	start := time.Now()
	r := h.Run("--mount-timeout", "300ms")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, 3, r.Code, r.Stdout)
	first := strings.SplitN(r.Stdout, "\n", 2)[0]
	assert.Equal(t, "Disk UNKNOWN: /mnt/nfs (nfs4): statfs did not answer within 300ms (a hung mount?)", first)
	assert.Contains(t, r.Stdout, "Path: /data,", "the other file systems are still reported")

	// A critical file system is not hidden behind the hung one.
	r = h.Run("--mount-timeout", "300ms", "-c", "10%")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk CRITICAL: /data: 9.54% available, below the critical 10%; /mnt/nfs (nfs4): statfs did not answer"), r.Stdout)

	// The run's own deadline bounds the per-mount one, so the hung
	// mount is named before -t ends the run.
	r = h.Run("-t", "1s", "--mount-timeout", "1m")
	assert.Equal(t, 3, r.Code, r.Stdout)
	// Three quarters of what is left of the second: 750ms, less what
	// the run took to get there on a loaded machine.
	assert.Regexp(t, `^Disk UNKNOWN: /mnt/nfs \(nfs4\): statfs did not answer within (7[0-4][0-9]|750)ms`, r.Stdout)
}

// Snap images (squashfs) are full by design: left out unless asked for.
func TestSquashfsExcludedByDefault(t *testing.T) {
	fixture(t, healthy)
	h := plugintest.New(t, Plugin)
	r := h.Run("-x", "/mnt/nfs", "-c", "1%")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.NotContains(t, r.Stdout, "/snap")
	r = h.Run("-N", "squashfs", "-c", "1%")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Equal(t, "Disk CRITICAL: /snap/core22/1380: 0.00% available, below the critical 1%\n"+
		"Path: /snap/core22/1380, All: 12.50 MB, Used: 12.50 MB, Free: 0.00 MB, Free percentage: 0.00 (inodes 0.00)\n", r.Stdout)
}

// A file system without an inode count (btrfs) is not a reason for
// UNKNOWN with -W/-K (the original's #265): it is judged on space only.
func TestNoInodesWithInodeThresholds(t *testing.T) {
	fixture(t, healthy)
	h := plugintest.New(t, Plugin)
	r := h.Run("-p", "/data", "-W", "20%", "-K", "10%")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "Disk OK: Path: /data, All: 4096.00 MB, Used: 3705.38 MB, Free: 390.62 MB, Free percentage: 9.54\n", r.Stdout)
	r = h.Run("-p", "/", "-W", "95%", "-K", "5%")
	assert.Equal(t, 1, r.Code, r.Stdout)
	assert.Equal(t, "Disk WARNING: /: 90.00% of inodes free, below the warning 95%\n"+
		"Path: /, All: 4096.00 MB, Used: 1752.25 MB, Free: 2148.44 MB, Free percentage: 55.08 (inodes 90.00)\n", r.Stdout)
}

// A mount point with a space (\040 in mountinfo) is found by -p and
// named as the operator wrote it.
func TestEscapedMountPoint(t *testing.T) {
	fixture(t, healthy)
	h := plugintest.New(t, Plugin)
	r := h.Run("-p", "/mnt/with space", "-u", "kB", "--format", "nagios")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "Disk OK: Path: /mnt/with space, All: 1024.00 kB, Used: 24.00 kB, Free: 1000.00 kB, Free percentage: 97.66 (inodes 99.00) | '/mnt/with space'=1024000B;;;0;1048576\n", r.Stdout)
}

func TestFlagErrors(t *testing.T) {
	fixture(t, healthy)
	h := plugintest.New(t, Plugin)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-p", "/", "-x", "/data"}, "Disk UNKNOWN: --exclude-device does not work with --path"},
		{[]string{"-u", "PB"}, `Disk UNKNOWN: invalid argument for flag ` + "`-u, --units'" + `: "PB": want bytes, kB, MB, GB or TB`},
		{[]string{"-w", "ten"}, `"ten": want N (in --units) or N% free`},
		{[]string{"-W", "10"}, `"10": want N% of the inodes free`},
		{[]string{"-c", "120%"}, `a percentage is at most 100`},
		{[]string{"-p", "/nonexistent/dir"}, "Disk UNKNOWN: no mounted file system for --path /nonexistent/dir"},
		{[]string{"-N", "zfs"}, "Disk UNKNOWN: no file system of type zfs is mounted"},
		{[]string{"-p", "/gone"}, "Disk UNKNOWN: no mounted file system for --path /gone"},
	} {
		r := h.Run(c.args...)
		assert.Equal(t, 3, r.Code, "%v: %s", c.args, r.Stdout)
		assert.Contains(t, r.Stdout, c.want, c.args)
	}
}

// Two mounts are compared with their thresholds independently and the
// message lists the ones that tripped, worst first.
func TestMessageNamesWhatTripped(t *testing.T) {
	fixture(t, healthy)
	h := plugintest.New(t, Plugin)
	r := h.Run("-x", "/mnt/nfs", "-w", "50%", "-c", "1000")
	assert.Equal(t, 2, r.Code, r.Stdout)
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	require.Len(t, lines, 4)
	assert.Equal(t, "Disk CRITICAL: /data: 390.62 MB available, below the critical 1000 MB; /mnt/with space: 0.98 MB available, below the critical 1000 MB", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "Path: /data,"), "the fullest first: %q", lines[1])
}

// Many file systems: the message stays within the agent's 1024
// characters and its first line still names the one that tripped (the
// original's long message was cut by the agent, mackerel-agent#261).
func TestManyFileSystems(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "proc", "self"), 0o755))
	var table strings.Builder
	answers := map[string]mounts.Stats{}
	for i := range 60 {
		p := fmt.Sprintf("/srv/volume-%02d", i)
		fmt.Fprintf(&table, "%d 1 8:%d / %s rw - ext4 /dev/sd%d rw\n", 100+i, i, p, i)
		answers[p] = mounts.Stats{BlockSize: 4096, Blocks: 1000, Free: 500, Avail: 500, Files: 10, FilesFree: 5}
	}
	answers["/srv/volume-37"] = mounts.Stats{BlockSize: 4096, Blocks: 1000, Free: 10, Avail: 10, Files: 10, FilesFree: 5}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "proc", "self", "mountinfo"), []byte(table.String()), 0o644))
	fixture(t, answers)
	mountRoot = dir
	r := plugintest.New(t, Plugin).Run("-c", "5%")
	assert.Equal(t, 2, r.Code)
	assert.LessOrEqual(t, len(r.Stdout), 1024)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk CRITICAL: /srv/volume-37: 1.00% available, below the critical 5%\nPath: /srv/volume-37,"), r.Stdout)
	assert.Contains(t, r.Stdout, "more lines)")
}

// -A checks every file system not excluded by default, whatever -p, -x,
// -X and -N say (as the original).
func TestAll(t *testing.T) {
	fixture(t, healthy)
	h := plugintest.New(t, Plugin)
	r := h.Run("-A", "-p", "/", "-X", "btrfs", "--mount-timeout", "100ms")
	assert.Contains(t, r.Stdout, "Path: /data,")
	assert.Contains(t, r.Stdout, "/mnt/nfs (nfs4)")
	assert.NotContains(t, r.Stdout, "/snap")
}

// -p takes a mounted device too, as the original's help says ("Mount
// point or block device").
func TestPathByDevice(t *testing.T) {
	fixture(t, healthy)
	r := plugintest.New(t, Plugin).Run("-p", "/dev/mapper/vg-data")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk OK: Path: /data, "), r.Stdout)
}

// -x takes a mount point, as the original's, or a device.
func TestExcludeDevice(t *testing.T) {
	fixture(t, healthy)
	h := plugintest.New(t, Plugin)
	for _, x := range []string{"/data", "/dev/mapper/vg-data"} {
		r := h.Run("-x", x, "-x", "/mnt/nfs")
		assert.Equal(t, 0, r.Code, r.Stdout)
		assert.NotContains(t, r.Stdout, "/data", x)
		assert.Contains(t, r.Stdout, "Path: /,", x)
	}
}

// A value just below a threshold is not printed rounded up to it: "/ has
// 99.99% free, below 100%" reads as a contradiction when it was
// 99.996%.
func TestMessageNotRoundedToThreshold(t *testing.T) {
	fixture(t, map[string]mounts.Stats{"/": {BlockSize: 4096, Blocks: 100000, Free: 99996, Avail: 99996, Files: 10, FilesFree: 10}})
	h := plugintest.New(t, Plugin)
	r := h.Run("-p", "/", "-c", "100%")
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk CRITICAL: /: 99.996% available, below the critical 100%\n"), r.Stdout)
	r = h.Run("-p", "/", "-c", "390.61", "-u", "MB") // 99996 blocks = 390.609375 MiB
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk CRITICAL: /: 390.609 MB available, below the critical 390.61 MB\n"), r.Stdout)
	r = h.Run("-p", "/", "-c", "391", "-u", "MB")
	assert.True(t, strings.HasPrefix(r.Stdout, "Disk CRITICAL: /: 390.61 MB available, below the critical 391 MB\n"), r.Stdout)
}
