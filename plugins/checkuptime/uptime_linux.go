//go:build linux

package checkuptime

import (
	"time"

	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/procfs"
)

// uptime reads /proc/uptime: the time since boot, without the time spent
// suspended.
func uptime(inv *plugin.Invocation) (time.Duration, error) {
	u, err := procfs.Host(inv.Getenv).Uptime()
	return u.Up, err
}
