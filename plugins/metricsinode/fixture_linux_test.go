package metricsinode

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/plugin/mounts"
	"github.com/teko-dev/teko/plugin/plugintest"
)

func fixture(t *testing.T, answers map[string]mounts.Stats) {
	release := make(chan struct{})
	mountRoot = "testdata/fixture"
	statfs = func(p string) (mounts.Stats, error) {
		s, ok := answers[p]
		if !ok {
			<-release
		}
		return s, nil
	}
	t.Cleanup(func() { mountRoot, statfs = "", nil; close(release) })
}

// The names are the original's (device after /dev/, other characters as
// '_'); squashfs images, Docker's devicemapper volumes, btrfs (no inode
// count), a bind mount of a device already listed and non-device sources
// are left out; a hung NFS mount is left out with a note, the rest is
// printed.
func TestFixture(t *testing.T) {
	fixture(t, map[string]mounts.Stats{
		"/":                                    {Files: 1000, FilesFree: 250},
		"/run":                                 {Files: 500, FilesFree: 400},
		"/var":                                 {Files: 64, FilesFree: 0},
		"/srv/www":                             {Files: 64, FilesFree: 0},
		"/data":                                {Files: 0, FilesFree: 0},
		"/mnt/usb stick":                       {Files: 10, FilesFree: 7},
		"/snap/core22/1380":                    {Files: 50},
		"/var/lib/docker/devicemapper/mnt/abc": {Files: 5},
	})
	h := plugintest.New(t, Plugin)
	start := time.Now()
	r := h.Run("--mount-timeout", "200ms", "--all-mounts")
	assert.Less(t, time.Since(start), 3*time.Second)
	v := h.Values(r, "--all-mounts")
	assert.Equal(t, map[string]float64{
		"inode.count.sda1.used": 750, "inode.count.sda1.free": 250, "inode.count.sda1.total": 1000, "inode.percentage.sda1.used": 75,
		"inode.count.mapper_vg-var.used": 64, "inode.count.mapper_vg-var.free": 0, "inode.count.mapper_vg-var.total": 64, "inode.percentage.mapper_vg-var.used": 100,
		"inode.count.sdc1.used": 3, "inode.count.sdc1.free": 7, "inode.count.sdc1.total": 10, "inode.percentage.sdc1.used": 30,
		"inode.count.run.used": 100, "inode.count.run.free": 400, "inode.count.run.total": 500, "inode.percentage.run.used": 20,
	}, v)
	assert.Equal(t, "metrics-inode: left out: /mnt/nfs (nfs4): statfs did not answer within 200ms (a hung mount?)\n", r.Stderr)

	r = h.Run("-mount-timeout", "200ms")
	v = h.Values(r)
	assert.Len(t, v, 12, "without --all-mounts only /dev sources, as the original: %v", v)
	assert.NotContains(t, v, "inode.count.run.used")
	assert.Empty(t, r.Stderr, "the NFS mount is not asked without --all-mounts")
}

func TestName(t *testing.T) {
	for _, c := range []struct {
		m    mounts.Mount
		all  bool
		want string
		ok   bool
	}{
		{mounts.Mount{Source: "/dev/mapper/vg-root", Point: "/"}, false, "mapper_vg-root", true},
		{mounts.Mount{Source: "/dev/disk/by-uuid/1a2b.c", Point: "/"}, false, "disk_by-uuid_1a2b_c", true},
		{mounts.Mount{Source: "/dev/mapper/docker-8:1-1-x", Point: "/x"}, true, "", false},
		{mounts.Mount{Source: "tmpfs", Point: "/dev/shm"}, false, "", false},
		{mounts.Mount{Source: "tmpfs", Point: "/dev/shm"}, true, "dev_shm", true},
		{mounts.Mount{Source: "rpool", Point: "/"}, true, "root", true},
		{mounts.Mount{Source: "srv:/x", Point: "/mnt/nfs share"}, true, "mnt_nfs_share", true},
	} {
		name, ok := Name(c.m, c.all)
		assert.Equal(t, c.want, name, c.m)
		assert.Equal(t, c.ok, ok, c.m)
	}
}
