// Command metrics-memcached prints memcached metrics; see package metricsmemcached.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsmemcached"
)

func main() { plugin.Main(metricsmemcached.Plugin) }
