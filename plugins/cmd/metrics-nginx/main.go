// Command metrics-nginx prints nginx's connection and request metrics for
// mackerel-agent; see plugins/metricsnginx/README.md.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsnginx"
)

func main() { plugin.Main(metricsnginx.Plugin) }
