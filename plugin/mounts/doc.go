// Package mounts is the mount table and the file system usage that
// check-disk, metrics-inode and any plugin about file systems share: one
// parser of Linux's /proc/self/mountinfo, one default list of file systems
// not worth watching, and statfs bounded by a deadline per mount.
//
// # The mount table
//
// Read parses the calling process's own /proc/self/mountinfo, so the
// mounts of its mount namespace are the ones seen (a container sees its
// own). Names are decoded: the kernel writes a space in a mount point as
// "\040", a tab as "\011", a newline as "\012" and a backslash as "\134".
// Parse reads any mountinfo text, and Read takes a root directory, for
// tests with fixture files:
//
//	ms, err := mounts.Read("")             // /proc/self/mountinfo
//	ms, err := mounts.Read("testdata/vm1") // testdata/vm1/proc/self/mountinfo
//
// # What is left out by default
//
// Filter picks mounts. Its zero value leaves out what an operator never
// wants alerts or graphs for (Excluded): kernel pseudo file systems
// (proc, sysfs, cgroup, tracefs, …, node_exporter's list and the one
// check-disk always had), read-only images that are always 100% full
// (squashfs, as every snap package mounts, erofs, iso9660), overlay
// roots of containers (the space is that of the file system below), the
// "none" type unless bind-mounted, and whatever is mounted under /proc,
// /sys, systemd's credentials or a container engine's storage
// (ExcludedTypes, ExcludedPoints). tmpfs stays in: /dev/shm and /run do
// fill up. Filter.All keeps everything; IncludeTypes, ExcludeTypes and
// ExcludePoints add the operator's choices. Filter.ExcludeReadOnly also
// leaves out read-only mounts, whose free space no write can change: a
// check of free space wants that (check-disk), a graph may not.
//
// # Usage with a deadline
//
// statfs(2) on a hung NFS or FUSE mount never returns, and a check that
// calls it hangs with it. Stat asks every mount in parallel and gives
// each Options.Timeout: a mount that does not answer in time is reported
// as that item's error (a *StatError naming the mount point), and the
// others are reported as usual. The goroutine stuck in the kernel is left
// behind; the plugin process exits soon after.
//
//	for _, u := range mounts.Stat(ctx, ms, mounts.Options{Timeout: 3 * time.Second}) {
//		if u.Err != nil { … u.Err names the mount … }
//		fmt.Println(u.Mount.Point, u.Available(), u.UsedPercent())
//	}
//
// The numbers are those df prints: Used is what is allocated (total minus
// free blocks), Available what an unprivileged user may still write
// (blocks reserved for root excluded), and UsedPercent is df's "Use%",
// Used/(Used+Available).
//
// The mount table and statfs are Linux's; on other systems Read and Stat
// return an error that says so.
package mounts
