// Package procfs reads the Linux kernel's /proc and /sys: system-wide
// counters (/proc/stat, /proc/vmstat), load and uptime, memory, TCP socket
// states, block devices, conntrack, logged-in users (utmp), the CPUs a
// process may use (affinity and cgroup quota), how procfs hides other
// users' processes (hidepid, read with package mounts' parser), and the
// per-process files a process table is built from.
//
// Everything is read from files, never by starting a program (no ss, who
// or ps), and every reader goes through an FS, whose roots say where
// procfs, sysfs and /run are mounted. The zero FS reads the real ones:
//
//	var fs procfs.FS // /proc, /sys, /run
//	load, err := fs.LoadAvg()
//
// Tests point an FS at a fixture tree, a copy of the files a real machine
// (or a hand-made variant: an older kernel, cgroup v1) had:
//
//	fs := procfs.FS{Proc: "testdata/linux-6.18/proc", Sys: "testdata/linux-6.18/sys"}
//
// and a plugin running in a container reads the host's trees, mounted
// somewhere else, with Host, which takes the roots from HOST_PROC,
// HOST_SYS and HOST_RUN as Telegraf and node_exporter do:
//
//	fs := procfs.Host(os.Getenv)
//
// # Errors
//
// A file that does not exist gives an error that wraps fs.ErrNotExist and
// names the path, so that a caller can tell "this kernel has no such
// thing" (a module not loaded, not Linux at all) from a file it could not
// read or parse. A file that exists but does not read as the kernel
// writes it gives an error naming the file and the line.
//
// # Units
//
// Values are returned as the kernel counts them, in the kernel's units,
// except where the type says otherwise: MemInfo values are bytes (the
// kernel writes kB), times of processes are time.Duration (the kernel
// counts USER_HZ ticks), load averages are float64.
//
// An FS holds no state and may be used by several goroutines at once; a
// FileReader, which keeps one buffer for many small files, may not.
package procfs
