// Command metrics-mysql prints MySQL and MariaDB metrics for
// mackerel-agent; see package metricsmysql.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsmysql"
)

func main() { plugin.Main(metricsmysql.Plugin) }
