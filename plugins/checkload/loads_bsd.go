//go:build darwin || freebsd

package checkload

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin"
)

// readLoads reads the vm.loadavg sysctl: struct loadavg { fixpt_t
// ldavg[3]; long fscale; }, fixpt_t a uint32.
func readLoads(*plugin.Invocation, bool) (loads, error) {
	var l loads
	b, err := unix.SysctlRaw("vm.loadavg")
	if err != nil {
		return l, fmt.Errorf("sysctl vm.loadavg: %w", err)
	}
	if len(b) < 16 {
		return l, fmt.Errorf("sysctl vm.loadavg: %d bytes", len(b))
	}
	var scale float64
	if len(b) >= 24 { // 64-bit long, aligned
		scale = float64(binary.NativeEndian.Uint64(b[16:]))
	} else {
		scale = float64(binary.NativeEndian.Uint32(b[12:]))
	}
	if scale == 0 {
		return l, fmt.Errorf("sysctl vm.loadavg: no scale")
	}
	for i := range 3 {
		l.avg[i] = float64(binary.NativeEndian.Uint32(b[4*i:])) / scale
	}
	l.cpus = float64(runtime.NumCPU())
	l.how = cpuCount(strconv.Itoa(runtime.NumCPU()))
	return l, nil
}
