//go:build !linux && !darwin && !freebsd

package checkload

import (
	"fmt"
	"runtime"

	"github.com/teko-dev/teko/plugin"
)

func readLoads(*plugin.Invocation, bool) (loads, error) {
	return loads{}, fmt.Errorf("%s has no load averages to check", runtime.GOOS)
}
