//go:build windows

package checkuptime

import (
	"time"

	"golang.org/x/sys/windows"

	"github.com/teko-dev/teko/plugin"
)

// uptime is GetTickCount64: the time since boot.
func uptime(*plugin.Invocation) (time.Duration, error) {
	return windows.DurationSinceBoot(), nil
}
