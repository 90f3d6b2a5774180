// Command metrics-docker prints the CPU, memory and block I/O of each
// running Docker container for mackerel-agent; see
// plugins/metricsdocker/README.md.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsdocker"
)

func main() { plugin.Main(metricsdocker.Plugin) }
