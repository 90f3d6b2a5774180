//go:build linux

package checkload

import (
	"fmt"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/procfs"
)

func readLoads(inv *plugin.Invocation, perCPU bool) (loads, error) {
	fsys := procfs.Host(inv.Getenv)
	var l loads
	a, err := fsys.LoadAvg()
	if err != nil {
		return l, err
	}
	l.avg = [3]float64{a.Load1, a.Load5, a.Load15}
	if !perCPU {
		return l, nil
	}
	c, err := fsys.CPUs()
	if err != nil {
		return l, err
	}
	l.cpus = c.Effective()
	l.how = cpuCount(checkers.FormatNumber(l.cpus))
	if c.Quota > 0 && c.Quota < float64(c.Allowed) {
		l.how += fmt.Sprintf(" (the cgroup's CPU quota, %s; %d CPUs allowed)", c.QuotaFile, c.Allowed)
	}
	return l, nil
}
