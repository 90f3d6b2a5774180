// Command metrics-postgres prints PostgreSQL metrics for
// mackerel-agent; see package metricspostgres.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricspostgres"
)

func main() { plugin.Main(metricspostgres.Plugin) }
