//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package checkuptime

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin"
)

// uptime is the time since kern.boottime.
func uptime(inv *plugin.Invocation) (time.Duration, error) {
	tv, err := unix.SysctlTimeval("kern.boottime")
	if err != nil {
		return 0, fmt.Errorf("sysctl kern.boottime: %w", err)
	}
	return inv.Now().Sub(time.Unix(tv.Unix())), nil
}
