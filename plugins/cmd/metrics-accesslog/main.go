// Command metrics-accesslog reports requests by status class and request
// times from an access log; see package metricsaccesslog.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsaccesslog"
)

func main() { plugin.Main(metricsaccesslog.Plugin) }
