package mounts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func points(ms []Mount) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Point)
	}
	return out
}

func TestReadFixture(t *testing.T) {
	ms, err := Read("testdata/host")
	require.NoError(t, err)
	require.Len(t, ms, 18)
	root := ms[3]
	assert.Equal(t, Mount{ID: 27, Parent: 1, Major: 8, Minor: 1, Root: "/", Point: "/", Options: []string{"rw", "relatime"},
		Type: "ext4", Source: "/dev/sda1", SuperOptions: []string{"rw", "errors=remount-ro"}}, root)
	assert.Equal(t, "8:1", root.Device())
	assert.Equal(t, "/mnt/backup disk", ms[7].Point, "\\040 is a space")
	assert.Equal(t, `/srv/nfs\share`, ms[8].Point, "\\134 is a backslash")
	assert.Equal(t, "/exports", ms[8].Root)
	assert.True(t, ms[8].Bind())
	assert.Equal(t, "/media/tab\there", ms[12].Point, "\\011 is a tab")
	assert.True(t, ms[6].ReadOnly())
	assert.False(t, root.ReadOnly())
}

func TestDefaultFilter(t *testing.T) {
	ms, err := Read("testdata/host")
	require.NoError(t, err)
	assert.Equal(t, []string{"/", "/run", "/mnt/backup disk", `/srv/nfs\share`, "/data", "/bindhome", "/var/lib/docker"}, points(Filter{}.Apply(ms)),
		"pseudo file systems, squashfs, iso9660, overlay, a non-bind 'none', mounts under /sys and Docker's are left out; tmpfs and Docker's own disk stay")
	assert.Len(t, Filter{All: true}.Apply(ms), 18)
	assert.Equal(t, []string{"/snap/core22/1380"}, points(Filter{IncludeTypes: []string{"squashfs"}}.Apply(ms)),
		"a type asked for by name is kept even though excluded by default")
	assert.Equal(t, []string{"/", "/mnt/backup disk", `/srv/nfs\share`, "/bindhome", "/var/lib/docker"},
		points(Filter{ExcludeTypes: []string{"tmpfs", "btrfs"}}.Apply(ms)))
	assert.Equal(t, []string{"/", "/run", "/data", "/bindhome"},
		points(Filter{ExcludePoints: []string{"/mnt/backup disk", `/srv/nfs\share`, "/var/lib/docker"}}.Apply(ms)))
	assert.Empty(t, points(Filter{IncludeTypes: []string{"tmpfs"}, ExcludePoints: []string{"/run"}}.Apply(ms)),
		"a type asked for by name does not bring back mounts under excluded points")
	ex, why := Excluded(ms[14])
	assert.True(t, ex)
	assert.Equal(t, "mounts under /var/lib/docker are excluded by default", why)
	ex, why = Excluded(ms[6])
	assert.True(t, ex)
	assert.Contains(t, why, "squashfs")
}

func TestUniqueAndVisible(t *testing.T) {
	ms, err := Read("testdata/host")
	require.NoError(t, err)
	kept := Unique(Filter{}.Apply(ms))
	assert.Equal(t, []string{"/", "/run", "/mnt/backup disk", "/data", "/var/lib/docker"}, points(kept),
		"a bind mount of a file system already listed is counted once")
	stacked := []Mount{{Point: "/a", Type: "ext4"}, {Point: "/b"}, {Point: "/a", Type: "tmpfs"}}
	v := Visible(stacked)
	require.Len(t, v, 2)
	assert.Equal(t, "tmpfs", v[1].Type, "the top mount of a point is what statfs sees")
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{
		"27 1 8:1 / / rw - ext4",          // no super options is fine, but source missing
		"x 1 8:1 / / rw - ext4 /dev/a rw", // bad id
		"27 1 8-1 / / rw - ext4 /dev/a rw",
		"27 1 8:1 / / rw ext4 /dev/a rw", // no separator
	} {
		_, err := Parse(strings.NewReader("22 27 0:21 / /proc rw - proc proc rw\n" + bad + "\n"))
		if assert.Error(t, err, bad) {
			assert.Contains(t, err.Error(), "line 2", bad)
		}
	}
	ms, err := Parse(strings.NewReader("27 1 8:1 / / rw - ext4 /dev/a\n"))
	require.NoError(t, err, "super options may be missing")
	assert.Nil(t, ms[0].SuperOptions)
}

func TestUnescape(t *testing.T) {
	assert.Equal(t, "a b", Unescape(`a\040b`))
	assert.Equal(t, `a\b`, Unescape(`a\134b`))
	assert.Equal(t, "a\nb", Unescape(`a\012b`))
	assert.Equal(t, `a\9b`, Unescape(`a\9b`), "not an escape")
	assert.Equal(t, `end\04`, Unescape(`end\04`), "cut short")
	assert.Equal(t, `\477`, Unescape(`\477`), "above \\377")
}

func TestUsageMath(t *testing.T) {
	u := Usage{Stats: Stats{BlockSize: 4096, Blocks: 1000, Free: 300, Avail: 250, Files: 100, FilesFree: 40}}
	assert.EqualValues(t, 4096000, u.Total())
	assert.EqualValues(t, 700*4096, u.Used())
	assert.EqualValues(t, 250*4096, u.Available())
	assert.InDelta(t, 700.0*100/950, u.UsedPercent(), 1e-9)
	assert.EqualValues(t, 60, u.InodesUsed())
	assert.InDelta(t, 60.0, u.InodesUsedPercent(), 1e-9)
	btrfs := Usage{Stats: Stats{BlockSize: 4096, Blocks: 10}}
	assert.False(t, btrfs.HasInodes())
	assert.Zero(t, btrfs.InodesUsedPercent(), "no inodes is not 100% used")
	assert.Zero(t, Usage{}.UsedPercent())
}

