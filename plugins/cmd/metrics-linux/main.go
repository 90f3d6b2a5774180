// Command metrics-linux prints swap, TCP state, disk time, interrupt,
// context switch, fork and user metrics of a Linux host; see package
// metricslinux.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricslinux"
)

func main() { plugin.Main(metricslinux.Plugin) }
