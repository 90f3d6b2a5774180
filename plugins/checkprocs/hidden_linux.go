//go:build linux

package checkprocs

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"syscall"

	"github.com/teko-dev/teko/plugin/procfs"
)

// hiddenProcs says why other users' processes are not listed to this
// run, or "" when they are: /proc mounted with hidepid=invisible (2) or
// ptraceable (4), for a run that is not root and not in the mount's gid=
// group. The mount options are those of /proc in /proc/self/mountinfo.
// (With hidepid=noaccess (1) the processes are listed but cannot be
// read, which the count reports as unreadable processes.)
func hiddenProcs() string {
	uid := os.Geteuid()
	if uid == 0 {
		return ""
	}
	h, err := procfs.FS{}.HidePID()
	if err != nil || h.Mode != "invisible" && h.Mode != "ptraceable" {
		return ""
	}
	if h.GID >= 0 {
		groups, _ := os.Getgroups()
		if os.Getegid() == h.GID || slices.Contains(groups, h.GID) {
			return "" // the gid= group sees every process
		}
	}
	return fmt.Sprintf("/proc is mounted with hidepid=%s and this check runs as uid %d", h.Mode, uid)
}

// pidRuns reports whether a process with this PID exists, listed or not:
// signal 0 is refused (EPERM) for another user's process, and fails with
// ESRCH only when there is none.
func pidRuns(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
