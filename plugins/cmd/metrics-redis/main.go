// Command metrics-redis prints Redis metrics; see package metricsredis.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsredis"
)

func main() { plugin.Main(metricsredis.Plugin) }
