// Command metrics-inode reports the inode counts of mounted file
// systems; see package metricsinode.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/metricsinode"
)

func main() { plugin.Main(metricsinode.Plugin) }
