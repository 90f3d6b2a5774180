//go:build unix

package procfs

import (
	"errors"
	"syscall"
)

// signalAlive reports whether a process with this PID exists, by signal
// 0: refused (EPERM) for another user's process, ESRCH only when there
// is none. It sees processes a hidepid procfs does not list.
func signalAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
