//go:build !windows

package metricsjvm

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// alive reports whether a process with this pid exists (EPERM: it does,
// under another user).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// cmdline returns a process's arguments (Linux /proc; nil elsewhere).
func cmdline(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}

// hiddenJVMs returns the java processes (Linux /proc) started with a
// flag that hides their performance data.
func hiddenJVMs() []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var out []int
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		s := string(b)
		if strings.Contains(s, "\x00-XX:+PerfDisableSharedMem\x00") || strings.Contains(s, "\x00-XX:-UsePerfData\x00") {
			if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(d))); err == nil {
				out = append(out, pid)
			}
		}
	}
	return out
}
