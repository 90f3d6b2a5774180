// Command metrics-jvm prints a JVM's GC and memory metrics; see package metricsjvm.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsjvm"
)

func main() { plugin.Main(metricsjvm.Plugin) }
