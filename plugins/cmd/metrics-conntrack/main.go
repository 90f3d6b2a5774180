// Command metrics-conntrack prints the connection tracking table's use;
// see package metricsconntrack.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsconntrack"
)

func main() { plugin.Main(metricsconntrack.Plugin) }
