#!/bin/sh
# capture.sh DIR: copies the files package procfs reads from this
# machine's /proc and /sys into DIR/proc and DIR/sys (symlinks of
# /sys/block kept as links into a small copy of /sys/devices), for a
# fixture tree. Run as any user; nothing outside DIR is written.
set -eu
dir=$1
mkdir -p "$dir/proc/net" "$dir/proc/self" "$dir/proc/sys/net/netfilter" "$dir/sys/block"
for f in stat vmstat loadavg uptime meminfo diskstats; do cat /proc/$f >"$dir/proc/$f"; done
for f in tcp tcp6; do [ -e /proc/net/$f ] && cat /proc/net/$f >"$dir/proc/net/$f"; done
for f in status cgroup mountinfo; do cat /proc/self/$f >"$dir/proc/self/$f"; done
[ -e /proc/sys/net/netfilter/nf_conntrack_count ] && cat /proc/sys/net/netfilter/nf_conntrack_count >"$dir/proc/sys/net/netfilter/nf_conntrack_count"
[ -e /proc/sys/net/nf_conntrack_max ] && cat /proc/sys/net/nf_conntrack_max >"$dir/proc/sys/net/nf_conntrack_max"
for link in /sys/block/*; do
	name=${link##*/}
	# ../devices/…/block/NAME, without the ':' of PCI addresses, which Go
	# module zips do not allow in file names
	target=$(readlink "$link" | tr : _)
	real="$dir/sys/block/$target"
	mkdir -p "$real"
	cat "$link/removable" >"$real/removable"
	cat "$link/stat" >"$real/stat"
	ln -sfn "$target" "$dir/sys/block/$name"
done
for f in /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us; do
	if [ -e "$f" ]; then mkdir -p "$dir$(dirname "$f")"; cat "$f" >"$dir$f"; fi
done