// A mount whose statfs hangs is reported as its own error, naming it,
// within the timeout; the other mounts are read as usual.
func TestStatHungMount(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	statfs := func(p string) (Stats, error) {
		switch p {
		case "/mnt/nfs":
			<-release
		case "/gone":
			return Stats{}, errors.New("no such file or directory")
		}
		return Stats{BlockSize: 1, Blocks: 10, Free: 5, Avail: 5}, nil
	}
	ms := []Mount{{Point: "/"}, {Point: "/mnt/nfs", Type: "nfs4"}, {Point: "/gone", Type: "ext4"}, {Point: "/home"}}
	start := time.Now()
	us := Stat(context.Background(), ms, Options{Timeout: 200 * time.Millisecond, Statfs: statfs})
	assert.Less(t, time.Since(start), 2*time.Second)
	require.Len(t, us, 4)
	assert.NoError(t, us[0].Err)
	assert.EqualValues(t, 10, us[3].Blocks)
	var se *StatError
	require.ErrorAs(t, us[1].Err, &se)
	assert.True(t, se.Timeout)
	assert.Equal(t, "/mnt/nfs (nfs4): statfs did not answer within 200ms (a hung mount?)", us[1].Err.Error())
	require.ErrorAs(t, us[2].Err, &se)
	assert.False(t, se.Timeout)
	assert.Equal(t, "/gone (ext4): statfs: no such file or directory", us[2].Err.Error())
}

func TestStatContextEnds(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	us := Stat(ctx, []Mount{{Point: "/hang", Type: "fuse.sshfs"}}, Options{Timeout: time.Hour, Statfs: func(string) (Stats, error) {
		<-release
		return Stats{}, nil
	}})
	assert.ErrorContains(t, us[0].Err, "/hang (fuse.sshfs): statfs did not answer")
}

// With every slot held by a hung mount, a mount still waiting is
// reported within its own deadline too.
func TestStatSlotsExhausted(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	hang := func(string) (Stats, error) { <-release; return Stats{}, nil }
	us := Stat(context.Background(), []Mount{{Point: "/a", Type: "nfs"}, {Point: "/b", Type: "nfs"}},
		Options{Timeout: 150 * time.Millisecond, Statfs: hang, Parallel: 1})
	msgs := []string{us[0].Err.Error(), us[1].Err.Error()}
	slices.SortFunc(msgs, func(x, y string) int { return strings.Compare(x[3:], y[3:]) }) // by what follows "/a "
	assert.Regexp(t, `^/[ab] \(nfs\): not asked within 150ms: every statfs slot is held by a hung mount$`, msgs[0])
	assert.Regexp(t, `^/[ab] \(nfs\): statfs did not answer within 150ms \(a hung mount\?\)$`, msgs[1])
}

// ExcludeReadOnly leaves out read-only mounts (the mount's own "ro" or
// the file system's), unless their type is named; a read-only bind of a
// writable file system leaves that file system to its writable mount.
func TestFilterExcludeReadOnly(t *testing.T) {
	ms, err := Parse(strings.NewReader(`27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
28 27 0:25 / /mnt/tiny ro,nosuid,relatime - tmpfs tiny ro,size=4k
29 27 8:1 /srv /srv/ro ro,relatime - ext4 /dev/sda1 rw
30 27 8:2 / /archive rw,relatime - ext4 /dev/sdb1 ro
31 27 0:26 / /dev/shm rw,relatime - tmpfs tmpfs rw
`))
	require.NoError(t, err)
	assert.Equal(t, []string{"/", "/dev/shm"}, points(Unique(Filter{ExcludeReadOnly: true}.Apply(ms))))
	assert.Equal(t, []string{"/mnt/tiny", "/dev/shm"}, points(Filter{ExcludeReadOnly: true, IncludeTypes: []string{"tmpfs"}}.Apply(ms)),
		"a type named is kept read-only or not")
	assert.Len(t, Filter{}.Apply(ms), 5, "off by default")
}

// A mount made later on a directory above another mount point hides that
// mount (a new disk mounted on /srv after /srv/www was): statfs of
// /srv/www then asks the new file system, or fails. A mount made on top
// of another one (its parent in the table) hides nothing of it.
func TestVisibleOverMountedParent(t *testing.T) {
	ms, err := Parse(strings.NewReader(`22 27 0:21 / /proc rw - proc proc rw
27 1 8:1 / / rw - ext4 /dev/sda1 rw
30 27 8:2 / /srv rw - ext4 /dev/sdb1 rw
31 30 8:3 / /srv/www rw - ext4 /dev/sdc1 rw
32 31 0:40 / /srv/www/cache rw - tmpfs tmpfs rw
40 27 8:4 / /srv rw - xfs /dev/sdd1 rw
41 40 0:41 / /srv/new rw - tmpfs tmpfs rw
42 27 8:5 / /mnt rw - ext4 /dev/sde1 rw
43 42 8:6 / /mnt/a rw - ext4 /dev/sdf1 rw
44 42 8:7 / /mnt rw - ext4 /dev/sdg1 rw
`))
	require.NoError(t, err)
	assert.Equal(t, []string{"/proc", "/", "/srv", "/srv/new", "/mnt"}, points(Visible(ms)))
	assert.Equal(t, "/dev/sdd1", Visible(ms)[2].Source, "the later /srv")
	assert.Equal(t, "/dev/sdg1", Visible(ms)[4].Source, "a mount stacked on /mnt hides it and /mnt/a below it")
}
