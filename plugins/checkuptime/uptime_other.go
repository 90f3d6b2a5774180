//go:build !linux && !windows && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package checkuptime

import (
	"fmt"
	"runtime"
	"time"

	"github.com/teko-dev/teko/plugin"
)

func uptime(*plugin.Invocation) (time.Duration, error) {
	return 0, fmt.Errorf("reading the uptime is not supported on %s", runtime.GOOS)
}
