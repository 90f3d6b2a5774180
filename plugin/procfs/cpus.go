package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"strconv"
	"strings"
)

// CPUs is how many CPUs a process may use.
type CPUs struct {
	// Allowed is the number of CPUs the process may run on: its affinity
	// mask (taskset, cpuset cgroups), from Cpus_allowed_list in
	// /proc/self/status.
	Allowed int
	// Quota is the cgroup's CPU bandwidth limit in CPUs (cgroup v2
	// cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us: 150000/100000 is
	// 1.5), the lowest along the cgroup's ancestors; 0 when there is none.
	Quota float64
	// QuotaFile is the file Quota was read from, "" when none.
	QuotaFile string
}

// Effective is the number of CPUs' worth of time the process can get:
// Allowed, or Quota when that is lower. It may be fractional.
func (c CPUs) Effective() float64 {
	if c.Quota > 0 && c.Quota < float64(c.Allowed) {
		return c.Quota
	}
	return float64(c.Allowed)
}

// CPUs reads the CPUs the reading process may use: its affinity and its
// cgroup's CPU quota (v1 or v2; /proc/self/cgroup names the cgroup,
// looked up under SysPath("fs/cgroup")).
func (fsys FS) CPUs() (CPUs, error) {
	var c CPUs
	statusPath := fsys.ProcPath("self", "status")
	err := keyValues(statusPath, func(key string, value, _ []byte, n int) error {
		if key != "Cpus_allowed_list" {
			return nil
		}
		cnt, err := countCPUList(string(value))
		if err != nil {
			return parseError(statusPath, n, "Cpus_allowed_list %q: %v", value, err)
		}
		c.Allowed = cnt
		return nil
	})
	if err != nil {
		return c, err
	}
	if c.Allowed == 0 {
		return c, fmt.Errorf("%s has no Cpus_allowed_list", statusPath)
	}
	c.Quota, c.QuotaFile, err = fsys.cgroupQuota()
	return c, err
}

// countCPUList counts the CPUs of a list such as "0-3,8,10-11".
func countCPUList(s string) (int, error) {
	n := 0
	for part := range strings.SplitSeq(strings.TrimSpace(s), ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a {
			return 0, fmt.Errorf("%q is not a CPU or range of CPUs", part)
		}
		n += b - a + 1
	}
	return n, nil
}

// cgroupQuota finds the process's CPU bandwidth limit. /proc/self/cgroup
// has "ID:CONTROLLERS:PATH" lines: a v1 hierarchy with the cpu
// controller ("4:cpu,cpuacct:/docker/abc") is mounted at
// /sys/fs/cgroup/CONTROLLERS (or /sys/fs/cgroup/cpu); the v2 one
// ("0::/system.slice/x.service") at /sys/fs/cgroup itself. Inside a
// container the path may not exist under the mount (the mount is the
// container's own cgroup): then the mount's root is read.
func (fsys FS) cgroupQuota() (float64, string, error) {
	cgPath := fsys.ProcPath("self", "cgroup")
	b, err := readFile(cgPath)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, "", nil // no cgroups
	}
	if err != nil {
		return 0, "", err
	}
	var v1dirs []string
	var v1path, v2path string
	hasV2 := false
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		parts := strings.SplitN(string(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			v2path, hasV2 = parts[2], true
			continue
		}
		for ctl := range strings.SplitSeq(parts[1], ",") {
			if ctl == "cpu" {
				v1path = parts[2]
				v1dirs = []string{fsys.SysPath("fs", "cgroup", parts[1]), fsys.SysPath("fs", "cgroup", "cpu")}
			}
		}
	}
	if v1dirs != nil {
		for _, mount := range v1dirs {
			q, file, found, err := walkQuota(mount, v1path, readV1Quota)
			if found || err != nil {
				return q, file, err
			}
		}
		return 0, "", nil
	}
	if hasV2 {
		q, file, _, err := walkQuota(fsys.SysPath("fs", "cgroup"), v2path, readV2Quota)
		return q, file, err
	}
	return 0, "", nil
}

// walkQuota reads the quota of the cgroup at mount+cg and of each of its
// ancestors up to the mount, and returns the lowest. found is false when
// the hierarchy has no quota files at all (not mounted there).
func walkQuota(mount, cg string, read func(dir string) (float64, string, bool, error)) (q float64, file string, found bool, err error) {
	dir := path.Clean("/" + cg)
	if _, _, ok, _ := read(joinCgroup(mount, dir)); !ok {
		dir = "/" // a container's own cgroup, mounted as the root
	}
	for {
		v, f, ok, err := read(joinCgroup(mount, dir))
		if err != nil {
			return 0, "", found, err
		}
		if ok {
			found = true
			if v > 0 && (q == 0 || v < q) {
				q, file = v, f
			}
		}
		if dir == "/" {
			return q, file, found, nil
		}
		dir = path.Dir(dir)
	}
}

func joinCgroup(mount, dir string) string {
	if dir == "/" {
		return mount
	}
	return mount + dir
}

// readV2Quota reads cpu.max: "max 100000" (no limit) or "150000 100000".
func readV2Quota(dir string) (float64, string, bool, error) {
	file := dir + "/cpu.max"
	b, err := readFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, err
	}
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 0, "", false, fmt.Errorf("%s is empty", file)
	}
	if f[0] == "max" {
		return 0, file, true, nil
	}
	period := 100000.0
	quota, err := strconv.ParseFloat(f[0], 64)
	if len(f) > 1 && err == nil {
		period, err = strconv.ParseFloat(f[1], 64)
	}
	if err != nil || quota <= 0 || period <= 0 || math.IsInf(quota/period, 0) {
		return 0, "", false, fmt.Errorf("%s: %q is not \"QUOTA PERIOD\"", file, strings.TrimSpace(string(b)))
	}
	return quota / period, file, true, nil
}

// readV1Quota reads cpu.cfs_quota_us (-1: no limit) and cpu.cfs_period_us.
func readV1Quota(dir string) (float64, string, bool, error) {
	file := dir + "/cpu.cfs_quota_us"
	b, err := readFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, err
	}
	quota, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, "", false, fmt.Errorf("%s: %q is not a number", file, strings.TrimSpace(string(b)))
	}
	if quota <= 0 {
		return 0, file, true, nil
	}
	period, err := readUint(dir + "/cpu.cfs_period_us")
	if err != nil {
		return 0, "", false, err
	}
	if period == 0 {
		return 0, "", false, fmt.Errorf("%s/cpu.cfs_period_us is 0", dir)
	}
	return float64(quota) / float64(period), file, true, nil
}
