package mounts_test

import (
	"context"
	"fmt"
	"time"

	"github.com/teko-dev/teko/plugin/mounts"
)

// The default filter leaves out pseudo file systems, snaps' squashfs
// images and container overlays; Unique counts a bind-mounted file
// system once.
func ExampleFilter() {
	ms, err := mounts.Read("testdata/host") // "" reads /proc/self/mountinfo
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range mounts.Unique(mounts.Filter{}.Apply(ms)) {
		fmt.Printf("%-18q %-6s %s\n", m.Point, m.Type, m.Source)
	}
	// Output:
	// "/"                ext4   /dev/sda1
	// "/run"             tmpfs  tmpfs
	// "/mnt/backup disk" xfs    /dev/sdb1
	// "/data"            btrfs  /dev/mapper/vg-data
	// "/var/lib/docker"  ext4   /dev/sdd1
}

// Stat reads every mount at once, each with its own deadline: a hung
// mount becomes that mount's error.
func ExampleStat() {
	hung := func(path string) (mounts.Stats, error) {
		if path == "/mnt/nfs" {
			select {} // an NFS server that went away
		}
		return mounts.Stats{BlockSize: 4096, Blocks: 1000, Free: 400, Avail: 350, Files: 64, FilesFree: 16}, nil
	}
	ms := []mounts.Mount{{Point: "/", Type: "ext4"}, {Point: "/mnt/nfs", Type: "nfs4"}}
	for _, u := range mounts.Stat(context.Background(), ms, mounts.Options{Timeout: 50 * time.Millisecond, Statfs: hung}) {
		if u.Err != nil {
			fmt.Println("error:", u.Err)
			continue
		}
		fmt.Printf("%s: %d bytes available, %.1f%% used, inodes %.0f%% used\n", u.Mount.Point, u.Available(), u.UsedPercent(), u.InodesUsedPercent())
	}
	// Output:
	// /: 1433600 bytes available, 63.2% used, inodes 75% used
	// error: /mnt/nfs (nfs4): statfs did not answer within 50ms (a hung mount?)
}
